package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The quick mode of pairs, rate and wire against a node the bench starts on a fresh database:
 * proves the tool runs end to end and writes sane results. Figures are printed, never asserted.
 * Results and the node log stay in target/bench-it/.
 */
class BenchQuickIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  @Test
  void quickCeilingPairsRateAndWireProduceResultLinesJsonAndCharts() throws Exception {
    String classpath = System.getProperty("java.class.path");
    assertTrue(classpath.contains("herald-node"),
        "the node is started with this JVM's class path, which must hold herald-node (failsafe useManifestOnlyJar=false)");
    QuickRun run = QuickRun.of(pg, "load", "pairs", "rate", "wire", "ceiling");
    String printed = run.printed();
    Bench.Report report = run.report();
    Path out = run.out();
    List<Map<String, String>> lines = run.lines();
    assertEquals(4, lines.size(), printed);
    lines.forEach(l -> assertNotNull(l, "every bench: line parses\n" + printed));
    assertEquals(
        List.of("ceiling", "pairs", "rate", "wire"), lines.stream().map(l -> l.get("scenario")).toList(),
        "the ceiling runs first, whatever the order given");
    double ceiling = Double.parseDouble(lines.get(0).get("batched_per_s"));
    assertTrue(ceiling > 0 && Double.parseDouble(lines.get(0).get("single_row_per_s")) > 0, printed);
    for (Map<String, String> l : lines.subList(1, 3)) {
      for (String key : List.of("herald_per_s", "delivered_per_s", "p50_ms", "p99_ms", "ratio")) {
        Double.parseDouble(l.get(key));
      }
      assertEquals(ceiling, Double.parseDouble(l.get("ceiling_per_s")), 1.0, "each load line shows the run's ceiling\n" + printed);
      for (String key : List.of("node_cpu_ms_per_msg", "machine_cpu_ms_per_msg")) {
        assertTrue(Double.parseDouble(l.get(key)) > 0, "each load line shows the CPU a message cost: " + key + "\n" + printed);
      }
    }
    assertTrue(Integer.parseInt(lines.get(3).get("receiver_bytes")) > 0, printed);

    ScenarioResult pairs = report.results().get(1);
    long acked = ((Number) pairs.figures().get("acked_total")).longValue();
    assertTrue(acked > 0, "pairs acked messages\n" + printed);
    assertEquals(acked, ((Number) pairs.figures().get("delivered_total")).longValue(), "every acked message delivered\n" + printed);
    assertTrue(((Number) report.results().get(2).figures().get("acked_total")).longValue() > 0, "rate acked messages\n" + printed);
    // Each scenario after the first starts on a database that has digested the last one's writes.
    assertNull(report.results().get(0).figures().get("db_settled_before"), printed);
    for (int i = 1; i < 4; i++) {
      Object settled = report.results().get(i).figures().get("db_settled_before");
      assertTrue(settled != null && settled.toString().contains("projections caught up") && settled.toString().contains("VACUUM ANALYZE"),
          report.results().get(i).scenario() + " settled: " + settled + "\n" + printed);
    }
    for (String key : List.of("node_switches_per_msg", "machine_switches_per_msg")) {
      Object switches = pairs.figures().get(key);
      assertNotNull(switches, "pairs counts the context switches a message cost: " + key + "\n" + printed);
      assertTrue(((Number) switches).doubleValue() > 0, key + " = " + switches + "\n" + printed);
    }
    for (String key : List.of("node_send_p99_ms", "journal_write_p99_ms", "journal_writes_per_s", "journal_statement_p99_ms")) {
      Object figure = pairs.figures().get(key);
      assertNotNull(figure, "pairs reads the node's own histograms over its window: " + key + "\n" + printed);
      assertTrue(((Number) figure).doubleValue() > 0, key + " = " + figure + "\n" + printed);
    }
    assertNotNull(pairs.figures().get("node_jit_ms_per_s"), "pairs reads the node's JIT time over its window\n" + printed);
    assertNotNull(pairs.figures().get("node_alloc_kb_per_msg"), "pairs reads what the node allocated over its window\n" + printed);
    assertEquals(1L, ((Number) pairs.figures().get("warmup_s")).longValue(), "a quick run does not wait for the JIT\n" + printed);

    JsonNode json = BenchClient.JSON.readTree(out.resolve("results.json").toFile());
    assertEquals(4, json.path("scenarios").size());
    assertTrue(json.path("scenarios").get(1).path("series").size() > 0);
    assertTrue(json.path("scenarios").get(1).path("latencyMs").path("send→ack").has("p99"));
    for (String png : List.of("ceiling-throughput.png", "pairs-throughput.png", "pairs-latency.png", "rate-throughput.png", "rate-latency.png")) {
      assertTrue(Files.size(out.resolve(png)) > 1000, png);
    }
  }
}
