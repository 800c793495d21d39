package org.herald.loadgen;

/**
 * The frames of the load scenarios. A send carries its send time (System.nanoTime of this JVM:
 * the actual send in a closed loop, the scheduled one in an open loop) in its clientMessageId,
 * which the {@code sent} ack repeats, and in its text, which the peer's {@code message.new}
 * carries: both latencies come out of the frame itself, with no table of messages in flight.
 */
final class LoadFrames {
  static final String ID_PREFIX = "b";
  static final String TEXT_PREFIX = "bench ";

  private LoadFrames() {}

  static String send(String chatId, long sendNanos, long seq) {
    return "{\"type\":\"send\",\"chatId\":\"" + chatId + "\",\"clientMessageId\":\"" + ID_PREFIX + sendNanos + "-" + seq
        + "\",\"text\":\"" + TEXT_PREFIX + sendNanos + "\"}";
  }

  /** What a frame means to a load scenario. */
  enum Kind {
    ACK,
    DELIVERY,
    ERROR,
    OTHER
  }

  static Kind kind(String frame) {
    if (Frames.is(frame, "type", "sent")) {
      return Kind.ACK;
    }
    if (Frames.is(frame, "type", "message.new")) {
      return Kind.DELIVERY;
    }
    if (Frames.is(frame, "type", "error")) {
      return Kind.ERROR;
    }
    return Kind.OTHER;
  }

  /** The send time in an ack's clientMessageId, or -1. */
  static long ackSendNanos(String frame) {
    return Frames.numberAfter(frame, "clientMessageId", ID_PREFIX);
  }

  /** The send time in a delivered message's text, or -1 (not a bench message). */
  static long deliverySendNanos(String frame) {
    return Frames.numberAfter(frame, "text", TEXT_PREFIX);
  }

  /** Whether a delivered message was sent by {@code userId} (its own echo, not a delivery). */
  static boolean sentBy(String frame, String userId) {
    return Frames.is(frame, "senderId", userId);
  }
}
