package org.herald.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.herald.chaos.Threads;

/**
 * The latencies and counts of one load scenario. Any thread records (HdrHistogram {@link
 * Recorder}s: wait-free, no lock, no hand-off); once a second a sampler takes the interval
 * histograms, adds them to the totals once the warm-up is over and keeps the second's row for
 * the time series. Latencies are microseconds from the send time the caller gives: the actual
 * send for a closed loop, the scheduled one for an open loop.
 *
 * <p>The warm-up lasts at least its given seconds and, when the node's metrics can be read and a
 * longer maximum is given, goes on a second at a time until the node's JIT has settled ({@link
 * JitWatch}) or the maximum is reached: the measured window then starts, and the load's end
 * moves with it ({@link #endNanos} is read again by the load). {@link #warmupEnd} says why it
 * ended.
 */
public final class Measurement {
  /** A node histogram the bench reads, the figure it reports, and the rate of its count if any. */
  private record NodeHistogram(String figure, String metric, String label, String value, String countFigure) {}

  private static final List<NodeHistogram> NODE_HISTOGRAMS = List.of(
      new NodeHistogram("node_send", "herald_messages_send_duration_seconds", "transport", "ws", null),
      new NodeHistogram("journal_write", "herald_journal_write_duration_seconds", "outcome", "ok", "journal_writes_per_s"),
      new NodeHistogram(
          "journal_statement", "herald_journal_statement_duration_seconds", "outcome", "ok", "journal_statements_per_s"));

  private final Recorder acks = new Recorder(3);
  private final Recorder deliveries = new Recorder(3);
  private final LongAdder sent = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final java.util.concurrent.ConcurrentHashMap<String, LongAdder> errorCodes = new java.util.concurrent.ConcurrentHashMap<>();
  private final LongAdder ackedCount = new LongAdder();
  private final LongAdder deliveredCount = new LongAdder();
  private final Histogram ackTotal = new Histogram(3);
  private final Histogram deliverTotal = new Histogram(3);
  private final List<Map<String, Object>> series = new ArrayList<>();
  private final long givenWarmupSeconds;
  private final long maxWarmupSeconds;
  private final long measuredSecondsGiven;
  /**
   * Grown by the sampler while the JIT has not settled; read by the load through {@link
   * #endNanos}. The measured window is the {@code measuredSecondsGiven} seconds after it.
   */
  private volatile long warmupSeconds;
  private final JitWatch jit;
  private String warmupEnd = "given";
  private long startNanos;
  private long measuredToNanos;
  private long sentMeasured;
  private long errorsMeasured;
  private long lastSent;
  private long lastErrors;
  private Histogram ackInterval;
  private Histogram deliverInterval;
  private Thread sampler;
  private volatile double lastAcksPerSecond;
  private volatile double lastDeliveriesPerSecond;
  private final Supplier<CpuTime> cpu;
  private CpuTime cpuFrom;
  private CpuTime cpuTo;
  private final Supplier<NodeMetrics> metrics;
  private NodeMetrics metricsFrom;
  private NodeMetrics metricsTo;

  public Measurement(long warmupSeconds, long measuredSeconds) {
    this(warmupSeconds, measuredSeconds, null);
  }

  /** {@code cpu}, if not null, is read when the measured window opens and when it closes. */
  Measurement(long warmupSeconds, long measuredSeconds, Supplier<CpuTime> cpu) {
    this(warmupSeconds, warmupSeconds, measuredSeconds, cpu, null);
  }

  /**
   * {@code cpu} and the node's {@code metrics}, each if not null (and the metrics if they can be
   * read), are read when the measured window opens and when it closes. The warm-up lasts {@code
   * warmupSeconds}, or up to {@code maxWarmupSeconds} while the node's JIT is busy (read from
   * {@code metrics} every second of the warm-up's last {@link JitWatch#WINDOW_SECONDS} and after).
   */
  Measurement(long warmupSeconds, long maxWarmupSeconds, long measuredSeconds, Supplier<CpuTime> cpu,
      Supplier<NodeMetrics> metrics) {
    this(warmupSeconds, maxWarmupSeconds, measuredSeconds, cpu, metrics, new JitWatch());
  }

  /** As above, watching the JIT with {@code jit} (tests: a short window). */
  Measurement(long warmupSeconds, long maxWarmupSeconds, long measuredSeconds, Supplier<CpuTime> cpu,
      Supplier<NodeMetrics> metrics, JitWatch jit) {
    this.jit = jit;
    this.warmupSeconds = warmupSeconds;
    this.givenWarmupSeconds = warmupSeconds;
    this.maxWarmupSeconds = Math.max(warmupSeconds, maxWarmupSeconds);
    this.measuredSecondsGiven = measuredSeconds;
    this.cpu = cpu;
    this.metrics = metrics;
  }

