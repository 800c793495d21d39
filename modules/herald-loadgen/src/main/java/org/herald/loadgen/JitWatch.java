package org.herald.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Whether a node's JIT compiler has settled, from its {@code jvm_compilation_time_ms_total}
 * read about once a second: settled once the compilers' time over the last {@link
 * #WINDOW_SECONDS} seconds (spanned by the readings) is under {@link #SETTLED_SHARE} of that
 * time. Under a new load a node's compilers take 15–35 % of its CPU for one to three minutes on
 * two cores; what the bench measured meanwhile was the JIT as much as the node (docs/benchmarks.md,
 * "Warm-up until the JIT settles").
 *
 * <p>The watch goes blind, and then says settled so that the warm-up is never held up by what it
 * cannot see, when a scrape answers without the meter (a node older than it) or when {@link
 * #FAILURES_TO_BLIND} scrapes in a row fail; a single failed scrape is skipped.
 */
final class JitWatch {
  static final String METRIC = "jvm_compilation_time_ms_total";
  static final int WINDOW_SECONDS = 10;
  /** Compilers' time per unit of wall time (their threads' elapsed times summed) below which the JIT counts as settled. */
  static final double SETTLED_SHARE = 0.05;
  static final int FAILURES_TO_BLIND = 3;
  /** Readings come about a second apart, now and then a few hundred milliseconds late. */
  private static final long SLACK_NANOS = 500_000_000L;

  private record Reading(long nanos, double compileMs) {}

  /** Oldest first: the newest reading about a window old, and every one after it. */
  private final List<Reading> readings = new ArrayList<>();
  private final long windowNanos;
  private int failuresInARow;
  private volatile boolean blind;

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
  synchronized void add(long nanos, NodeMetrics metrics) {
    if (metrics == null) {
      blind |= ++failuresInARow >= FAILURES_TO_BLIND;
      return;
    }
    failuresInARow = 0;
    OptionalDouble compileMs = metrics.sum(METRIC);
    if (compileMs.isEmpty()) {
      blind = true;
      return;
    }
    readings.add(new Reading(nanos, compileMs.getAsDouble()));
    while (readings.size() > 2 && nanos - readings.get(1).nanos() >= windowNanos - SLACK_NANOS) {
      readings.remove(0);
    }
  }

  /** True once the readings span the window and the JIT's share of it is under the threshold, or when blind. */
  synchronized boolean settled() {
    if (blind) {
      return true;
    }
    return spanNanos() >= windowNanos - SLACK_NANOS && share() < SETTLED_SHARE;
  }

  /** The compilers' time over the readings' span per unit of wall time; NaN with fewer than two readings. */
  synchronized double share() {
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
