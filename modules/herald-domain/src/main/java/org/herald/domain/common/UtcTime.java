package org.herald.domain.common;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Instants in UTC, on paths that run for every message. On JDK 17 anything that takes an
 * instant to a zone ({@code OffsetDateTime.ofInstant}, {@code LocalDate.ofInstant}, a {@code
 * DateTimeFormatter} with a zone) asks {@code ZoneOffset.UTC.getRules()}, which builds a new
 * {@code ZoneRules} with its own {@code ConcurrentHashMap} every time; formatting also goes
 * through {@code BigDecimal} for the fraction. These give the same results from arithmetic on
 * the epoch second (docs/benchmarks.md, "Allocation per message").
 */
public final class UtcTime {
  /** The wire's time format: ISO-8601, UTC, milliseconds ({@code 2026-12-07T08:15:30.123Z}). */
  public static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z: years with four digits, no sign. */
  private static final long FOUR_DIGIT_YEARS_FROM = -62_135_596_800L;
  private static final long FOUR_DIGIT_YEARS_UNTIL = 253_402_300_800L;
  private static final int SECONDS_PER_DAY = 86_400;

  private UtcTime() {}

  /** As {@link #ISO_MILLIS} formats it (the fraction truncated to milliseconds). */
  public static String isoMillis(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < FOUR_DIGIT_YEARS_FROM || seconds >= FOUR_DIGIT_YEARS_UNTIL) {
      return ISO_MILLIS.format(instant); // a sign or a fifth digit: rare enough for the general path
    }
    LocalDate date = day(instant);
    int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    byte[] out = new byte[24];
    digits(out, 0, date.getYear(), 4);
    out[4] = '-';
    digits(out, 5, date.getMonthValue(), 2);
    out[7] = '-';
    digits(out, 8, date.getDayOfMonth(), 2);
    out[10] = 'T';
    digits(out, 11, secondOfDay / 3600, 2);
    out[13] = ':';
    digits(out, 14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    digits(out, 17, secondOfDay % 60, 2);
    out[19] = '.';
    digits(out, 20, instant.getNano() / 1_000_000, 3);
    out[23] = 'Z';
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** The instant at offset zero, as a JDBC {@code timestamptz} parameter wants it. */
  public static OffsetDateTime offsetDateTime(Instant instant) {
    return OffsetDateTime.of(
        LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC), ZoneOffset.UTC);
  }

  /** The UTC day the instant falls on. */
  public static LocalDate day(Instant instant) {
    return LocalDate.ofEpochDay(Math.floorDiv(instant.getEpochSecond(), SECONDS_PER_DAY));
  }

  private static void digits(byte[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }
}
