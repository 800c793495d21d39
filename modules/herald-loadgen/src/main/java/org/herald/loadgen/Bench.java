package org.herald.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * One bench run: the target (a node started here, or --url), the scenarios in order (one that
 * runs first, like the ceiling, ahead), each scenario's table and result line on stdout, then
 * results.json and the charts in the output directory.
 */
public final class Bench {
  private Bench() {}

  /** Everything a run produced, for BenchMain's exit status and for tests. */
  public record Report(List<ScenarioResult> results, List<String> lines, java.nio.file.Path outDir) {}

  public static Report run(BenchOptions options, PrintStream out, PrintStream err) throws IOException {
    Files.createDirectories(options.outDir());
    err.println("herald bench: " + options.plan());
    TargetNode node = null;
    Thread hook = null;
    try {
      String baseUrl = options.url();
      if (baseUrl == null) {
        err.println("herald bench: starting a node (heap " + options.nodeHeap() + "; password hashing made cheap for the"
            + " test accounts: Argon2id m=" + TargetNode.ARGON2_MEMORY_KIB + " KiB, t=" + TargetNode.ARGON2_ITERATIONS
            + ", which no scenario measures); log in " + options.outDir().resolve("node-1.log"));
        node = TargetNode.start(options, options.outDir());
        // Ctrl-C ends this JVM, not its child: the hook stops the node too.
        TargetNode started = node;
        hook = new Thread(started::close, "bench-stop-node");
        Runtime.getRuntime().addShutdownHook(hook);
        baseUrl = node.baseUrl();
        err.println("herald bench: node ready at " + baseUrl + " (pid " + node.pid() + ")");
      }
      List<ScenarioResult> results = new ArrayList<>();
      List<String> lines = new ArrayList<>();
      try (BenchClient client = new BenchClient(baseUrl, options.setupConcurrency())) {
        BenchContext context = new BenchContext(options, baseUrl, node, client, err);
        for (Scenario scenario : Scenarios.ordered(options.scenarios())) {
          ScenarioResult r;
          try {
            r = scenario.run(context);
          } catch (Exception e) {
            throw new IllegalStateException("scenario " + scenario.name() + " failed: " + e.getMessage(), e);
          }
          results.add(r);
          out.print(Results.table(r));
          out.flush();
        }
        for (ScenarioResult r : results) {
          String line = r.resultLine(context.ceilingPerSecond().isPresent() ? context.ceilingPerSecond().getAsDouble() : null);
          lines.add(line);
        }
        Results.write(options, baseUrl, context.nodePid(), context.ceilingPerSecond(), results, lines);
      }
      lines.forEach(out::println);
      out.println("herald bench: results in " + options.outDir().toAbsolutePath().resolve("results.json") + " (charts beside it)");
      out.flush();
      return new Bench.Report(results, lines, options.outDir());
    } finally {
      if (node != null) {
        node.close();
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    }
  }
}
