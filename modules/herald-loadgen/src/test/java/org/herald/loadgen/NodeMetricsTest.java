package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NodeMetricsTest {
  private static NodeMetrics scrape(double le1ms, double le2ms, double le4ms, double inf, double okCount) {
    return NodeMetrics.parse(String.join("\n",
        "# HELP herald_journal_write_duration_seconds Time to commit",
        "# TYPE herald_journal_write_duration_seconds histogram",
        "herald_journal_write_duration_seconds_bucket{outcome=\"ok\",le=\"0.001\"} " + le1ms,
        "herald_journal_write_duration_seconds_bucket{outcome=\"ok\",le=\"0.002\"} " + le2ms,
        "herald_journal_write_duration_seconds_bucket{outcome=\"ok\",le=\"0.004\"} " + le4ms,
        "herald_journal_write_duration_seconds_bucket{outcome=\"ok\",le=\"+Inf\"} " + inf,
        "herald_journal_write_duration_seconds_count{outcome=\"ok\"} " + okCount,
        "herald_journal_write_duration_seconds_bucket{outcome=\"failed\",le=\"0.001\"} 50",
        "herald_journal_write_duration_seconds_bucket{outcome=\"failed\",le=\"+Inf\"} 50",
        "herald_journal_write_duration_seconds_count{outcome=\"failed\"} 50",
        ""));
  }

  @Test
  void quantilesCountOnlyWhatWasRecordedBetweenTwoScrapesInterpolatedWithinTheBucket() {
    NodeMetrics before = scrape(100, 100, 100, 100, 100);
    // Since then: 40 under 1 ms, 40 in (1, 2] ms, 20 in (2, 4] ms, none above.
    NodeMetrics after = scrape(140, 180, 200, 200, 200);
    String h = "herald_journal_write_duration_seconds";
    assertEquals(100, after.countSince(before, h, "outcome", "ok"));
    // The median is the 50th of 100: the 10th of the 40 in (1, 2] ms; the 99th, the 19th of the 20 in (2, 4] ms.
    assertEquals(1.25, after.quantileSinceMs(before, h, "outcome", "ok", 0.5), 1e-9);
    assertEquals(0.5, after.quantileSinceMs(before, h, "outcome", "ok", 0.2), 1e-9);
    assertEquals(3.9, after.quantileSinceMs(before, h, "outcome", "ok", 0.99), 1e-9);
    assertEquals(0, after.countSince(before, h, "outcome", "failed"), "the other label's samples are not mixed in");
  }

  @Test
  void aRankAboveTheLastFiniteBoundIsThatBoundAndNothingRecordedIsNaN() {
    NodeMetrics before = scrape(0, 0, 0, 0, 0);
    NodeMetrics after = scrape(0, 0, 90, 100, 100);
    String h = "herald_journal_write_duration_seconds";
    assertEquals(4.0, after.quantileSinceMs(before, h, "outcome", "ok", 0.99), 1e-9);
    assertTrue(Double.isNaN(after.quantileSinceMs(after, h, "outcome", "ok", 0.5)));
    assertTrue(Double.isNaN(after.quantileSinceMs(before, "herald_no_such_histogram", "outcome", "ok", 0.5)));
  }
}
