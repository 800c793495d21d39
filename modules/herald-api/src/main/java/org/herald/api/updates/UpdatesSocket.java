package org.herald.api.updates;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.herald.api.common.ApiErrors;
import org.herald.api.common.ApiException;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Body;
import org.herald.api.common.Caller;
import org.herald.api.common.Json;
import org.herald.api.message.Messaging;
import org.herald.api.message.dto.MessageDtos.SendMessageRequest;
import org.herald.domain.common.Ids;

/**
 * The updates WebSocket of one client. Outgoing: whatever the node's {@link UpdatesHub} offers
 * (bounded; a client that falls too far behind is disconnected and catches up by pts).
 * Incoming: {@code send} frames go through the same {@link Messaging} path as HTTP and are
 * answered with {@code sent} or {@code error}; a malformed or unknown frame gets an
 * {@code error} frame and the socket stays open.
 */
public final class UpdatesSocket {
  private final ActorRef<UpdatesHub.Command> hub;
  private final Messaging messaging;
  private final ApiSettings settings;
  private final Materializer materializer;

  public UpdatesSocket(ActorSystem<?> system, ActorRef<UpdatesHub.Command> hub, Messaging messaging, ApiSettings settings) {
    this.hub = hub;
    this.messaging = messaging;
    this.settings = settings;
    this.materializer = Materializer.matFromSystem(system);
  }

  /** Frames a client may send. */
  record SentFrame(String type, String clientMessageId, String chatId, long messageId, long pts, String date) {}

  record ErrorFrame(String type, String clientMessageId, ApiErrors.ErrorBody.Error error) {}

  /**
   * The socket's flow. Nothing is registered with the hub until the flow is materialized, that
   * is, until the upgrade really happened; termination, whichever side ends it, unregisters.
   */
  public Flow<Message, Message, NotUsed> flow(Caller caller) {
    String connId = UUID.randomUUID().toString();
    CompletableFuture<BoundedSourceQueue<Message>> queue = new CompletableFuture<>();

    Source<Message, NotUsed> outgoing =
        Source.<Message>queue(settings.socketBufferSize())
            .mapMaterializedValue(
                q -> {
                  queue.complete(q);
                  hub.tell(new UpdatesHub.Connect(connId, caller.userId(), caller.sessionId(), q));
                  return NotUsed.getInstance();
                })
            .watchTermination(
                (mat, done) -> {
                  done.whenComplete((d, failure) -> hub.tell(new UpdatesHub.Disconnect(connId)));
                  return mat;
                });

    Sink<Message, NotUsed> in =
        Flow.<Message>create()
            .mapAsync(1, this::text)
            .mapAsync(settings.socketSendParallelism(), text -> handle(connId, caller, text).thenApply(Optional::ofNullable))
            .to(Sink.foreach(frame -> frame.ifPresent(f -> queue.thenAccept(q -> q.offer(TextMessage.create(f))))));

    return Flow.fromSinkAndSourceCoupled(in, outgoing);
  }

  /** The whole text of a frame, or empty for a binary frame; oversized text is an error. */
  private CompletionStage<Optional<String>> text(Message message) {
    if (!message.isText()) {
      message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer);
      return CompletableFuture.completedFuture(Optional.empty());
    }
    TextMessage text = message.asTextMessage();
    if (text.isStrict()) {
      return CompletableFuture.completedFuture(Optional.of(text.getStrictText()));
    }
    long max = settings.maxBodyBytes();
    return text.getStreamedText()
        .runFold(new StringBuilder(), (sb, part) -> sb.length() > max ? sb : sb.append(part), materializer)
        .thenApply(sb -> Optional.of(sb.toString()));
  }

  /** The answer frame to a client frame, or null when there is none (typing). */
  private CompletionStage<String> handle(String connId, Caller caller, Optional<String> frame) {
    long received = System.nanoTime();
    if (frame.isEmpty()) {
      return done(error(null, ApiException.badRequest("only text frames carrying JSON are accepted")));
    }
    String text = frame.get();
    if (text.length() > settings.maxBodyBytes()) {
      return done(error(null, ApiException.tooLarge("frame is larger than " + settings.maxBodyBytes() + " bytes")));
    }
    Body body;
    String type;
    try {
      body = Json.parse(text);
      type = body.requiredString("type");
    } catch (ApiException e) {
      return done(error(null, e));
    }
    String clientMessageId = clientMessageId(body);
    try {
      switch (type) {
        case "send":
          String chatId = body.requiredString("chatId");
          if (!Ids.isWellFormed(chatId)) {
            throw ApiException.notFound("chat not found");
          }
          SendMessageRequest req = SendMessageRequest.from(body);
          if (req.scheduleAt() != null) {
            throw ApiException.badRequest("scheduleAt: schedule posts over HTTP (POST /v1/chats/{chatId}/messages)");
          }
          return messaging
              .send(caller, chatId, req, Messaging.Transport.WS, received)
              .thenApply(
                  a ->
                      Json.write(
                          new SentFrame("sent", req.clientMessageId(), chatId, a.messageId(), a.pts(), Json.time(a.date()))))
              .exceptionally(failure -> error(clientMessageId, ApiErrors.toApiException(failure)));
        case "typing":
          String typingIn = body.requiredString("chatId");
          hub.tell(new UpdatesHub.Typing(connId, caller.userId(), typingIn));
          return done(null);
        case "ping":
          return done(Json.write(java.util.Map.of("type", "pong")));
        default:
          throw ApiException.badRequest("type must be one of: send, typing, ping");
      }
    } catch (RuntimeException e) {
      return done(error(clientMessageId, ApiErrors.toApiException(e)));
    }
  }

  /** The frame's clientMessageId when it has a well-typed one, so errors can name the send. */
  private static String clientMessageId(Body body) {
    try {
      return body.optionalString("clientMessageId");
    } catch (ApiException e) {
      return null;
    }
  }

  private static CompletionStage<String> done(String frame) {
    return CompletableFuture.completedFuture(frame);
  }

  /** The error frame of the socket protocol; {@code clientMessageId} may be null. */
  static String error(String clientMessageId, ApiException e) {
    return Json.write(
        new ErrorFrame(
            "error",
            clientMessageId,
            new ApiErrors.ErrorBody.Error(e.code(), e.getMessage(), e.reason(), e.retryAfterSeconds())));
  }
}
