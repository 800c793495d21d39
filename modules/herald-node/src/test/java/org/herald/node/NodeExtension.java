package org.herald.node;

import java.util.function.UnaryOperator;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A fresh PostgreSQL database for the test class, one in-process node on it, and a client. */
final class NodeExtension implements BeforeAllCallback, AfterAllCallback {
  private final PostgresExtension pg = new PostgresExtension();
  private final UnaryOperator<NodeOptions> options;
  private HeraldNode node;
  private HeraldClient client;

  NodeExtension() {
    this(UnaryOperator.identity());
  }

  /** A node with {@code options} applied over the test defaults. */
  NodeExtension(UnaryOperator<NodeOptions> options) {
    this.options = options;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    pg.beforeAll(context);
    node = TestNodes.start(options.apply(TestNodes.on(pg)));
    client = new HeraldClient(node.baseUrl());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (node != null) {
        node.stop();
      }
    } finally {
      pg.afterAll(context);
    }
  }

  HeraldClient client() {
    return client;
  }

  HeraldNode node() {
    return node;
  }
}
