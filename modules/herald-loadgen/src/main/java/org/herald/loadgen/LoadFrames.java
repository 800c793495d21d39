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

  /**
   * Records a frame of a load socket in {@code m}: an ack or a delivery (to anyone but its
   * sender) with its latency from the send time the frame carries, an error as an error. Returns
   * the frame's kind, so that a closed loop can send its next message on an ack or an error.
   */
  static Kind record(Measurement m, String userId, String frame, long now) {
    Kind kind = kind(frame);
    switch (kind) {
      case ACK -> {
        long t = ackSendNanos(frame);
        if (t > 0) {
          m.ack(t, now);
        }
      }
      case DELIVERY -> {
        if (!sentBy(frame, userId)) {
          long t = deliverySendNanos(frame);
          if (t > 0) {
            m.delivered(t, now);
          }
        }
      }
      case ERROR -> m.error(Frames.string(frame, "code"));
      case OTHER -> { }
    }
    return kind;
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
