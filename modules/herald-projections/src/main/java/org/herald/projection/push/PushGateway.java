package org.herald.projection.push;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Where notifications go (a webhook, APNs, FCM, …). Completes normally only when accepted. */
public interface PushGateway {
  CompletionStage<Void> send(List<PushNotification> batch);
}
