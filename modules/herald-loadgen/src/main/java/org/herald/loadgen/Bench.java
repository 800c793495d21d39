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
        boolean first = true;
        for (Scenario scenario : Scenarios.ordered(options.scenarios())) {
          String settled = first ? null : settle(options, context, scenario.name(), err);
          first = false;
          ScenarioResult r;
          try {
            r = scenario.run(context);
          } catch (Exception e) {
            throw new IllegalStateException("scenario " + scenario.name() + " failed: " + e.getMessage(), e);
          }
          if (settled != null) {
            r = r.withFigure("db_settled_before", settled);
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

  /**
   * Lets the node and its database digest the last scenario before {@code next}: waits for the
   * node's projections to catch up (when the bench started the node and can read its lag), then
   * settles the database (see {@link DatabaseSettle}; when the bench knows it). What it did, or
   * null when it could do neither; a failure is told, not fatal.
   */
  private static String settle(BenchOptions options, BenchContext context, String next, PrintStream err) {
    List<String> done = new ArrayList<>();
    if (context.startedNode()) {
      done.add(context.awaitProjections());
    }
    if (options.dbUrl() != null) {
      try {
        done.add(DatabaseSettle.settle(options.dbUrl(), options.dbUser(), options.dbPassword()).describe());
      } catch (java.sql.SQLException e) {
        done.add("database not settled: " + e.getMessage());
      }
    }
    if (done.isEmpty()) {
      return null;
    }
    String what = String.join(", ", done);
    err.println("herald bench: before " + next + ": " + what);
    err.flush();
    return what;
  }

}
