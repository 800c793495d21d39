package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  private static final Map<String, String> DB = Map.of("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:5432/herald_bench");

  private static String refusal(Map<String, String> env, String... args) {
    return assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse(List.of(args), env)).getMessage();
  }

  @Test
  void everyBadValueNamesItsOption() {
    for (String[] bad : new String[][] {
        {"--users", "3"}, {"--users", "1"}, {"--users", "x"}, {"--duration", "30"}, {"--duration", "0s"},
        {"--warmup", "five"}, {"--inflight", "0"}, {"--rate", "-1"}, {"--rate", "abc"}, {"--node-heap", "lots"},
        {"--setup-concurrency", "0"}, {"--url", "localhost:8080"}}) {
      String message = refusal(DB, bad);
      assertTrue(message.contains(bad[0]), bad[0] + " " + bad[1] + " → " + message);
      assertTrue(message.length() < 200 && !message.contains("\n"), "one line: " + message);
    }
  }

  @Test
  void unknownScenarioAndOptionAreNamed() {
    assertTrue(refusal(DB, "pairs", "ceilling").contains("unknown scenario ceilling"));
    assertTrue(refusal(DB, "--fast").contains("unknown option --fast"));
    assertTrue(refusal(DB, "--users").contains("missing value after --users"));
  }

  @Test
  void aRunNeedsATarget() {
    assertTrue(refusal(Map.of(), "pairs").contains("--url"));
    BenchOptions dry = BenchOptions.parse(List.of("pairs", "--dry-run"), Map.of());
    assertTrue(dry.dryRun());
    BenchOptions url = BenchOptions.parse(List.of("--url", "http://127.0.0.1:8080/"), Map.of());
    assertEquals("http://127.0.0.1:8080", url.url());
  }

  @Test
  void defaultsAndQuickDefaultsWithExplicitFlagsWinning() {
    BenchOptions d = BenchOptions.parse(List.of(), DB);
    assertEquals(Scenarios.DEFAULT, d.scenarios());
    assertEquals(200, d.users());
    assertEquals(Duration.ofSeconds(30), d.duration());
    assertEquals("2g", d.nodeHeap());
    BenchOptions q = BenchOptions.parse(List.of("--quick", "--users", "40", "rate", "pairs", "rate"), DB);
    assertEquals(40, q.users());
    assertEquals(Duration.ofSeconds(3), q.duration());
    assertEquals(List.of("rate", "pairs", "rate"), q.scenarios());
    assertEquals(List.of("rate", "pairs"), Scenarios.ordered(q.scenarios()).stream().map(Scenario::name).toList());
  }

  @Test
  void helpIsAnEmptyUsageException() {
    assertEquals("", refusal(Map.of(), "--help"));
    for (String name : Scenarios.names()) {
      assertTrue(BenchOptions.usage().contains(name), name);
    }
  }
}
