package org.herald.loadgen;

/**
 * An open loop's fixed timetable: message {@code k} (0, 1, …) is due at {@code start + k/rate}
 * and goes from user {@code k mod users}, so each user sends every {@code users/rate} seconds.
 * Latency is measured from {@link #intendedNanos}, never from when the message actually left: a
 * sender that fell behind (a stalled server, a GC pause) sends the overdue messages at once, and
 * their wait counts in their latency (no coordinated omission).
 */
final class Schedule {
  private final long startNanos;
  private final double nanosPerMessage;
  private final int users;

  Schedule(long startNanos, double ratePerSecond, int users) {
    this.startNanos = startNanos;
    this.nanosPerMessage = 1e9 / ratePerSecond;
    this.users = users;
  }

  long intendedNanos(long k) {
    return startNanos + (long) (k * nanosPerMessage);
  }

  int userOf(long k) {
    return (int) (k % users);
  }

  /** How many messages are due by {@code nowNanos}: those numbered below the answer. */
  long dueBy(long nowNanos) {
    if (nowNanos < startNanos) {
      return 0;
    }
    return (long) Math.floor((nowNanos - startNanos) / nanosPerMessage) + 1;
  }
}
