package org.herald.node;

import org.herald.testkit.HeraldClient;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process node on the class's PostgreSQL database, with a client for it. Register it
 * after the {@link PostgresExtension} ({@code @Order}).
 */
final class NodeExtension implements BeforeAllCallback, AfterAllCallback {
  private final PostgresExtension pg;
  private HeraldNode node;
  private HeraldClient client;

  NodeExtension(PostgresExtension pg) {
    this.pg = pg;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    node = TestNodes.start(TestNodes.on(pg));
    client = new HeraldClient(node.baseUrl());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (node != null) {
      node.stop();
    }
  }

  HeraldClient client() {
    return client;
  }
}
