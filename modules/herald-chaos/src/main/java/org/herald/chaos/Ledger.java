package org.herald.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every acknowledgement clients received: the first answer that ended each send, and any later
 * answer to the same send (a socket's {@code sent} frame arriving after the client had given up
 * on it and retried). The checker holds each of them against the stored history.
 */
final class Ledger {
  /** A send the server acknowledged as {@code messageId} at {@code pts}. */
  record Ack(String chatId, String clientMessageId, String senderId, long messageId, long pts) {}

  private final List<Ack> acks = new ArrayList<>();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong late = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();

  /** The answer that ended a send. */
  synchronized void acked(Ack ack) {
    acks.add(ack);
    acked.incrementAndGet();
  }

  /** An answer to a send that had already ended (or been given up on for this attempt). */
  synchronized void late(Ack ack) {
    acks.add(ack);
    late.incrementAndGet();
  }

  /** A send still unanswered when the run stopped waiting for it. */
  void abandoned() {
    abandoned.incrementAndGet();
  }

  /** A send refused with a 4xx other than 429: retrying would not help, so it ended unacked. */
  void rejected() {
    rejected.incrementAndGet();
  }

  long ackedCount() {
    return acked.get();
  }

  long lateCount() {
    return late.get();
  }

  long abandonedCount() {
    return abandoned.get();
  }

  long rejectedCount() {
    return rejected.get();
  }

  synchronized List<Ack> all() {
    return new ArrayList<>(acks);
  }
}
