package org.herald.api.updates;

import java.util.ArrayDeque;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.impl.engine.server.UpgradeToOtherProtocolResponseHeader;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.InHandler;
import org.apache.pekko.stream.stage.OutHandler;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.herald.api.common.ApiErrors;
import org.herald.api.common.ApiException;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
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
  private final Authenticator authenticator;
  /**
   * {@code pekko.http.server.idle-timeout}, or null if infinite: a connection that has not sent
   * its request head by then is closed, as is a socket with pings turned off and no traffic.
   */
  private final Duration idleTimeout;

  public UpdatesSocket(
      ActorSystem<?> system, ActorRef<UpdatesHub.Command> hub, Messaging messaging, ApiSettings settings, Authenticator authenticator) {
    this.hub = hub;
    this.messaging = messaging;
    this.settings = settings;
    this.authenticator = authenticator;
    scala.concurrent.duration.Duration idle = ServerSettings.create(system.classicSystem()).getTimeouts().idleTimeout();
    this.idleTimeout = idle.isFinite() ? Duration.ofNanos(idle.toNanos()) : null;
  }

  /** Frames a client may send. */
  record SentFrame(String type, String clientMessageId, String chatId, long messageId, long pts, String date) {}

  record ErrorFrame(String type, String clientMessageId, ApiErrors.ErrorBody.Error error) {}

  /**
   * The 101 answer to a WebSocket upgrade whose connection, from then on, is one stream stage
   * ({@link SocketStage}) that frames the socket itself ({@link WebSocketFrames}). The request
   * was validated as an upgrade by pekko-http ({@code extractWebSocketUpgrade}). Nothing is
   * registered with the hub until the stage starts, that is, until the upgrade really happened;
   * its stop, whichever side ends the socket, unregisters.
   */
  public HttpResponse upgrade(Caller caller, String secWebSocketKey) {
    Flow<ByteString, ByteString, Object> socket =
        Flow.<ByteString>create().via(new ConnectionStage(caller, null)).mapMaterializedValue(m -> m);
    return HttpResponse.create()
        .withStatus(StatusCodes.SWITCHING_PROTOCOLS)
        .addHeader(HttpHeader.parse("Upgrade", "websocket"))
        .addHeader(HttpHeader.parse("Connection", "Upgrade"))
        .addHeader(HttpHeader.parse("Sec-WebSocket-Accept", WebSocketFrames.accept(secWebSocketKey)))
        // pekko-http's own hand-over of a connection to another protocol (its HTTP/2 upgrade
        // uses it too): the bytes after this response go to the socket's stage.
        .addHeader(new UpgradeToOtherProtocolResponseHeader(socket.asScala()));
  }

  /**
   * A connection of the public port, as it comes from TCP. A plain WebSocket upgrade to
   * {@code /v1/updates} ({@link UpgradeRequest}) whose token authenticates is answered here and
   * the connection becomes an updates socket in this same stage, with no HTTP pipeline under
   * it; every other connection, and an upgrade that does not authenticate, is handed with the
   * bytes read so far to {@code http} (pekko-http's server layer and the routes), which answers
   * it as if it had read them itself. {@code http} is only called then: pekko-http's layer
   * holds its parser from the start, about 8 KiB that an updates socket does not keep.
   */
  public Flow<ByteString, ByteString, NotUsed> connection(Supplier<Flow<ByteString, ByteString, NotUsed>> http) {
    return Flow.fromGraph(new ConnectionStage(null, http));
  }

  /**
   * A connection's stage: first (unless pekko-http upgraded it) the request head, then either
   * the socket or a pipe to pekko-http. The socket is the whole socket in one stream stage over
   * the connection's bytes, because an idle socket's
   * memory is mostly its stages (docs/benchmarks.md, "connections"): outgoing frames come from
   * the socket's {@link SocketOutbox}, which the hub fills with frames encoded once for all their
   * sockets; incoming frames are parsed here, {@code send}s handled up to
   * {@code herald.api.socket.send-parallelism} at once, and their replies ({@code sent},
   * {@code error}, {@code pong}) go out in the order their frames came in, through the same
   * outbox. Pings are answered at once; an idle socket is pinged every
   * {@code herald.api.socket.keep-alive}. A close from the client is answered with a close;
   * the hub completing the outbox (the session ended, the node is stopping) sends what waits,
   * then a normal close (1000).
   */
  private final class ConnectionStage extends GraphStage<FlowShape<ByteString, ByteString>> {
    private final Inlet<ByteString> in = Inlet.create("UpdatesSocket.in");
    private final Outlet<ByteString> out = Outlet.create("UpdatesSocket.out");
    private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
    /** Set when pekko-http upgraded the connection: the stage is the socket from the start. */
    private final Caller upgraded;
    /** Where a connection that is not an updates socket goes; null when {@code upgraded}. */
    private final Supplier<Flow<ByteString, ByteString, NotUsed>> http;

    ConnectionStage(Caller upgraded, Supplier<Flow<ByteString, ByteString, NotUsed>> http) {
      this.upgraded = upgraded;
      this.http = http;
    }

    @Override
    public FlowShape<ByteString, ByteString> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
      return new Logic();
    }

    /** A client message being handled; its reply waits here until those before it are out. */
    private static final class Pending {
      private ByteString reply;
      private boolean done;
    }

    private record Answered(Pending pending, ByteString reply) {}

    private enum Phase {
      /** Reading the request head. */
      HEAD,
      /** A plain upgrade read; its token is being checked. */
      AUTHENTICATING,
      /** An updates socket. */
      SOCKET,
      /** A pipe to pekko-http. */
      HTTP
    }

    private final class Logic extends TimerGraphStageLogic implements InHandler, OutHandler {
      /** Frames written in one push at most, so a burst is one TCP write, not hundreds. */
      private static final int MAX_BATCH_BYTES = 32 * 1024;

      private static final String HEAD_TIMER = "head";
      private static final String KEEP_ALIVE_TIMER = "keep-alive";
      private static final String IDLE_TIMER = "idle";

      private Phase phase;
      /** HEAD and AUTHENTICATING: every byte read so far, which pekko-http gets if it takes over. */
      private ByteString read = ByteString.emptyByteString();

      // The socket's, from startSocket on.
      private Caller caller;
      private String connId;
      private SocketOutbox outbox;
      private ArrayDeque<Pending> pending;
      private WebSocketFrames.Parser parser;
      private AsyncCallback<Answered> answered;
      private boolean wroteSinceTick;
      private boolean readSinceTick;
      /** Set once a close frame is queued: nothing follows it. */
      private boolean closing;

      // The pipe's, from toHttp on.
      private SubSinkInlet<ByteString> fromHttp;
      private SubSourceOutlet<ByteString> toHttp;
      /** Bytes read before the pipe existed, for pekko-http's first pull. */
      private ByteString unsent;
      private boolean inFinished;

      Logic() {
        super(shape);
        setHandler(in, this);
        setHandler(out, this);
      }

      @Override
      public void preStart() {
        if (upgraded != null) {
          startSocket(upgraded, null, ByteString.emptyByteString());
        } else {
          phase = Phase.HEAD;
          if (idleTimeout != null) {
            scheduleOnce(HEAD_TIMER, idleTimeout);
          }
          pull(in);
        }
      }

      @Override
      public void postStop() {
        if (outbox != null) {
          outbox.detach();
          hub.tell(new UpdatesHub.Disconnect(connId));
        }
      }

      @Override
      public void onPush() {
        switch (phase) {
          case SOCKET -> onFrames(grab(in));
          case HTTP -> toHttp.push(grab(in));
          case HEAD -> onHead(grab(in));
          case AUTHENTICATING -> throw new IllegalStateException("not pulled while authenticating");
        }
      }

      private void onHead(ByteString bytes) {
        read = read.concat(bytes);
        switch (UpgradeRequest.verdict(read)) {
          case HTTP -> startHttp();
          case MORE -> pull(in);
          case COMPLETE -> {
            int length = UpgradeRequest.headLength(read);
            UpgradeRequest request = UpgradeRequest.parse(read.take(length));
            if (request == null) {
              startHttp();
              return;
            }
            phase = Phase.AUTHENTICATING;
            AsyncCallback<Caller> authenticated =
                createAsyncCallback(c -> {
                  if (c == null) {
                    startHttp(); // pekko-http's route answers it: 401, 503, whatever it is
                  } else {
                    startSocket(c, request.accepted(), read.drop(length));
                  }
                });
            authenticator.authenticate(request.token).whenComplete((c, failure) -> authenticated.invoke(c));
          }
        }
      }

      /** The connection is pekko-http's from here: everything read so far, then the rest. */
      private void startHttp() {
        cancelTimer(HEAD_TIMER); // pekko-http's idle timeout takes over
        phase = Phase.HTTP;
        unsent = read;
        read = null;
        fromHttp = new SubSinkInlet<>("UpdatesSocket.fromHttp");
        toHttp = new SubSourceOutlet<>("UpdatesSocket.toHttp");
        fromHttp.setHandler(
            new InHandler() {
              @Override
              public void onPush() {
                push(out, fromHttp.grab());
              }

              @Override
              public void onUpstreamFinish() {
                completeStage();
              }

              @Override
              public void onUpstreamFailure(Throwable ex) {
                failStage(ex);
              }
            });
        toHttp.setHandler(
            new OutHandler() {
              @Override
              public void onPull() {
                if (unsent != null) {
                  ByteString first = unsent;
                  unsent = null;
                  toHttp.push(first);
                  if (inFinished) {
                    toHttp.complete();
                  }
                } else if (!hasBeenPulled(in) && !isClosed(in)) {
                  pull(in);
                }
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                // pekko-http reads no more; what it still writes goes out.
                if (!isClosed(in)) {
                  cancel(in);
                }
              }
            });
        Source.fromGraph(toHttp.source()).via(http.get()).runWith(fromHttp.sink(), subFusingMaterializer());
        if (isAvailable(out)) {
          fromHttp.pull();
        }
      }

      /** The connection is an updates socket from here, answered with {@code accept} if not yet. */
      private void startSocket(Caller caller, ByteString accept, ByteString early) {
        cancelTimer(HEAD_TIMER);
        phase = Phase.SOCKET;
        read = null;
        this.caller = caller;
        connId = UUID.randomUUID().toString();
        outbox = new SocketOutbox(settings.socketBufferSize());
        pending = new ArrayDeque<>();
        parser = new WebSocketFrames.Parser(settings.maxBodyBytes());
        answered = createAsyncCallback(this::onAnswered);
        if (accept != null) {
          outbox.offerFromStage(accept); // first: before anything the hub offers
        }
        AsyncCallback<NotUsed> wake = createAsyncCallback(n -> onWake());
        outbox.attach(() -> wake.invoke(NotUsed.getInstance()));
        hub.tell(new UpdatesHub.Connect(connId, caller.userId(), caller.sessionId(), outbox));
        Duration keepAlive = settings.socketKeepAlive();
        if (!keepAlive.isZero()) {
          scheduleWithFixedDelay(KEEP_ALIVE_TIMER, keepAlive, keepAlive);
        } else if (idleTimeout != null) {
          // No pings to keep it busy: a socket silent both ways for an idle timeout is closed.
          scheduleWithFixedDelay(IDLE_TIMER, idleTimeout, idleTimeout);
        }
        if (isAvailable(out)) {
          pushNext();
        }
        if (early.isEmpty()) {
          pull(in);
        } else {
          onFrames(early);
        }
      }

      @Override
      public void onTimer(Object key) {
        if (key == HEAD_TIMER) {
          completeStage(); // no request within the idle timeout
        } else if (key == IDLE_TIMER) {
          if (!wroteSinceTick && !readSinceTick) {
            completeStage();
          }
          wroteSinceTick = false;
          readSinceTick = false;
        } else {
          if (!wroteSinceTick && !closing) {
            reply(WebSocketFrames.ping());
          }
          wroteSinceTick = false;
        }
      }

      private void onFrames(ByteString bytes) {
        readSinceTick = true;
        for (WebSocketFrames.Event event : parser.feed(bytes)) {
          if (event instanceof WebSocketFrames.Text t) {
            Pending p = new Pending();
            pending.addLast(p);
            handle(connId, caller, t.text())
                .whenComplete(
                    (reply, failure) ->
                        answered.invoke(
                            new Answered(
                                p,
                                reply == null && failure == null
                                    ? null
                                    : WebSocketFrames.text(failure == null ? reply : error(null, ApiErrors.toApiException(failure))))));
          } else if (event instanceof WebSocketFrames.Binary) {
            answer(error(null, ApiException.badRequest("only text frames carrying JSON are accepted")));
          } else if (event instanceof WebSocketFrames.TooLarge large) {
            answer(error(null, ApiException.tooLarge("frame is larger than " + large.limit() + " bytes")));
          } else if (event instanceof WebSocketFrames.Ping ping) {
            reply(WebSocketFrames.pong(ping.payload()));
          } else if (event instanceof WebSocketFrames.Close close) {
            // Answer with the same code (RFC 6455 5.5.1); 1005 and 1006 are never sent.
            int code = close.code() == 1005 || close.code() == 1006 ? WebSocketFrames.NORMAL_CLOSURE : close.code();
            closeNow(WebSocketFrames.close(code, ""));
            return;
          } else if (event instanceof WebSocketFrames.Violation v) {
            closeNow(WebSocketFrames.close(v.code(), v.reason()));
            return;
          }
        }
        if (!closing && !isClosed(in) && !hasBeenPulled(in) && pending.size() < settings.socketSendParallelism()) {
          pull(in);
        }
      }

      @Override
      public void onUpstreamFinish() {
        if (phase != Phase.HTTP) {
          completeStage();
        } else if (unsent != null) {
          inFinished = true; // completed after pekko-http takes what was read
        } else {
          toHttp.complete(); // it answers what it has, then ends the connection
        }
      }

      @Override
      public void onUpstreamFailure(Throwable ex) {
        if (phase == Phase.HTTP) {
          toHttp.fail(ex);
        } else {
          failStage(ex);
        }
      }

      @Override
      public void onPull() {
        if (phase == Phase.SOCKET) {
          pushNext();
        } else if (phase == Phase.HTTP && !fromHttp.hasBeenPulled() && !fromHttp.isClosed()) {
          fromHttp.pull();
        }
      }

      @Override
      public void onDownstreamFinish(Throwable cause) {
        if (phase == Phase.HTTP && !fromHttp.isClosed()) {
          fromHttp.cancel(cause);
        }
        cancelStage(cause);
      }

      /** A reply that needs no handling, in its place among the replies still pending. */
      private void answer(String frame) {
        Pending p = new Pending();
        p.reply = WebSocketFrames.text(frame);
        p.done = true;
        pending.addLast(p);
        drainReplies();
      }

      private void onAnswered(Answered a) {
        a.pending().reply = a.reply();
        a.pending().done = true;
        drainReplies();
        if (!closing && !isClosed(in) && !hasBeenPulled(in) && pending.size() < settings.socketSendParallelism()) {
          pull(in);
        }
      }

      private void drainReplies() {
        while (!pending.isEmpty() && pending.peekFirst().done) {
          ByteString reply = pending.pollFirst().reply;
          if (reply != null && !closing) {
            reply(reply);
          }
        }
      }

      /** A frame of the socket's own, after whatever the outbox holds. */
      private void reply(ByteString frame) {
        if (!outbox.offerFromStage(frame)) {
          failStage(new IllegalStateException("client too slow, closing socket"));
        } else if (isAvailable(out)) {
          pushNext();
        }
      }

      /** The client closed or broke the protocol: what waits is dropped, the close goes out, done. */
      private void closeNow(ByteString closeFrame) {
        closing = true;
        outbox.discard();
        emit(out, closeFrame, this::completeStage);
      }

      private void onWake() {
        if (outbox.failure() != null) {
          failStage(outbox.failure());
        } else if (isAvailable(out)) {
          pushNext();
        }
      }

      /** Out has demand: the frames waiting (one write), or the end the hub asked for, or wait. */
      private void pushNext() {
        Throwable failure = outbox.failure();
        if (failure != null) {
          failStage(failure);
          return;
        }
        ByteString frames = outbox.poll();
        if (frames == null) {
          frames = outbox.idle();
        }
        if (frames == null) {
          if (outbox.failure() != null) {
            failStage(outbox.failure());
          } else if (outbox.isCompleted() && !closing) {
            closing = true;
            push(out, WebSocketFrames.close(WebSocketFrames.NORMAL_CLOSURE, ""));
            completeStage();
          }
          return;
        }
        ByteString next;
        while (frames.size() < MAX_BATCH_BYTES && (next = outbox.poll()) != null) {
          frames = frames.concat(next);
        }
        wroteSinceTick = true;
        push(out, frames);
      }
    }
  }

  /** The answer to a client's text message, or null when there is none (typing). */
  private CompletionStage<String> handle(String connId, Caller caller, String text) {
    long received = System.nanoTime();
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
