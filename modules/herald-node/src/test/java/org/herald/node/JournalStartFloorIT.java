package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A restarted node's read journal starts from what the projections already stored ({@link
 * TagRangeReadJournalDao}'s start floor), not from ordering 0: an old gap in the journal (here
 * orderings taken by a write that never committed) holds the first node's projections up for
 * {@code max-tries} x {@code query-delay}, but not the next node's, which starts above it.
 */
class JournalStartFloorIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  /** The second node would wait this long at a gap it found: 300 x 200 ms. */
  private static final long GAP_WAIT_MS = 60_000;

  @Test
  void anOldGapBelowTheStoredOffsetsDoesNotHoldARestartedNodesProjections() throws Exception {
    HeraldNode node = TestNodes.start(TestNodes.on(pg));
    String chatId;
    Account a;
    long gapFrom;
    try {
      HeraldClient client = new HeraldClient(node.baseUrl());
      a = client.registerUnique("floor");
      Account b = client.registerUnique("floor");
      chatId = client.post("/v1/chats", a.token(), Map.of("kind", "direct", "userId", b.userId())).text("chatId");
      send(client, a, chatId, 1, 5);
      try (Connection conn = pg.connect();
          Statement st = conn.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT min(v) FROM (SELECT nextval(pg_get_serial_sequence('event_journal', 'ordering')) AS v"
                      + " FROM generate_series(1, 5)) burnt")) {
        rs.next();
        gapFrom = rs.getLong(1);
      }
      send(client, a, chatId, 6, 10);
      // This node's sequence actor finds the gap and waits for it (10 s by default), then its
      // projections go past it and store their offsets above it.
      awaitProjected(chatId, 10, 60_000);
      assertTrue(highestStoredOffset() > gapFrom + 5, "the projections stored offsets above the gap");
    } finally {
      node.stop();
    }

    node = TestNodes.start(TestNodes.on(pg).with("jdbc-read-journal.journal-sequence-retrieval.max-tries", 300));
    try {
      HeraldClient client = new HeraldClient(node.baseUrl());
      send(client, a, chatId, 11, 11);
      long t = System.nanoTime();
      // Reading from ordering 0 the actor would stop at the gap for GAP_WAIT_MS before it let
      // any projection see message 11.
      awaitProjected(chatId, 11, GAP_WAIT_MS / 2);
      assertTrue((System.nanoTime() - t) / 1_000_000 < GAP_WAIT_MS / 2);
      try (Connection conn = pg.connect();
          Statement st = conn.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM event_journal WHERE ordering BETWEEN " + gapFrom + " AND " + (gapFrom + 4))) {
        rs.next();
        assertEquals(0, rs.getLong(1), "the gap is still there");
      }
    } finally {
      node.stop();
    }
  }

  private static void send(HeraldClient client, Account from, String chatId, int first, int last) {
    for (int m = first; m <= last; m++) {
      assertEquals(
          201, client.post("/v1/chats/" + chatId + "/messages", from.token(), Map.of("clientMessageId", "f" + m, "text", "floor " + m)).status());
    }
  }

  /** Waits until the history projection has written message {@code messageId} of the chat. */
  private static void awaitProjected(String chatId, long messageId, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (true) {
      try (Connection conn = pg.connect();
          PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM chat_messages WHERE chat_id = ? AND message_id = ?")) {
        ps.setString(1, chatId);
        ps.setLong(2, messageId);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return;
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("message " + messageId + " of " + chatId + " not in the history read model after " + timeoutMs + " ms");
      }
      Thread.sleep(100);
    }
  }

  private static long highestStoredOffset() throws Exception {
    try (Connection conn = pg.connect();
        Statement st = conn.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT max(CAST(current_offset AS BIGINT)) FROM pekko_projection_offset_store WHERE manifest = 'SEQ'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