  /** Starts the clock and the sampler; the warm-up runs from now. */
  public synchronized void start() {
    if (warmupSeconds == 0) {
      // Read before the clock starts: a scrape can take a while, and the load is timed from it.
      metricsFrom = readMetrics();
      cpuFrom = readCpu();
    }
    startNanos = System.nanoTime();
    sampler = Threads.start("bench-sampler", this::sample);
  }

  private CpuTime readCpu() {
    return cpu == null ? null : cpu.get();
  }

  private NodeMetrics readMetrics() {
    return metrics == null ? null : metrics.get();
  }

  public long startNanos() {
    return startNanos;
  }

  /**
   * When the load stops sending: the start plus warm-up plus duration. It moves later while the
   * warm-up waits for the JIT, so a load reads it again rather than keeping it.
   */
  public long endNanos() {
    return startNanos + totalSeconds() * 1_000_000_000L;
  }

  /** Warm-up and measured seconds: the second the load stops at. */
  private long totalSeconds() {
    return warmupSeconds + measuredSecondsGiven;
  }

  /** The warm-up's length so far (its final length once measuring began). */
  public long warmupSeconds() {
    return warmupSeconds;
  }

  /**
   * Why the warm-up ended: {@code given} (it was not to wait for the JIT), {@code settled},
   * {@code maximum} (the JIT still busy), {@code blind} (the node's JIT could not be read) or
   * {@code late} (the sampler fell behind the load).
   */
  public synchronized String warmupEnd() {
    return warmupEnd;
  }

  public void sent() {
    sent.increment();
  }

  public void ack(long sendNanos, long nowNanos) {
    acks.recordValue(Math.max(0, (nowNanos - sendNanos) / 1000));
    ackedCount.increment();
  }

  public void delivered(long sendNanos, long nowNanos) {
    deliveries.recordValue(Math.max(0, (nowNanos - sendNanos) / 1000));
    deliveredCount.increment();
  }

  public void error() {
    error("unknown");
  }

  /** An error frame (or failure) with its code, counted by code for the report. */
  public void error(String code) {
    errors.increment();
    errorCodes.computeIfAbsent(code == null ? "unknown" : code, k -> new LongAdder()).increment();
  }

  /** Every error of the run by code, most frequent first. */
  public Map<String, Long> errorCodes() {
    Map<String, Long> codes = new LinkedHashMap<>();
    errorCodes.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
        .forEach(e -> codes.put(e.getKey(), e.getValue().sum()));
    return codes;
  }

  private void sample() {
    long second = 1;
    while (Threads.sleep(Math.max(0, (startNanos + second * 1_000_000_000L - System.nanoTime()) / 1_000_000))) {
      // Scraped before taking the lock: a slow scrape holds up neither the progress line nor the load.
      NodeMetrics reading = watchesJitAt(second) ? readMetrics() : null;
      take(second++, false, reading, System.nanoTime());
    }
  }

  /** Whether the warm-up may outlast its given seconds: a longer maximum, and the node's metrics to watch. */
  private boolean mayExtend() {
    return metrics != null && givenWarmupSeconds > 0 && maxWarmupSeconds > givenWarmupSeconds;
  }

  /** The JIT is read in the warm-up's last {@link JitWatch#windowSeconds} seconds, and every second it is extended. */
  private boolean watchesJitAt(long second) {
    long warmup = warmupSeconds;
    return mayExtend() && !jit.blind() && second <= warmup && second + jit.windowSeconds() >= warmup;
  }

