package org.herald.node;

import java.util.Arrays;

/** Runs one Herald node until SIGTERM; prints "Herald is ready on …" once it accepts requests. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
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
