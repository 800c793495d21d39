package org.herald.domain.common;

import java.util.regex.Pattern;

/** The limits of the client contract (API.md "Conventions"), checked in one place. */
public final class Limits {
  public static final int MAX_TEXT_LENGTH = 4096;
  public static final int MAX_DISPLAY_NAME_LENGTH = 64;
  public static final int MAX_DEVICE_NAME_LENGTH = 128;
  public static final int MAX_CLIENT_MESSAGE_ID_LENGTH = 128;
  public static final int MAX_HISTORY_PAGE = 100;
  public static final int DEFAULT_HISTORY_PAGE = 50;
  public static final int MAX_UPDATES_PAGE = 1000;
  public static final int DEFAULT_UPDATES_PAGE = 100;

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{4,31}");
  private static final Pattern PHONE = Pattern.compile("\\+?[0-9]{6,15}");

  private Limits() {}

  /** Length in Unicode code points, so 4,096 emoji are as acceptable as 4,096 letters. */
  public static int codePoints(String s) {
    return s.codePointCount(0, s.length());
  }

  public static boolean isValidUsername(String username) {
    return username != null && USERNAME.matcher(username).matches();
  }

  public static boolean isValidPhone(String phone) {
    return phone != null && PHONE.matcher(phone).matches();
  }

  /** Phones are stored as digits with a leading '+', so "+4915…" and "4915…" are one number. */
  public static String canonicalPhone(String phone) {
    return phone.startsWith("+") ? phone : "+" + phone;
  }

  /**
   * Message text rules: 1–4096 code points, and not only white space. Returns the rejection, or
   * {@code null} when the text is acceptable.
   */
  public static Rejection checkText(String text, String field) {
    if (text == null || text.isBlank()) {
      return Rejection.onField(ErrorCode.TEXT_EMPTY, field, field + " must not be empty");
    }
    if (codePoints(text) > MAX_TEXT_LENGTH) {
      return Rejection.onField(
          ErrorCode.TEXT_TOO_LONG,
          field,
          field + " must be at most " + MAX_TEXT_LENGTH + " characters");
    }
    return null;
  }

  /** A scheduled post is due at least this far ahead when scheduled (or rescheduled). */
  public static final java.time.Duration MIN_SCHEDULE_AHEAD = java.time.Duration.ofSeconds(10);

  /** … and at most this far. */
  public static final java.time.Duration MAX_SCHEDULE_AHEAD = java.time.Duration.ofDays(365);
}
