package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The warm-up waits for the node's JIT (here a watch over two seconds), up to its most. */
class MeasurementWarmupTest {
  /** Runs a measurement whose node reports {@code compileMs} at its n-th scrape (from 1) until it ends. */
  private static Measurement run(long warmup, long max, IntToDoubleFunction compileMs, AtomicInteger scrapes) throws Exception {
    Measurement m = new Measurement(warmup, max, 1, null,
        () -> JitWatchTest.compiled(compileMs.applyAsDouble(scrapes.incrementAndGet())), new JitWatch(2));
    m.start();
    while (System.nanoTime() - m.endNanos() < 300_000_000L) {
      Thread.sleep(20); // endNanos moves while the warm-up is extended
    }
    m.stop();
    return m;
  }

  @Test
  void theWarmUpGoesOnWhileTheJitIsBusyAndTheMeasuredWindowFollowsIt() throws Exception {
    AtomicInteger scrapes = new AtomicInteger();
    // busy (a whole core) at the first two scrapes, idle after
    Measurement m = run(1, 8, n -> 1000.0 * Math.min(n, 2), scrapes);
    // seconds 1, 2: busy; 3: the window [1, 3] still holds a busy second; 4: [2, 4] is idle
    assertEquals(4, m.warmupSeconds());
    List<Map<String, Object>> series = m.series();
    assertEquals(5, series.size(), series.toString());
    for (int s = 0; s < 4; s++) {
      assertEquals(true, series.get(s).get("warmup"), "second " + (s + 1));
    }
    assertEquals(false, series.get(4).get("warmup"));
    assertEquals(0.0, m.nodeLatencies().get("node_jit_ms_per_s"), "the compilers were idle in the measured window");
    assertTrue(m.measuredSeconds() > 0.5 && m.measuredSeconds() <= 1.0, "one measured second: " + m.measuredSeconds());
  }

  @Test
  void theWarmUpStopsAtItsMostWhenTheJitNeverSettles() throws Exception {
    AtomicInteger scrapes = new AtomicInteger();
    Measurement m = run(1, 3, n -> 1000.0 * n, scrapes);
    assertEquals(3, m.warmupSeconds());
    assertTrue((double) m.nodeLatencies().get("node_jit_ms_per_s") > 500, m.nodeLatencies().toString());
  }

  @Test
  void withoutALongerMostTheWarmUpIsWhatWasGiven() throws Exception {
    AtomicInteger scrapes = new AtomicInteger();
    Measurement m = run(2, 2, n -> 1000.0 * n, scrapes);
    assertEquals(2, m.warmupSeconds());
    assertEquals(2, scrapes.get(), "scraped once as the window opened and once as it closed");
  }
}
