package org.herald.loadgen;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.herald.chaos.Progress;
import org.herald.chaos.Threads;

/**
 * Closed loop: users in pairs, each sending to its partner over its updates socket and sending
 * the next message as soon as one is acknowledged ({@code --inflight} unacknowledged at most).
 * Measures durable acks and deliveries per second after the warm-up, and send→ack and
 * send→deliver latency from the actual send. After the load it waits (up to 10 s) for the
 * deliveries of every acknowledged message, so that the two totals can be compared.
 */
final class PairsScenario implements Scenario {
  /** The longest wait, after the load, for the answers to what was sent. */
  private static final long DRAIN_MS = 10_000;

  @Override
  public String name() {
    return "pairs";
  }

  @Override
  public String summary() {
    return "closed loop: --users in pairs send to each other, next message on each ack";
  }

  @Override
  public ScenarioResult run(BenchContext context) {
    BenchOptions o = context.options();
    Measurement m = context.newMeasurement();
    AtomicLong seq = new AtomicLong();
    // Set once the sockets are ready, before the first send: the herd's thread reads it.
    AtomicReference<BenchContext.Pairs> started = new AtomicReference<>();
    BenchContext.Pairs pairs = context.pairs(name(), o.users(), (user, frame) -> {
      LoadFrames.Kind kind = LoadFrames.record(m, user.userId(), frame, System.nanoTime());
      BenchContext.Pairs running = started.get();
      if (running != null && (kind == LoadFrames.Kind.ACK || kind == LoadFrames.Kind.ERROR)) {
        sendNext(running, user.index(), seq, m);
      }
    });
    started.set(pairs);
    try (Progress p = context.progress(() -> m.progress(name()))) {
      m.start();
      for (int user = 0; user < o.users(); user++) {
        for (int k = 0; k < o.inflight(); k++) {
          sendNext(pairs, user, seq, m);
        }
      }
      // The end moves later while the warm-up waits for the node's JIT.
      for (long left; (left = m.endNanos() - System.nanoTime()) > 0; ) {
        if (!Threads.sleep(Math.max(1, Math.min(1000, left / 1_000_000)))) {
          break;
        }
      }
      m.drainAndStop(DRAIN_MS);
    } finally {
      pairs.closeAll();
    }
    return result(name(), m, o, null);
  }

  /** On the herd's thread (after an ack or an error) or the scenario's (the first ones). */
  private static void sendNext(BenchContext.Pairs pairs, int user, AtomicLong seq, Measurement m) {
    long now = System.nanoTime();
    if (now - m.endNanos() >= 0 || !pairs.herd().open(user)) {
      return;
    }
    m.sent();
    if (!pairs.herd().send(user, LoadFrames.send(pairs.chatOf(user), now, seq.incrementAndGet()))) {
      m.error("socket closed");
    }
  }

  /** The figures of a load scenario, shared with the open loop ({@code targetRate} not null). */
  static ScenarioResult result(String scenario, Measurement m, BenchOptions o, Double targetRate) {
    double seconds = m.measuredSeconds();
    Histogram ack = m.ackHistogram();
    Histogram deliver = m.deliverHistogram();
    double ackRate = ack.getTotalCount() / seconds;
    double deliverRate = deliver.getTotalCount() / seconds;
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("users", o.users());
    if (targetRate != null) {
      figures.put("target_per_s", targetRate);
    }
    figures.put("warmup_s", m.warmupSeconds());
    figures.put("warmup_end", m.warmupEnd());
    figures.put("measured_s", Math.round(seconds * 1000) / 1000.0);
    figures.put("sent_per_s", Math.round(m.sentMeasured() / seconds));
    figures.put("acked_per_s", Math.round(ackRate));
    figures.put("delivered_per_s", Math.round(deliverRate));
    figures.put("errors", m.errorsMeasured());
    figures.put("sent_total", m.sentAll());
    figures.put("acked_total", m.ackedAll());
    figures.put("delivered_total", m.deliveredAll());
    figures.put("errors_total", m.errorsAll());
    figures.put("error_codes", m.errorCodes());
    Map<String, Object> cpu = m.cpuPerMessage();
    figures.putAll(cpu);
    figures.putAll(m.nodeLatencies());
    Map<String, String> line = new LinkedHashMap<>();
    if (targetRate != null) {
      line.put("target_per_s", ResultLine.perSecond(targetRate));
    }
    line.put("herald_per_s", ResultLine.perSecond(ackRate));
    line.put("delivered_per_s", ResultLine.perSecond(deliverRate));
    line.put("p50_ms", ResultLine.millis(ack.getValueAtPercentile(50)));
    line.put("p99_ms", ResultLine.millis(ack.getValueAtPercentile(99)));
    line.put("deliver_p50_ms", ResultLine.millis(deliver.getValueAtPercentile(50)));
    line.put("deliver_p99_ms", ResultLine.millis(deliver.getValueAtPercentile(99)));
    line.put("errors", Long.toString(m.errorsMeasured()));
    for (String key : List.of("node_cpu_ms_per_msg", "machine_cpu_ms_per_msg")) {
      if (cpu.get(key) instanceof Double perMessage) {
        line.put(key, ResultLine.thousandths(perMessage));
      }
    }
    Map<String, Histogram> latencies = new LinkedHashMap<>();
    latencies.put("send→ack", ack);
    latencies.put("send→deliver", deliver);
    return new ScenarioResult(scenario, figures, line, latencies, m.series(), ackRate);
  }
}
