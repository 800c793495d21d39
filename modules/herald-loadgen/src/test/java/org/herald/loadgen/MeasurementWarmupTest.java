package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The warm-up waits for the node's JIT (here a watch over two seconds), up to its maximum. The
 * sampler runs on real seconds, so the assertions leave it the slack its watch has (a reading
 * half a second late may end the wait a second sooner or later).
 */
class MeasurementWarmupTest {
  /** Runs a measurement whose node answers {@code scrape} at its n-th scrape (from 1) until it ends. */
  private static Measurement run(long warmup, long max, long measured, IntFunction<NodeMetrics> scrape, AtomicInteger scrapes)
      throws Exception {
    Measurement m = new Measurement(warmup, max, measured, null, () -> scrape.apply(scrapes.incrementAndGet()), new JitWatch(2));
    m.start();
    long deadline = System.nanoTime() + (max + measured + 10) * 1_000_000_000L;
    // endNanos moves while the warm-up is extended; then every second's row, or a generous deadline
    while ((System.nanoTime() - m.endNanos() < 0 || m.series().size() < m.warmupSeconds() + measured)
        && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
    m.stop();
    return m;
  }

  private static IntFunction<NodeMetrics> compiled(IntFunction<Double> ms) {
    return n -> JitWatchTest.compiled(ms.apply(n));
  }

  @Test
  void theWarmUpGoesOnWhileTheJitIsBusyAndTheMeasuredWindowFollowsIt() throws Exception {
    AtomicInteger scrapes = new AtomicInteger();
    // a whole compiler busy until the second scrape, idle after: seconds 1 and 2 are busy, the
    // window spans two seconds, so it settles at second 4 (3 to 5 with the sampler's slack)
    Measurement m = run(1, 8, 2, compiled(n -> 1000.0 * Math.min(n, 2)), scrapes);
    long warmup = m.warmupSeconds();
    assertTrue(warmup >= 3 && warmup <= 5, "settled a second or two after the JIT went idle: " + warmup);
    assertEquals("settled", m.warmupEnd());
    List<Map<String, Object>> series = m.series();
    for (int s = 0; s < series.size(); s++) {
      assertEquals(s < warmup, series.get(s).get("warmup"), "second " + (s + 1) + " of " + series);
    }
    assertEquals(warmup + 2, series.size(), series.toString());
    assertEquals(0.0, m.nodeLatencies().get("node_jit_ms_per_s"), "the compilers were idle in the measured window");
    assertTrue(m.measuredSeconds() > 1.5 && m.measuredSeconds() <= 2.0, "two measured seconds: " + m.measuredSeconds());
  }

  @Test
  void theWarmUpStopsAtItsMaximumWhenTheJitNeverSettles() throws Exception {
    Measurement m = run(1, 3, 2, compiled(n -> 1000.0 * n), new AtomicInteger());
    assertEquals(3, m.warmupSeconds());
    assertEquals("maximum", m.warmupEnd());
    // a second of compiling per scrape, two seconds between the window's two scrapes
    assertEquals(500.0, m.nodeLatencies().get("node_jit_ms_per_s"), m.nodeLatencies().toString());
  }

  @Test
  void aNodeWhoseMetricsCannotBeReadHoldsTheWarmUpOnlyForAFewFailedScrapes() throws Exception {
    Measurement m = run(1, 8, 2, n -> null, new AtomicInteger());
    assertEquals(JitWatch.FAILURES_TO_BLIND, m.warmupSeconds(), "one second per failed scrape until it gives up");
    assertEquals("blind", m.warmupEnd());
  }

  @Test
  void withoutALongerMaximumTheWarmUpIsWhatWasGiven() throws Exception {
    AtomicInteger scrapes = new AtomicInteger();
    Measurement m = run(2, 2, 1, compiled(n -> 1000.0 * n), scrapes);
    assertEquals(2, m.warmupSeconds());
    assertEquals("given", m.warmupEnd());
    assertEquals(2, scrapes.get(), "scraped once as the window opened and once as it closed");
  }
}
