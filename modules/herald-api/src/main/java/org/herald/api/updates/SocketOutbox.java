package org.herald.api.updates;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.util.ByteString;

/**
 * The frames waiting to be written to one updates socket, encoded ({@link WebSocketFrames}; one
 * update's frame is the same bytes for every socket that gets it): a bounded, lock-free queue that any
 * thread may offer to (the node's {@link UpdatesHub}, the socket's own send replies) and that
 * only the socket's stream stage ({@link UpdatesSocket}) takes from. Offering never blocks and
 * never wakes the stage unless it is idle waiting for a frame, so a burst costs one wake-up, not
 * one per frame. A frame that does not fit means the client is too slow: the offer says so and
 * the caller fails the socket (the client reconnects and catches up by {@code pts}).
 */
public final class SocketOutbox {
  /** What the stage is told from other threads. */
  interface Wakeup {
    /** A frame was offered, or the outbox was completed or failed, while the stage was idle. */
    void wake();
  }

  private final int capacity;
  private final Queue<ByteString> frames = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  /** Set by the stage when it has demand and found nothing; whoever clears it wakes the stage. */
  private final AtomicBoolean idle = new AtomicBoolean();
  private volatile Wakeup wakeup;
  private volatile boolean completed;
  private volatile Throwable failure;

  SocketOutbox(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Queues a frame. Returns false when the socket already holds {@code capacity} unsent frames
   * (the caller should {@link #fail} it) or has been completed or failed (the frame is dropped:
   * the socket is closing).
   */
  public boolean offer(ByteString frame) {
    if (completed || failure != null) {
      return false;
    }
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      return false;
    }
    frames.add(frame);
    wakeIfIdle();
    return true;
  }

  /** The socket closes normally once every queued frame is written. */
  public void complete() {
    completed = true;
    wakeIfIdle();
  }

  /**
   * The socket closes now with {@code cause}; queued frames are dropped. The stage is woken even
   * when it is busy: a client too slow to read would otherwise keep it busy for ever.
   */
  public void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
    idle.set(false);
    Wakeup w = wakeup;
    if (w != null) {
      w.wake();
    }
  }

  // --- the stage's side: one thread at a time ---

  void attach(Wakeup wakeup) {
    this.wakeup = wakeup;
  }

  /** The stage stopped: later offers are refused, and nothing wakes it any more. */
  void detach() {
    wakeup = null;
    completed = true;
  }

  /** The socket is closing at once (the client closed it): refuse more, drop what waits. */
  void discard() {
    completed = true;
    while (poll() != null) {
      // dropped: the client will not read them
    }
  }

  /** Queues a frame of the socket's own (a reply), from the stage: no wake-up, the stage pushes it. */
  boolean offerFromStage(ByteString frame) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      return false;
    }
    frames.add(frame);
    return true;
  }

  /** The next frame, or null; after null the stage calls {@link #idle()}. */
  ByteString poll() {
    ByteString frame = frames.poll();
    if (frame != null) {
      size.decrementAndGet();
    }
    return frame;
  }

  /**
   * The stage has demand and found nothing: the next {@link #offer}, {@link #complete} or
   * {@link #fail} wakes it. Returns whatever arrived in between (the caller pushes it), so no
   * frame can slip past the flag unseen.
   */
  ByteString idle() {
    idle.set(true);
    ByteString frame = poll();
    if (frame != null) {
      idle.set(false);
    }
    return frame;
  }

  boolean isCompleted() {
    return completed;
  }

  Throwable failure() {
    return failure;
  }

  private void wakeIfIdle() {
    Wakeup w = wakeup;
    if (w != null && idle.compareAndSet(true, false)) {
      w.wake();
    }
  }
}
