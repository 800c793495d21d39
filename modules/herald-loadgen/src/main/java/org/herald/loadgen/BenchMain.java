package org.herald.loadgen;

import java.util.Arrays;

/**
 * {@code bin/herald bench}: runs the scenarios and ends stdout with one result line each. Exit
 * status 0 when every scenario measured; 2 for bad options (before anything starts); 3 when the
 * node could not be started or a scenario could not measure.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    BenchOptions options;
    try {
      options = BenchOptions.parse(Arrays.asList(args), System.getenv());
    } catch (BenchOptions.UsageException e) {
      if (e.getMessage().isEmpty()) {
        System.out.print(BenchOptions.usage());
        System.exit(0);
      }
      System.err.println("herald bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (options.dryRun()) {
      System.out.println("bench: plan " + options.plan());
      System.exit(0);
    }
    options = options.withProgressBar(System.console() != null);
    try {
      Bench.run(options, System.out, System.err);
    } catch (Exception e) {
      System.out.flush();
      System.err.println("herald bench: the run failed: " + e.getMessage());
      e.printStackTrace();
      System.exit(3);
      return;
    }
    System.exit(0);
  }
}