  /**
   * One second's row; {@code last}: the final, partial one after the load stopped. {@code
   * reading}: the node's metrics scraped at {@code nowNanos} for the JIT watch, when it watches
   * this second (null when it does not, or when the scrape failed).
   */
  private synchronized void take(long second, boolean last, NodeMetrics reading, long nowNanos) {
    ackInterval = acks.getIntervalHistogram(ackInterval);
    deliverInterval = deliveries.getIntervalHistogram(deliverInterval);
    long s = sent.sum();
    long e = errors.sum();
    boolean watched = !last && watchesJitAt(second);
    if (watched) {
      jit.add(nowNanos, reading);
    }
    if (!last && second == warmupSeconds) {
      // The load must still be running when the warm-up grows: a sampler held up for the whole
      // measured time (a node that takes seconds to scrape) opens the window as planned instead.
      boolean onTime = nowNanos - (endNanos() - 500_000_000L) < 0;
      if (watched && !jit.settled() && second < maxWarmupSeconds && onTime) {
        warmupSeconds = second + 1;
      } else {
        if (mayExtend()) {
          warmupEnd = jit.blind() ? "blind" : jit.settled() ? "settled" : second >= maxWarmupSeconds ? "maximum" : "late";
        }
        // The node's metrics are scraped outside the CPU window, so that scraping costs it nothing.
        metricsFrom = reading != null ? reading : readMetrics();
        cpuFrom = readCpu();
      }
    } else if (second == totalSeconds() || last) {
      if (cpuTo == null && cpuFrom != null) {
        cpuTo = readCpu();
      }
      if (metricsTo == null && metricsFrom != null) {
        metricsTo = readMetrics();
      }
    }
    boolean measured = second > warmupSeconds && second <= totalSeconds();
    if (measured) {
      ackTotal.add(ackInterval);
      deliverTotal.add(deliverInterval);
      sentMeasured += s - lastSent;
      errorsMeasured += e - lastErrors;
    }
    if (!last) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("second", second);
      row.put("warmup", second <= warmupSeconds);
      row.put("sent", s - lastSent);
      row.put("acked", ackInterval.getTotalCount());
      row.put("delivered", deliverInterval.getTotalCount());
      row.put("errors", e - lastErrors);
      row.put("ack_p50_ms", ms(ackInterval.getValueAtPercentile(50)));
      row.put("ack_p99_ms", ms(ackInterval.getValueAtPercentile(99)));
      row.put("deliver_p50_ms", ms(deliverInterval.getValueAtPercentile(50)));
      row.put("deliver_p99_ms", ms(deliverInterval.getValueAtPercentile(99)));
      series.add(row);
      lastAcksPerSecond = ackInterval.getTotalCount();
      lastDeliveriesPerSecond = deliverInterval.getTotalCount();
    }
    lastSent = s;
    lastErrors = e;
  }

  /**
   * After the load stopped sending: waits until every send is answered (ack or error) and every
   * ack's delivery arrived, or {@code maxMillis} passed, then stops.
   */
  public void drainAndStop(long maxMillis) {
    long until = System.currentTimeMillis() + maxMillis;
    while (System.currentTimeMillis() < until
        && (ackedAll() + errorsAll() < sentAll() || deliveredAll() < ackedAll())
        && Threads.sleep(50)) {
      // the last answers are on their way
    }
    stop();
  }

  /** Stops the sampler after the load stopped (and drained); later records count in no row. */
  public void stop() {
    Thread running;
    synchronized (this) {
      measuredToNanos = Math.min(System.nanoTime(), endNanos());
      running = sampler;
    }
    // Not holding the lock: a sampler about to take its second must get it to finish.
    running.interrupt();
    try {
      running.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    take(Long.MAX_VALUE, true, null, System.nanoTime());
  }

  /** The progress line: where the run is, the last second's rates, errors so far. */
  public String progress(String scenario) {
    double elapsed = startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1e9;
    long warmup = warmupSeconds;
    long total = warmup + measuredSecondsGiven;
    String phase = "";
    if (elapsed < warmup) {
      double share = jit.share();
      phase = Double.isNaN(share) ? " (warm-up)" : String.format(Locale.ROOT, " (warm-up, node JIT %.0f %%)", 100 * share);
    }
    return String.format(Locale.ROOT, "bench %-8s %4.0f/%ds%s  acks %6.0f/s  deliveries %6.0f/s  errors %d",
        scenario, Math.min(elapsed, total), total, phase, lastAcksPerSecond, lastDeliveriesPerSecond, errors.sum());
  }

  /** Seconds measured: from the end of the warm-up to the end (or the stop, if earlier). */
  public synchronized double measuredSeconds() {
    long measuredFromNanos = startNanos + warmupSeconds * 1_000_000_000L;
    return Math.max(1e-9, (measuredToNanos - measuredFromNanos) / 1e9);
  }

  /**
   * CPU per acknowledged message and cores busy over the measured window, by process (node,
   * postgres, bench, machine): empty when not read.
   */
  public synchronized Map<String, Object> cpuPerMessage() {
    if (cpuFrom == null || cpuTo == null) {
      return Map.of();
    }
    return cpuTo.since(cpuFrom, ackTotal.getTotalCount(), measuredSeconds());
  }

  /**
   * Where the node's time for a socket send went over the measured window, from its own
   * histograms (empty when they were not read): {@code node_send_*_ms}, a send frame's arrival
   * to its durable acknowledgement; {@code journal_write_*_ms}, an entity's write from the
   * journal receiving it to its commit (any entity's; the messages' are nearly all of them under
   * load); {@code journal_statement_*_ms}, one batch statement of those writes, from building
   * its arrays to its commit (on PostgreSQL only). Quantiles are estimated within Prometheus
   * buckets, as {@link NodeMetrics} says. And {@code node_jit_ms_per_s}: the node's JIT
   * compilers' time per second of the window (their threads' elapsed times summed, so on a busy
   * machine more than the CPU they had). And the collector's figures ({@link #gcFigures}).
   */
  public synchronized Map<String, Object> nodeLatencies() {
    Map<String, Object> out = new LinkedHashMap<>();
    if (metricsFrom == null || metricsTo == null) {
      return out;
    }
    out.putAll(gcFigures(metricsFrom, metricsTo, ackTotal.getTotalCount(), measuredSeconds()));
    OptionalDouble jitFrom = metricsFrom.sum(JitWatch.METRIC);
    OptionalDouble jitTo = metricsTo.sum(JitWatch.METRIC);
    if (jitFrom.isPresent() && jitTo.isPresent()) {
      out.put("node_jit_ms_per_s", Math.round(10 * (jitTo.getAsDouble() - jitFrom.getAsDouble()) / measuredSeconds()) / 10.0);
    }
    for (NodeHistogram h : NODE_HISTOGRAMS) {
      for (double q : new double[] {0.5, 0.99}) {
        double millis = metricsTo.quantileSinceMs(metricsFrom, h.metric(), h.label(), h.value(), q);
        if (!Double.isNaN(millis)) {
          out.put(h.figure() + "_p" + Math.round(q * 100) + "_ms", Math.round(millis * 1000) / 1000.0);
        }
      }
      if (h.countFigure() != null) {
        double count = metricsTo.countSince(metricsFrom, h.metric(), h.label(), h.value());
        out.put(h.countFigure(), Math.round(count / measuredSeconds()));
      }
    }
    return out;
  }

  static final String GC_ALLOCATED = "jvm_gc_memory_allocated_bytes_total";
  static final String GC_PAUSE_SUM = "jvm_gc_pause_seconds_sum";
  static final String GC_PAUSE_COUNT = "jvm_gc_pause_seconds_count";

  /**
   * The node's collector between two scrapes (none of it when the node does not publish it):
   * {@code node_alloc_kb_per_msg}, what the node allocated per acknowledged message; {@code
   * node_gc_pause_ms_per_s}, how long it stood in collector pauses per second; {@code
   * node_gc_pauses}, how many. The allocation counter moves at each young collection by what
   * was allocated since the one before, so over a window it is right to within one young
   * generation's worth: exact enough over a window of many collections, as under load.
   */
  static Map<String, Object> gcFigures(NodeMetrics from, NodeMetrics to, long messages, double seconds) {
    Map<String, Object> out = new LinkedHashMap<>();
    OptionalDouble allocatedFrom = from.sum(GC_ALLOCATED);
    OptionalDouble allocatedTo = to.sum(GC_ALLOCATED);
    if (messages > 0 && allocatedFrom.isPresent() && allocatedTo.isPresent()) {
      double kib = (allocatedTo.getAsDouble() - allocatedFrom.getAsDouble()) / 1024 / messages;
      out.put("node_alloc_kb_per_msg", Math.round(kib * 10) / 10.0);
    }
    OptionalDouble pausedFrom = from.sum(GC_PAUSE_SUM);
    OptionalDouble pausedTo = to.sum(GC_PAUSE_SUM);
    if (seconds > 0 && pausedTo.isPresent()) {
      double ms = 1000 * (pausedTo.getAsDouble() - pausedFrom.orElse(0));
      out.put("node_gc_pause_ms_per_s", Math.round(ms / seconds * 100) / 100.0);
      out.put("node_gc_pauses", Math.round(to.sum(GC_PAUSE_COUNT).orElse(0) - from.sum(GC_PAUSE_COUNT).orElse(0)));
    }
    return out;
  }

  public synchronized Histogram ackHistogram() {
    return ackTotal;
  }

  public synchronized Histogram deliverHistogram() {
    return deliverTotal;
  }

  /** Acks over the whole run, warm-up and drain included. */
  public long ackedAll() {
    return ackedCount.sum();
  }

  /** Deliveries over the whole run, warm-up and drain included. */
  public long deliveredAll() {
    return deliveredCount.sum();
  }

  public synchronized long sentMeasured() {
    return sentMeasured;
  }

  public long sentAll() {
    return sent.sum();
  }

  public synchronized long errorsMeasured() {
    return errorsMeasured;
  }

  public long errorsAll() {
    return errors.sum();
  }

  public synchronized List<Map<String, Object>> series() {
    return List.copyOf(series);
  }

  static double ms(long micros) {
    return micros / 1000.0;
  }
}
