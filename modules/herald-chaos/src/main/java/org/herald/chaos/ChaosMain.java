package org.herald.chaos;

import java.util.Arrays;

/**
 * {@code bin/herald chaos}: runs the chaos harness and ends stdout with the summary line. Exit
 * status 0 when nothing was lost, duplicated, out of order or diverged; 1 when something was (or
 * could not be verified); 2 for bad options; 3 when the cluster could not be started.
 */
public final class ChaosMain {
  private ChaosMain() {}

  public static void main(String[] args) {
    ChaosOptions options;
    try {
      options = ChaosOptions.parse(Arrays.asList(args), System.getenv());
    } catch (ChaosOptions.UsageException e) {
      if (e.getMessage().isEmpty()) {
        System.out.print(ChaosOptions.USAGE);
        System.exit(0);
      }
      System.err.println("herald chaos: " + e.getMessage());
      System.err.print(ChaosOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options.dryRun()) {
      System.out.println("chaos: " + options.plan());
      System.exit(0);
    }
    // A bar rewritten in place only where someone watches; piped output gets a line every 10 s.
    options = options.withProgressBar(System.console() != null);
    ChaosResult result;
    try {
      result = Chaos.run(options, System.out, System.err);
    } catch (Cluster.ClusterStartException e) {
      System.out.flush();
      System.err.println("herald chaos: the cluster cannot be started: " + e.getMessage());
      System.exit(3);
      return;
    } catch (RuntimeException e) {
      System.out.flush();
      System.err.println("herald chaos: the run failed: " + e);
      e.printStackTrace();
      System.exit(3);
      return;
    }
    System.out.print(result.table());
    System.out.println(result.summaryLine());
    System.out.flush();
    System.exit(result.passed() ? 0 : 1);
  }
}
