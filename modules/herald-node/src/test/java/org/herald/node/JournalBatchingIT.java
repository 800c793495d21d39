package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The journal's batched write path ({@link BatchedJournalDao}) under concurrent writers: many
 * chats send at once, so batches hold several entities' events. Every event lands with its tag,
 * each chat's orderings grow with its sequence numbers (what eventsByTag readers rely on), and
 * the projections, which read through the tags, see every message. Deleting events removes their
 * tag rows too.
 */
class JournalBatchingIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  private static final int CHATS = 12;
  private static final int MESSAGES = 20;

  @Test
  void concurrentWritesKeepTagsAndOrderingAndReachTheReadModels() throws Exception {
    HeraldNode node = TestNodes.benchmarkNode(pg);
    ExecutorService pool = Executors.newFixedThreadPool(CHATS);
    try {
      HeraldClient client = new HeraldClient(node.baseUrl());
      List<Account> senders = new ArrayList<>();
      List<String> chats = new ArrayList<>();
      for (int i = 0; i < CHATS; i++) {
        Account a = client.registerUnique("batch");
        Account b = client.registerUnique("batch");
        senders.add(a);
        chats.add(client.post("/v1/chats", a.token(), Map.of("kind", "direct", "userId", b.userId())).text("chatId"));
      }
      List<CompletableFuture<Void>> sending = new ArrayList<>();
      for (int i = 0; i < CHATS; i++) {
        int n = i;
        sending.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int m = 1; m <= MESSAGES; m++) {
                    assertEquals(
                        201,
                        client
                            .post(
                                "/v1/chats/" + chats.get(n) + "/messages",
                                senders.get(n).token(),
                                Map.of("clientMessageId", "c" + m, "text", "batched " + m))
                            .status());
                  }
                },
                pool));
      }
      CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).join();

      try (Connection conn = pg.connect();
          Statement st = conn.createStatement()) {
        try (ResultSet rs =
            st.executeQuery(
                "SELECT count(*), count(t.event_id), count(*) FILTER (WHERE t.tag LIKE 'chat-%')"
                    + " FROM event_journal j LEFT JOIN event_tag t ON t.event_id = j.ordering"
                    + " WHERE j.persistence_id LIKE 'Chat|%'")) {
          rs.next();
          int events = CHATS * (MESSAGES + 1);
          assertEquals(events, rs.getInt(1), "each chat's creation and messages are journaled once");
          assertEquals(events, rs.getInt(2), "every chat event has its tag row");
          assertEquals(events, rs.getInt(3), "and the tag is the chat's");
        }
        try (ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM (SELECT ordering < lag(ordering) OVER w AS backwards FROM event_journal"
                    + " WINDOW w AS (PARTITION BY persistence_id ORDER BY sequence_number)) x WHERE backwards")) {
          rs.next();
          assertEquals(0, rs.getInt(1), "no persistence id has an event ordered before an earlier one");
        }
      }

      for (int i = 0; i < CHATS; i++) {
        String chatId = chats.get(i);
        Account sender = senders.get(i);
        long deadline = System.nanoTime() + 30_000_000_000L;
        long last = -1;
        while (System.nanoTime() < deadline) {
          var dialogs = client.get("/v1/dialogs", sender.token()).body().path("dialogs");
          last = dialogs.size() == 1 ? dialogs.get(0).path("lastMessage").path("messageId").asLong() : -1;
          if (last == MESSAGES) {
            break;
          }
          Thread.sleep(100);
        }
        assertEquals(MESSAGES, last, "the dialogs projection, reading by tag, saw chat " + chatId + "'s last message");
      }

      // No foreign key cascades from the journal to event_tag (migration V15): the DAO's delete
      // removes the tag rows of the events the plugin deleted, and no other.
      String deletedPid = "Chat|" + chats.get(0);
      Object reply =
          Patterns.askWithReplyTo(
                  Persistence.get(Adapter.toClassic(node.system())).journalFor("", ConfigFactory.empty()),
                  replyTo -> new JournalProtocol.DeleteMessagesTo(deletedPid, 10, replyTo),
                  Duration.ofSeconds(10))
              .toCompletableFuture()
              .get(15, TimeUnit.SECONDS);
      assertInstanceOf(DeleteMessagesSuccess.class, reply, String.valueOf(reply));
      try (Connection conn = pg.connect();
          Statement st = conn.createStatement()) {
        int left;
        try (ResultSet rs =
            st.executeQuery("SELECT count(*) FILTER (WHERE sequence_number < 10), count(*) FROM event_journal"
                + " WHERE persistence_id = '" + deletedPid + "'")) {
          rs.next();
          assertEquals(0, rs.getInt(1), "the plugin deleted the events below the last one asked");
          left = rs.getInt(2);
        }
        try (ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FILTER (WHERE j.persistence_id = '" + deletedPid + "'),"
                    + " count(*) FILTER (WHERE j.ordering IS NULL), count(*) FILTER (WHERE t.tag LIKE 'chat-%')"
                    + " FROM event_tag t LEFT JOIN event_journal j ON j.ordering = t.event_id")) {
          rs.next();
          assertEquals(left, rs.getInt(1), "the chat's remaining events keep their tag rows");
          assertEquals(0, rs.getInt(2), "no tag row is left without its event");
          assertEquals(CHATS * (MESSAGES + 1) - (MESSAGES + 1 - left), rs.getInt(3), "the other chats' tag rows are all there");
        }
      }
    } finally {
      pool.shutdownNow();
      node.stop();
    }
  }
}
