package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JitWatchTest {
  private static final long SECOND = 1_000_000_000L;

  static NodeMetrics compiled(double ms) {
    return NodeMetrics.parse("# TYPE jvm_compilation_time_ms_total counter\n"
        + "jvm_compilation_time_ms_total{compiler=\"HotSpot 64-Bit Tiered Compilers\"} " + ms + "\n");
  }

  @Test
  void settlesOnlyOnceAWholeWindowShowsTheCompilersAlmostIdle() {
    JitWatch watch = new JitWatch(10);
    double ms = 0;
    for (int s = 0; s <= 30; s++) {
      ms += s < 15 ? 250 : 20; // a quarter of a core for 15 s, then 2 %
      watch.add(s * SECOND, compiled(ms));
      if (s < 23) {
        // at 23 the window (13, 23] holds one busy second and nine quiet ones: 4.3 %
        assertFalse(watch.settled(), "second " + s + ": the window's share is " + watch.share());
      }
    }
    assertTrue(watch.settled(), "ten quiet seconds");
    assertEquals(0.02, watch.share(), 1e-9);
  }

  @Test
  void aQuietStartIsNotSettledBeforeTheWindowIsSpanned() {
    JitWatch watch = new JitWatch(10);
    for (int s = 0; s < 9; s++) {
      watch.add(s * SECOND, compiled(1000));
      assertFalse(watch.settled(), "only " + s + " s seen");
    }
    watch.add(10 * SECOND, compiled(1000));
    assertTrue(watch.settled());
  }

  @Test
  void aNodeWithoutTheMeterNeverHoldsTheWarmUp() {
    JitWatch watch = new JitWatch(10);
    watch.add(0, compiled(0));
    watch.add(SECOND, NodeMetrics.parse("process_uptime_seconds 5\n"));
    assertTrue(watch.blind());
    assertTrue(watch.settled());
  }

  @Test
  void aFailedScrapeIsSkippedAndOnlySeveralInARowBlindTheWatch() {
    JitWatch watch = new JitWatch(10);
    watch.add(0, compiled(0));
    watch.add(SECOND, null);
    watch.add(2 * SECOND, null);
    watch.add(3 * SECOND, compiled(3000)); // busy: the readings on each side of the failures count
    assertFalse(watch.blind());
    assertEquals(1.0, watch.share(), 1e-9);
    for (int i = 0; i < JitWatch.FAILURES_TO_BLIND - 1; i++) {
      watch.add((4 + i) * SECOND, null);
    }
    assertFalse(watch.settled(), "two failures in a row: still watching, still busy");
    watch.add(9 * SECOND, null);
    assertTrue(watch.blind());
    assertTrue(watch.settled(), "blind: it does not hold the warm-up");
  }
}
