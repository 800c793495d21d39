package org.herald.node;

import static org.herald.testkit.Eventually.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When the database refuses connections, sends answer 503 UNAVAILABLE with a retry hint and
 * nothing is acknowledged that is not durable; when it returns, service resumes by itself and a
 * client's retry with the same clientMessageId stores the message exactly once.
 */
class JournalOutageIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  @Test
  void sendsFailFastWhileTheJournalIsDownAndResumeAfterwards() throws Exception {
    HeraldNode node = TestNodes.start(TestNodes.on(pg));
    try {
      HeraldClient client = new HeraldClient(node.baseUrl());
      Account alice = client.register("outage_alice", "Alice", "pa55word", "phone");
      Account bob = client.register("outage_bob", "Bob", "pa55word", "phone");
      String chatId = client.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
      String path = "/v1/chats/" + chatId + "/messages";
      assertEquals(201, client.post(path, alice.token(), Map.of("clientMessageId", "before", "text", "before")).status());

      TestNodes.allowConnections(pg, false);
      Response down = client.post(path, alice.token(), Map.of("clientMessageId", "during", "text", "during"));
      assertEquals(503, down.status(), down.raw());
      assertEquals("UNAVAILABLE", down.errorCode());
      assertTrue(down.body().path("error").path("retryAfterSeconds").asInt() > 0);

      TestNodes.allowConnections(pg, true);
      Response retried =
          eventually(
              () -> client.post(path, alice.token(), Map.of("clientMessageId", "during", "text", "during")),
              r -> r.status() == 201);
      Response again = client.post(path, alice.token(), Map.of("clientMessageId", "during", "text", "during"));
      assertEquals(retried.body(), again.body());
      JsonNode messages = client.get(path, bob.token()).body().path("messages");
      long copies = 0;
      for (JsonNode m : messages) {
        copies += m.path("text").asText().equals("during") ? 1 : 0;
      }
      assertEquals(1, copies, "stored exactly once");
      assertEquals(messages.size(), messages.get(messages.size() - 1).path("messageId").asInt(), "no gaps in messageId");
    } finally {
      TestNodes.allowConnections(pg, true);
      node.stop();
    }
  }

  /**
   * A node frozen between a journal INSERT and its COMMIT must not commit long afterwards (the
   * read journal would have skipped the event): every session the node opens, the journal's
   * included (same URL), has its idle transactions aborted by the server.
   */
  @Test
  void theServerAbortsTransactionsTheNodeLeavesIdle() throws Exception {
    var config = HeraldNode.config(TestNodes.on(pg).with("herald.db.idle-in-transaction-timeout", "1s"));
    String url = config.getString("pekko-persistence-jdbc.shared-databases.herald.db.url");
    try (Connection conn = DriverManager.getConnection(url, pg.user(), pg.password())) {
      conn.setAutoCommit(false);
      try (Statement st = conn.createStatement()) {
        st.execute("SELECT 1");
        Thread.sleep(1_500);
        assertThrows(SQLException.class, () -> st.execute("SELECT 1"), "an idle transaction outlives the timeout");
      }
    }
  }
}
