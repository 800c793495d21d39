package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Sink;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node's read journal is {@link TagRangeReadJournalDao}, and its eventsByTag answers exactly
 * the plugin's rows: for every tag and offset, the tag's events after the offset in ordering
 * order, without deleted ones, each with its persistence id and sequence number, across pages
 * smaller than the tag (max-buffer-size 7 here).
 */
class TagRangeReadJournalIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  @Test
  void eventsByTagReadsEveryTagsEventsAfterTheOffsetInOrderWithoutDeletedOnes() throws Exception {
    HeraldNode node = TestNodes.start(TestNodes.on(pg).with("jdbc-read-journal.max-buffer-size", 7));
    try {
      assertEquals(
          TagRangeReadJournalDao.class.getName(), node.system().settings().config().getString("jdbc-read-journal.dao"));
      HeraldClient client = new HeraldClient(node.baseUrl());
      for (int c = 0; c < 4; c++) {
        Account a = client.registerUnique("range");
        Account b = client.registerUnique("range");
        String chatId = client.post("/v1/chats", a.token(), Map.of("kind", "direct", "userId", b.userId())).text("chatId");
        for (int m = 1; m <= 10; m++) {
          assertEquals(201, client.post("/v1/chats/" + chatId + "/messages", a.token(), Map.of("clientMessageId", "r" + m, "text", "range " + m)).status());
        }
      }
      try (Connection conn = pg.connect();
          Statement st = conn.createStatement()) {
        // A few deleted rows, which no read may return.
        st.executeUpdate(
            "UPDATE event_journal SET deleted = true WHERE ordering IN"
                + " (SELECT ordering FROM event_journal WHERE persistence_id LIKE 'Chat|%' ORDER BY ordering OFFSET 5 LIMIT 3)");
      }

      JdbcReadJournal journal =
          PersistenceQuery.get(node.system()).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
      int tagsSeen = 0;
      for (int t = 0; t < 8; t++) {
        String tag = "chat-" + t;
        List<String> all = expected(tag, 0);
        if (all.isEmpty()) {
          continue;
        }
        tagsSeen++;
        long middle = Long.parseLong(all.get(all.size() / 2).split(" ")[0]);
        // The read journal serves orderings up to the highest its sequence actor has seen (it
        // polls every 200 ms): wait until it has seen the last write.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!read(journal, node, tag, 0).equals(all) && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        for (long offset : List.of(0L, middle)) {
          assertEquals(expected(tag, offset), read(journal, node, tag, offset), tag + " after " + offset);
        }
      }
      assertTrue(tagsSeen >= 2, "the chats' events spread over several tags");
    } finally {
      node.stop();
    }
  }

  /** "ordering persistenceId sequenceNr" of what the node's read journal answers. */
  private static List<String> read(JdbcReadJournal journal, HeraldNode node, String tag, long offset) throws Exception {
    List<String> read = new ArrayList<>();
    for (EventEnvelope e :
        journal.currentEventsByTag(tag, Sequence.apply(offset)).runWith(Sink.seq(), node.system()).toCompletableFuture().get()) {
      read.add(((Sequence) e.offset()).value() + " " + e.persistenceId() + " " + e.sequenceNr());
    }
    return read;
  }

  /** "ordering persistenceId sequenceNr" of the tag's live events after {@code offset}, from SQL. */
  private static List<String> expected(String tag, long offset) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection conn = pg.connect();
        PreparedStatement ps =
            conn.prepareStatement(
                "SELECT j.ordering, j.persistence_id, j.sequence_number FROM event_tag t JOIN event_journal j"
                    + " ON j.ordering = t.event_id WHERE t.tag = ? AND t.event_id > ? AND NOT j.deleted ORDER BY j.ordering")) {
      ps.setString(1, tag);
      ps.setLong(2, offset);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getLong(3));
        }
      }
    }
    return rows;
  }
}
