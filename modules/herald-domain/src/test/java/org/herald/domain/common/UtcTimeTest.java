package org.herald.domain.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The arithmetic gives exactly what the JDK's zone-based conversions give. */
class UtcTimeTest {
  private static List<Instant> instants() {
    List<Instant> all = new ArrayList<>(List.of(
        Instant.EPOCH,
        Instant.ofEpochSecond(-1, 999_999_999),
        Instant.parse("2026-12-07T08:15:30.123456789Z"),
        Instant.parse("2024-02-29T23:59:59.999Z"),
        Instant.parse("1969-12-31T23:59:59.000999Z"),
        Instant.parse("0001-01-01T00:00:00Z"),
        Instant.parse("0001-01-01T00:00:00Z").minusNanos(1),
        Instant.parse("9999-12-31T23:59:59.999999999Z"),
        Instant.parse("9999-12-31T23:59:59.999999999Z").plusNanos(1),
        Instant.MIN,
        Instant.MAX));
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 20_000; i++) {
      // mostly around now, some anywhere an Instant can be
      long seconds = i % 4 == 0
          ? random.nextLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond())
          : random.nextLong(-5_000_000_000L, 5_000_000_000L);
      all.add(Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000)));
    }
    return all;
  }

  @Test
  void formatsAsTheWireFormatterDoes() {
    for (Instant t : instants()) {
      assertEquals(outcome(() -> UtcTime.ISO_MILLIS.format(t)), outcome(() -> UtcTime.isoMillis(t)), t::toString);
    }
  }

  /** The result, or the exception's class for an instant the formatter cannot take (Instant.MIN). */
  private static Object outcome(Supplier<String> format) {
    try {
      return format.get();
    } catch (RuntimeException e) {
      return e.getClass();
    }
  }

  @Test
  void offsetDateTimeAndDayAreTheZoneBasedOnes() {
    for (Instant t : instants()) {
      if (t.getEpochSecond() > OffsetDateTime.MIN.toEpochSecond() && t.getEpochSecond() < OffsetDateTime.MAX.toEpochSecond()) {
        assertEquals(OffsetDateTime.ofInstant(t, ZoneOffset.UTC), UtcTime.offsetDateTime(t), t::toString);
        assertEquals(LocalDate.ofInstant(t, ZoneOffset.UTC), UtcTime.day(t), t::toString);
      }
    }
  }
}
