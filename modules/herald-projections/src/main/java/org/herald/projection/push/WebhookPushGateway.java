package org.herald.projection.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The default gateway: one JSON POST per batch, {@code {"notifications": [...]}}, to a
 * configured URL (a relay to APNs/FCM, or the operator's own service). Any 2xx accepts the
 * batch; anything else, or no answer within the timeout, fails it and the dispatcher retries.
 */
public final class WebhookPushGateway implements PushGateway {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client;
  private final URI url;
  private final Duration timeout;

  public WebhookPushGateway(URI url, Duration timeout) {
    this.url = url;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public CompletionStage<Void> send(List<PushNotification> batch) {
    String body;
    try {
      body = JSON.writeValueAsString(Map.of("notifications", batch));
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(e);
    }
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .thenApply(
            response -> {
              if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("push webhook answered " + response.statusCode());
              }
              return null;
            });
  }
}
