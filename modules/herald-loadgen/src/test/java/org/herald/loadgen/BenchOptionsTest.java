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
        {"--warmup", "five"}, {"--warmup-max", "5m"}, {"--inflight", "0"}, {"--rate", "-1"}, {"--rate", "abc"}, {"--node-heap", "lots"},
        {"--setup-concurrency", "0"}, {"--url", "localhost:8080"}, {"--url", "https://herald.example:443"}, {"--members", "1"}, {"--members", "200001"},
        {"--connected", "0"}, {"--posts", "0"}, {"--subscribers", "x"}, {"--channel-connected", "0"},
        {"--channel-posts", "1001"}, {"--connections", "0"}, {"--messages", "0"}, {"--recovery-sizes", "1000,,5"},
        {"--recovery-sizes", "5,5"}, {"--node-java-opt", "verbose"}, {"--node-java-opt", "-Xmx8g"},
        {"--node-java-opt", "-Da=1 -Db=2"}}) {
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
    assertEquals("8g", BenchOptions.parse(List.of("fanout"), DB).nodeHeap(), "200,000 subscribers' accounts need more than 2g");
    assertEquals("2g", BenchOptions.parse(List.of("fanout", "--subscribers", "50000"), DB).nodeHeap());
    assertEquals("2g", BenchOptions.parse(List.of("pairs", "--subscribers", "200000"), DB).nodeHeap());
    assertEquals("4g", BenchOptions.parse(List.of("fanout", "--node-heap", "4g"), DB).nodeHeap());
    assertEquals(List.of(), d.nodeJavaOptions());
    assertEquals(List.of("-XX:+UseParallelGC", "-XX:StartFlightRecording=filename=n.jfr"), BenchOptions.parse(List.of(
        "--node-java-opt", "-XX:+UseParallelGC", "--node-java-opt", "-XX:StartFlightRecording=filename=n.jfr"), DB).nodeJavaOptions());
    BenchOptions q = BenchOptions.parse(List.of("--quick", "--users", "40", "rate", "pairs", "rate"), DB);
    assertEquals(40, q.users());
    assertEquals(Duration.ofSeconds(3), q.duration());
    assertEquals(List.of("rate", "pairs", "rate"), q.scenarios());
    assertEquals(List.of("rate", "pairs"), Scenarios.ordered(q.scenarios()).stream().map(Scenario::name).toList());
  }

  @Test
  void theWarmUpWaitsForTheJitUpToItsMostExceptInAQuickRun() {
    BenchOptions d = BenchOptions.parse(List.of(), DB);
    assertEquals(Duration.ofSeconds(20), d.warmup());
    assertEquals(Duration.ofSeconds(240), d.warmupMax());
    assertTrue(d.plan().contains("20s warm-up (up to 240s"), d.plan());
    BenchOptions q = BenchOptions.parse(List.of("--quick"), DB);
    assertEquals(q.warmup(), q.warmupMax(), "a quick run proves the tool, it does not wait for the JIT");
    assertEquals(Duration.ofSeconds(300), BenchOptions.parse(List.of("--warmup", "300s"), DB).warmupMax());
    assertEquals(Duration.ofSeconds(20), BenchOptions.parse(List.of("--warmup-max", "20s"), DB).warmupMax());
    assertTrue(refusal(DB, "--warmup", "30s", "--warmup-max", "20s").contains("--warmup-max must be at least --warmup"));
    assertEquals(Duration.ofMillis(300_500), BenchOptions.parse(List.of("--warmup", "300.5s"), DB).warmupMax());
    assertEquals(Duration.ZERO, BenchOptions.parse(List.of("--warmup", "0s"), DB).warmupMax(), "no warm-up, no wait");
    BenchOptions url = BenchOptions.parse(List.of("--url", "http://127.0.0.1:8080"), Map.of());
    assertEquals(url.warmup(), url.warmupMax(), "the bench reads the JIT of the node it starts only");
    assertTrue(!url.plan().contains("JIT"), url.plan());
    assertTrue(refusal(Map.of(), "--url", "http://127.0.0.1:8080", "--warmup-max", "60s").contains("--warmup-max needs the node"));
  }

  @Test
  void scenarioSizesHaveDefaultsQuickDefaultsAndChecksBetweenThem() {
    BenchOptions.Sizes d = BenchOptions.parse(List.of("fanout"), DB).sizes();
    assertEquals(new BenchOptions.Sizes(1000, 1000, 100, 200_000, 10_000, 5, 19_000, List.of(100_000, 1_000_000)), d);
    BenchOptions.Sizes q = BenchOptions.parse(List.of("--quick"), DB).sizes();
    assertEquals(new BenchOptions.Sizes(20, 20, 10, 200, 50, 2, 200, List.of(1000, 5000)), q);
    BenchOptions.Sizes given = BenchOptions.parse(List.of("--quick", "--members", "50", "--subscribers", "30", "--messages", "7"), DB).sizes();
    assertEquals(50, given.connected());
    assertEquals(30, given.channelConnected());
    assertEquals(List.of(7), given.recoverySizes());
    assertEquals(List.of(10, 20), BenchOptions.parse(List.of("--recovery-sizes", "10,20"), DB).sizes().recoverySizes());
    assertTrue(refusal(DB, "--members", "10", "--connected", "11").contains("--connected"));
    assertTrue(refusal(DB, "--subscribers", "10", "--channel-connected", "11").contains("--channel-connected"));
  }

  @Test
  void recoveryIsRefusedAgainstANodeItCannotRestart() {
    assertTrue(refusal(Map.of(), "recovery", "--url", "http://127.0.0.1:8080").contains("--url"));
  }

  @Test
  void helpIsAnEmptyUsageException() {
    assertEquals("", refusal(Map.of(), "--help"));
    for (String name : Scenarios.names()) {
      assertTrue(BenchOptions.usage().contains(name), name);
    }
  }
}
