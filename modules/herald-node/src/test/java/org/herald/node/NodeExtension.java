package org.herald.node;

import org.herald.testkit.HeraldClient;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A fresh PostgreSQL database for the test class, one in-process node on it, and a client. */
final class NodeExtension implements BeforeAllCallback, AfterAllCallback {
  private final PostgresExtension pg = new PostgresExtension();
  private HeraldNode node;
  private HeraldClient client;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    pg.beforeAll(context);
    node = TestNodes.start(TestNodes.on(pg));
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
