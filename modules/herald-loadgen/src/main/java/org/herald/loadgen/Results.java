package org.herald.loadgen;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.HdrHistogram.Histogram;

/** A scenario's table for people, and results.json plus the charts for everything else. */
final class Results {
  /** The percentiles the table, the JSON and the result lines report. */
  static final double[] PERCENTILES = {50, 90, 95, 99, 99.9, 99.99};

  private Results() {}

  static String table(ScenarioResult r) {
    StringBuilder s = new StringBuilder();
    s.append("== ").append(r.scenario()).append(" ==\n");
    for (Map.Entry<String, Object> f : r.figures().entrySet()) {
      s.append(String.format(Locale.ROOT, "  %-28s %s%n", f.getKey(), f.getValue()));
    }
    if (!r.latencies().isEmpty()) {
      s.append(String.format(Locale.ROOT, "  %-14s %9s %9s %9s %9s %9s %9s %9s%n", "latency (ms)", "count", "p50", "p90", "p95",
          "p99", "p99.9", "max"));
      for (Map.Entry<String, Histogram> h : r.latencies().entrySet()) {
        Histogram x = h.getValue();
        s.append(String.format(Locale.ROOT, "  %-14s %9d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n", h.getKey(), x.getTotalCount(),
            ms(x, 50), ms(x, 90), ms(x, 95), ms(x, 99), ms(x, 99.9), x.getMaxValue() / 1000.0));
      }
    }
    return s.toString();
  }

  private static double ms(Histogram h, double p) {
    return h.getValueAtPercentile(p) / 1000.0;
  }

  static void write(BenchOptions o, String baseUrl, OptionalLong pid, OptionalDouble ceiling, List<ScenarioResult> results,
      List<String> lines) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("writtenAt", Instant.now().toString());
    root.put("target", baseUrl);
    root.put("nodePid", pid.isPresent() ? pid.getAsLong() : null);
    root.put("nodeStartedByBench", o.url() == null);
    if (o.url() == null) {
      root.put("nodeHeap", o.nodeHeap());
      root.put("argon2", Map.of("memoryKib", TargetNode.ARGON2_MEMORY_KIB, "iterations", TargetNode.ARGON2_ITERATIONS));
    }
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("scenarios", o.scenarios());
    opts.put("users", o.users());
    opts.put("durationSeconds", o.duration().toMillis() / 1000.0);
    opts.put("warmupSeconds", o.warmup().toMillis() / 1000.0);
    opts.put("warmupMaxSeconds", o.warmupMax().toMillis() / 1000.0);
    opts.put("inflight", o.inflight());
    opts.put("rate", o.rate());
    opts.put("quick", o.quick());
    opts.put("sizes", o.sizes());
    root.put("options", opts);
    root.put("ceilingPerSecond", ceiling.isPresent() ? ceiling.getAsDouble() : null);
    List<Map<String, Object>> scenarios = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      ScenarioResult r = results.get(i);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("scenario", r.scenario());
      s.put("line", lines.get(i));
      s.put("figures", r.figures());
      Map<String, Object> lat = new LinkedHashMap<>();
      for (Map.Entry<String, Histogram> h : r.latencies().entrySet()) {
        lat.put(h.getKey(), percentiles(h.getValue()));
      }
      s.put("latencyMs", lat);
      s.put("series", r.series());
      List<String> charts = Charts.write(r, o.outDir());
      s.put("charts", charts);
      scenarios.add(s);
    }
    root.put("scenarios", scenarios);
    Files.createDirectories(o.outDir());
    BenchClient.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(o.outDir().resolve("results.json").toFile(), root);
  }

  static Map<String, Object> percentiles(Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", h.getTotalCount());
    m.put("min", h.getTotalCount() == 0 ? 0 : h.getMinValue() / 1000.0);
    m.put("mean", h.getMean() / 1000.0);
    for (double p : PERCENTILES) {
      m.put("p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)), h.getValueAtPercentile(p) / 1000.0);
    }
    m.put("max", h.getMaxValue() / 1000.0);
    return m;
  }
}
