package org.herald.loadgen;

import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One user's {@code GET /v1/updates} socket. Frames go to the handler on the client's thread
 * that read them (no hand-off); {@link #ready()} completes with the server's {@code ready}
 * frame, from which on every message reaches the socket. {@link #send} queues: the JDK socket
 * takes one send at a time, and a closed-loop user sends from inside a frame callback.
 */
public final class UpdatesConnection implements WebSocket.Listener {
  /** Receives each complete text frame of one connection, in order, never concurrently. */
  @FunctionalInterface
  public interface FrameHandler {
    void onFrame(UpdatesConnection connection, String frame);
  }

  private final BenchUser user;
  private final FrameHandler handler;
  private final CompletableFuture<UpdatesConnection> ready = new CompletableFuture<>();
  private final ConcurrentLinkedQueue<String> outbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sending = new AtomicBoolean();
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket socket;
  private volatile boolean closed;
  private volatile Throwable failure;

  UpdatesConnection(BenchUser user, FrameHandler handler) {
    this.user = user;
    this.handler = handler;
  }

  public BenchUser user() {
    return user;
  }

  public CompletableFuture<UpdatesConnection> ready() {
    return ready;
  }

  public boolean closed() {
    return closed;
  }

  /** Why the socket failed or closed, or null. */
  public Throwable failure() {
    return failure;
  }

  /** Queues one text frame; frames leave in the order given. */
  public void send(String text) {
    outbox.add(text);
    pump();
  }

  private void pump() {
    while (sending.compareAndSet(false, true)) {
      String next = outbox.poll();
      WebSocket ws = socket;
      if (next == null || ws == null || closed) {
        sending.set(false);
        if (outbox.isEmpty() || closed) {
          return;
        }
        continue;
      }
      CompletableFuture<WebSocket> sent = ws.sendText(next, true);
      if (sent.isDone()) {
        // Written at once: go on in this loop rather than recursing through the callback.
        sending.set(false);
        if (sent.isCompletedExceptionally()) {
          sent.exceptionally(this::failed);
        }
        continue;
      }
      sent.whenComplete((w, e) -> {
        if (e != null) {
          failed(e);
        }
        sending.set(false);
        pump();
      });
      return;
    }
  }

  private WebSocket failed(Throwable e) {
    failure = e;
    closed = true;
    ready.completeExceptionally(e);
    return null;
  }

  public void close() {
    WebSocket ws = socket;
    closed = true;
    if (ws != null) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done").exceptionally(e -> null);
      ws.abort();
    }
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    socket = webSocket;
    // Unbounded demand: a bench reads as fast as frames come.
    webSocket.request(Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    String frame;
    if (!last) {
      partial.append(data);
      return null;
    } else if (partial.length() > 0) {
      frame = partial.append(data).toString();
      partial.setLength(0);
    } else {
      frame = data.toString();
    }
    if (!ready.isDone() && Frames.is(frame, "type", "ready")) {
      ready.complete(this);
      return null;
    }
    handler.onFrame(this, frame);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed = true;
    if (failure == null) {
      failure = new IllegalStateException("closed by the server: " + statusCode + " " + reason);
    }
    ready.completeExceptionally(failure);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    failed(error);
  }
}
