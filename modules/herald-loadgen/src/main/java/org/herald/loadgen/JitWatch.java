package org.herald.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Whether a node's JIT compiler has settled, from its {@code jvm_compilation_time_ms_total} read
 * about once a second: settled once the compilers' time over the last {@link #WINDOW_SECONDS}
 * seconds (spanned by the readings) is under {@link #SETTLED_SHARE} of that time. Under a new load a node compiles for one
 * to three minutes, on two cores a quarter of the machine; what the bench measured meanwhile was
 * the JIT as much as the node (docs/benchmarks.md, "Warm-up until the JIT settles").
 *
 * <p>When a scrape fails or lacks the meter (a node older than it), the watch cannot tell and
 * says settled, so that the warm-up is never held up by what it cannot see.
 */
final class JitWatch {
  static final String METRIC = "jvm_compilation_time_ms_total";
  static final int WINDOW_SECONDS = 10;
  /** Compilers' time per second of wall time (both compiler threads summed) below which the JIT counts as settled. */
  static final double SETTLED_SHARE = 0.05;

  private record Reading(long nanos, double compileMs) {}

  /** Oldest first: the newest reading at least the window before the last, and every one after it. */
  private final List<Reading> readings = new ArrayList<>();
  private final long windowNanos;
  private boolean blind;

  JitWatch() {
    this(WINDOW_SECONDS);
  }

  /** A watch over a window of {@code windowSeconds} (tests use a short one). */
  JitWatch(int windowSeconds) {
    this.windowNanos = windowSeconds * 1_000_000_000L;
  }

  /** The window's length in whole seconds. */
  int windowSeconds() {
    return (int) (windowNanos / 1_000_000_000L);
  }

  /** One scrape of the node, taken at {@code nanos}; null when the scrape failed. */
  void add(long nanos, NodeMetrics metrics) {
    OptionalDouble compileMs = metrics == null ? OptionalDouble.empty() : metrics.sum(METRIC);
    if (compileMs.isEmpty()) {
      blind = true;
      return;
    }
    readings.add(new Reading(nanos, compileMs.getAsDouble()));
    // Keep the newest reading about a window old (half a second either way: the sampler is late
    // by a few milliseconds, now and then) and all after it.
    while (readings.size() > 2 && nanos - readings.get(1).nanos() >= windowNanos - 500_000_000L) {
      readings.remove(0);
    }
  }

  /** True once the readings span the window and the JIT's share of it is under the threshold, or when blind. */
  boolean settled() {
    if (blind) {
      return true;
    }
    return spanNanos() >= windowNanos - 500_000_000L && share() < SETTLED_SHARE;
  }

  /** The compilers' time over the readings' span per unit of wall time; NaN with fewer than two readings. */
  double share() {
    if (readings.size() < 2) {
      return Double.NaN;
    }
    return (last().compileMs() - readings.get(0).compileMs()) / (spanNanos() / 1e6);
  }

  boolean blind() {
    return blind;
  }

  private Reading last() {
    return readings.get(readings.size() - 1);
  }

  private long spanNanos() {
    return readings.isEmpty() ? 0 : last().nanos() - readings.get(0).nanos();
  }
}
