package org.herald.domain.common;

import java.security.SecureRandom;

/**
 * Opaque identifiers. User, session and chat ids are random, lower-case base32 strings with a
 * one-letter kind prefix ({@code u}, {@code s}, {@code g}, {@code c}); they contain no
 * separator, so a direct chat's id can be derived from its two members (see {@code ChatIds}).
 */
public final class Ids {
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** 80 random bits: collisions are not a practical concern at any user count. */
  public static String newUserId() {
    return "u" + random(16);
  }

  public static String newSessionId() {
    return "s" + random(16);
  }

  public static String random(int chars) {
    char[] out = new char[chars];
    for (int i = 0; i < chars; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(out);
  }

  /** True when {@code id} looks like an id of ours: bounded length, our alphabet only. */
  public static boolean isWellFormed(String id) {
    if (id == null || id.isEmpty() || id.length() > 80) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
