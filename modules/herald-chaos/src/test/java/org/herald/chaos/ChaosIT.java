package org.herald.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A short chaos run: three node processes on a fresh database, about a minute of client load
 * with a SIGKILL every 15 s and one freeze past failure detection (at least three faults: kill,
 * freeze, kill), then the full check through the API. Every acknowledged message must be stored
 * once, in order, and every client must end with the server's history. Timings are reported,
 * never asserted. Node logs and result.json stay in target/chaos-it/.
 */
class ChaosIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  @Test
  void aClusterKilledAndFrozenUnderLoadLosesNothingAndKeepsEveryClientInSync() {
    String classpath = System.getProperty("java.class.path");
    assertTrue(classpath.contains("herald-node"),
        "the nodes are started with this JVM's class path, which must hold herald-node (failsafe useManifestOnlyJar=false): " + classpath);
    String runDir = "target/chaos-it/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    ChaosOptions options =
        ChaosOptions.parse(
                List.of(
                    "--nodes", "3",
                    "--duration", "60s",
                    "--kill-every", "15s",
                    // Past failure detection (a node is unreachable after about 3 s of silence),
                    // short enough to fit a minute.
                    "--freeze-for", "8s",
                    "--min-faults", "3",
                    "--users", "12",
                    "--rate", "30",
                    "--work-dir", runDir,
                    "--db-url", pg.url()),
                Map.of("HERALD_DB_USER", pg.user(), "HERALD_DB_PASSWORD", pg.password()))
            .withNodeClasspath(classpath)
            .withProgressBar(false);

    ChaosResult result = Chaos.run(options, System.out, System.err);

    String report = result.table() + result.summaryLine();
    new PrintStream(System.out, true, StandardCharsets.UTF_8).println(report);
    assertTrue(result.acked() > 0, report);
    assertTrue(result.kills() >= 2, "at least two kills\n" + report);
    assertTrue(result.freezes() >= 1, "at least one freeze\n" + report);
    assertEquals(0, result.lost(), "lost\n" + report);
    assertEquals(0, result.duplicates(), "duplicates\n" + report);
    assertEquals(0, result.gaps(), "gaps\n" + report);
    assertEquals(0, result.diverged(), "diverged\n" + report);
    assertTrue(result.passed(), "every message verified, the cluster healed, every client finished\n" + report);
  }
}
