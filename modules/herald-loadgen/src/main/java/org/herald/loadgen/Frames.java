package org.herald.loadgen;

/**
 * Reads the few fields a bench needs out of a server frame without building a JSON tree: a scan
 * for {@code "key":}. Herald's frames are flat where it matters ({@code type}, {@code
 * clientMessageId} at the top; {@code senderId} and {@code text} once, in {@code message}), and
 * the bench's own texts and ids hold no escapes.
 */
final class Frames {
  private Frames() {}

  /** The string value of the first {@code "key"}, or null when absent or not a string. */
  static String string(String frame, String key) {
    int at = valueStart(frame, key);
    if (at < 0 || at >= frame.length() || frame.charAt(at) != '"') {
      return null;
    }
    int end = frame.indexOf('"', at + 1);
    return end < 0 ? null : frame.substring(at + 1, end);
  }

  /** Whether the first {@code "key"} holds exactly the string {@code value}. */
  static boolean is(String frame, String key, String value) {
    int at = valueStart(frame, key);
    return at >= 0
        && frame.startsWith(value, at + 1)
        && frame.charAt(at) == '"'
        && at + 1 + value.length() < frame.length()
        && frame.charAt(at + 1 + value.length()) == '"';
  }

  /** The number after {@code prefix} inside the first {@code "key"}'s string, or -1. */
  static long numberAfter(String frame, String key, String prefix) {
    int at = valueStart(frame, key);
    if (at < 0 || frame.charAt(at) != '"' || !frame.startsWith(prefix, at + 1)) {
      return -1;
    }
    return digits(frame, at + 1 + prefix.length());
  }

  /** The digits starting at {@code from} as a number, or -1 when there are none. */
  static long digits(String s, int from) {
    long n = 0;
    int i = from;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      n = n * 10 + (s.charAt(i) - '0');
      i++;
    }
    return i == from ? -1 : n;
  }

  private static int valueStart(String frame, String key) {
    int k = frame.indexOf("\"" + key + "\"");
    if (k < 0) {
      return -1;
    }
    int i = k + key.length() + 2;
    while (i < frame.length() && (frame.charAt(i) == ' ' || frame.charAt(i) == ':')) {
      i++;
    }
    return i;
  }
}
