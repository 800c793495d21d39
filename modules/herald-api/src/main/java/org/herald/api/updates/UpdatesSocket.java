package org.herald.api.updates;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.InHandler;
import org.apache.pekko.stream.stage.OutHandler;
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
 * to its {@link SocketOutbox} (bounded; a client that falls too far behind is disconnected and
 * catches up by pts).
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
   * The socket's flow: one stage (see {@link SocketStage}). Nothing is registered with the hub
   * until the stage starts, that is, until the upgrade really happened; its stop, whichever side
   * ends the socket, unregisters.
   */
  public Flow<Message, Message, NotUsed> flow(Caller caller) {
    return Flow.fromGraph(new SocketStage(caller));
  }

  /**
   * The whole socket in one stream stage, because an idle socket's memory is mostly its stages
   * (pekko-http's own plus ours; docs/benchmarks.md): outgoing frames come from the socket's
   * {@link SocketOutbox}, which the hub fills; incoming frames are handled up to
   * {@code herald.api.socket.send-parallelism} at once and their replies ({@code sent},
   * {@code error}, {@code pong}) go out in the order their frames came in, through the same
   * outbox. The client closing its side closes the socket.
   */
  private final class SocketStage extends GraphStage<FlowShape<Message, Message>> {
    private final Inlet<Message> in = Inlet.create("UpdatesSocket.in");
    private final Outlet<Message> out = Outlet.create("UpdatesSocket.out");
    private final FlowShape<Message, Message> shape = FlowShape.of(in, out);
    private final Caller caller;

    SocketStage(Caller caller) {
      this.caller = caller;
    }

    @Override
    public FlowShape<Message, Message> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
      return new Logic();
    }

    /** A client frame being handled; its reply waits here until those before it are out. */
    private static final class Pending {
      private String reply;
      private boolean done;
    }

    private record Answered(Pending pending, String reply) {}

    private final class Logic extends GraphStageLogic implements InHandler, OutHandler {
      private final String connId = UUID.randomUUID().toString();
      private final SocketOutbox outbox = new SocketOutbox(settings.socketBufferSize());
      private final ArrayDeque<Pending> pending = new ArrayDeque<>();
      private AsyncCallback<Answered> answered;

      Logic() {
        super(shape);
        setHandler(in, this);
        setHandler(out, this);
      }

      @Override
      public void preStart() {
        answered = createAsyncCallback(this::onAnswered);
        AsyncCallback<NotUsed> wake = createAsyncCallback(n -> onWake());
        outbox.attach(() -> wake.invoke(NotUsed.getInstance()));
        hub.tell(new UpdatesHub.Connect(connId, caller.userId(), caller.sessionId(), outbox));
        pull(in);
      }

      @Override
      public void postStop() {
        outbox.detach();
        hub.tell(new UpdatesHub.Disconnect(connId));
      }

      @Override
      public void onPush() {
        Pending p = new Pending();
        pending.addLast(p);
        text(grab(in))
            .thenCompose(text -> handle(connId, caller, text))
            .whenComplete(
                (reply, failure) ->
                    answered.invoke(
                        new Answered(p, failure == null ? reply : error(null, ApiErrors.toApiException(failure)))));
        if (pending.size() < settings.socketSendParallelism()) {
          pull(in);
        }
      }

      @Override
      public void onUpstreamFinish() {
        completeStage();
      }

      @Override
      public void onPull() {
        pushNext();
      }

      private void onAnswered(Answered a) {
        a.pending().reply = a.reply();
        a.pending().done = true;
        while (!pending.isEmpty() && pending.peekFirst().done) {
          String reply = pending.pollFirst().reply;
          if (reply != null && !outbox.offerFromStage(reply)) {
            failStage(new IllegalStateException("client too slow, closing socket"));
            return;
          }
        }
        if (!isClosed(in) && !hasBeenPulled(in) && pending.size() < settings.socketSendParallelism()) {
          pull(in);
        }
        if (isAvailable(out)) {
          pushNext();
        }
      }

      private void onWake() {
        if (outbox.failure() != null) {
          failStage(outbox.failure());
        } else if (isAvailable(out)) {
          pushNext();
        }
      }

      /** Out has demand: the next frame, or the end the hub asked for, or wait to be woken. */
      private void pushNext() {
        Throwable failure = outbox.failure();
        if (failure != null) {
          failStage(failure);
          return;
        }
        String frame = outbox.poll();
        if (frame == null) {
          frame = outbox.idle();
        }
        if (frame != null) {
          push(out, TextMessage.create(frame));
        } else if (outbox.failure() != null) {
          failStage(outbox.failure());
        } else if (outbox.isCompleted()) {
          completeStage();
        }
      }
    }
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
