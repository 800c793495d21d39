package org.herald.node;

import java.util.Arrays;

/** Runs one Herald node until SIGTERM; prints "Herald is ready on …" once it accepts requests. */
public final class Main {
  private Main() {}

  /**
   * Pekko's Java ask answers with a Scala-backed {@code CompletionStage} whose every
   * {@code thenApply} runs on the JDK's default async executor. On a machine with one or two
   * cores the common pool's parallelism is 1, and the JDK then starts a new thread per callback
   * (several per request). At least 2 keeps those callbacks on the common pool's threads.
   */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    // Before anything touches ForkJoinPool: the common pool reads this once, at class init.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(
          COMMON_POOL_PARALLELISM, String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors())));
    }
    NodeOptions options;
    try {
      options = NodeOptions.parse(Arrays.asList(args), System.getenv());
    } catch (NodeOptions.UsageException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("herald: " + e.getMessage());
      }
      System.err.print(NodeOptions.USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    HeraldNode node;
    try {
      node = HeraldNode.start(options).toCompletableFuture().join();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("herald: cannot start: " + cause.getMessage());
      System.exit(1);
      return;
    }
    System.out.println("Herald is ready on " + node.baseUrl());
    System.out.println("Operator port (health, metrics, cluster members, projections): " + node.adminUrl());
    System.out.flush();
    node.whenTerminated().toCompletableFuture().join();
  }
}
