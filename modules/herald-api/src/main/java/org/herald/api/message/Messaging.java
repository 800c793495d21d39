package org.herald.api.message;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.herald.api.common.Caller;
import org.herald.api.message.dto.MessageDtos.SendMessageRequest;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.common.Metrics;

/**
 * Sending a message: one path for HTTP and the updates socket, and where sends are counted.
 * {@code herald_messages_accepted_total{transport}} counts new messages once the chat has
 * answered that they are durable (a repeated {@code clientMessageId} is answered from the chat's
 * state and not counted); {@code herald_messages_send_duration_seconds{transport}} is the time
 * from the request (or frame) arriving to that answer, as a histogram with buckets.
 */
public final class Messaging {
  /** How a send arrived: the label of the send meters. */
  public enum Transport {
    HTTP,
    WS;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final SendBatching sends;
  private final Map<Transport, Counter> accepted = new EnumMap<>(Transport.class);
  private final Map<Transport, Timer> latency = new EnumMap<>(Transport.class);

  public Messaging(SendBatching sends, MeterRegistry registry) {
    this.sends = sends;
    for (Transport transport : Transport.values()) {
      accepted.put(
          transport,
          Counter.builder("herald.messages.accepted")
              .description("New messages acknowledged as durable by this node's API (repeats of a clientMessageId not counted)")
              .tag("transport", transport.label())
              .register(registry));
      latency.put(
          transport,
          // The ask timeout (5 s) bounds a successful send; the buckets stop just above it.
          Metrics.latencyHistogram(
              registry,
              "herald.messages.send.duration",
              "Time from a send request or frame arriving to the chat's durable acknowledgement",
              Duration.ofSeconds(10),
              "transport",
              transport.label()));
    }
  }

  /**
   * Completes once the message is durably in the journal; fails with the API error otherwise.
   * {@code receivedNanos} is {@link System#nanoTime()} when the request or frame arrived.
   */
  public CompletionStage<ChatReply.MessageAccepted> send(
      Caller caller, String chatId, SendMessageRequest req, Transport transport, long receivedNanos) {
    return sends
        .send(
            chatId,
            new ChatCommand.SendMessage(
                caller.userId(), req.clientMessageId(), req.text(), req.silent(), req.replyToMessageId(), null))
        .thenApply(
            a -> {
              if (!a.repeated()) {
                accepted.get(transport).increment();
                latency.get(transport).record(System.nanoTime() - receivedNanos, TimeUnit.NANOSECONDS);
              }
              return a;
            });
  }
}
