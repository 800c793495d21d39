package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;
import org.herald.projection.common.TagFeedSource;
import org.herald.projection.common.TagFeeds;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A projection's source through the node's shared tag feed reads exactly what the journal holds:
 * every live event of the tag after its offset, in order, once, then new events as they are
 * written. The feed here keeps only 5 events and reads 3 at a time, so a reader from the start is
 * far below its buffer: it reads the journal itself (skipping deleted rows) and then joins the
 * feed, while the node's own projections read through the same feed.
 */
class TagFeedIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  @Test
  void aReaderGetsEveryEventOfTheTagAfterItsOffsetInOrderOnceThenTheNewOnes() throws Exception {
    HeraldNode node =
        TestNodes.start(
            TestNodes.on(pg)
                .with("herald.projections.feed.capacity", 5)
                .with("jdbc-read-journal.max-buffer-size", 3)
                .with("jdbc-read-journal.refresh-interval", "100ms"));
    try {
      HeraldClient client = new HeraldClient(node.baseUrl());
      Account a = client.registerUnique("feed");
      Account b = client.registerUnique("feed");
      String chatId = client.post("/v1/chats", a.token(), Map.of("kind", "direct", "userId", b.userId())).text("chatId");
      for (int m = 1; m <= 20; m++) {
        assertEquals(201, client.post("/v1/chats/" + chatId + "/messages", a.token(), Map.of("clientMessageId", "f" + m, "text", "feed " + m)).status());
      }
      String tag = tagOf(chatId);
      // Deleted rows near the start of the tag, far below the feed's buffer: no reader gets them.
      // The feed may still hold them in memory while the node's projections read them (deleted
      // after the feed read them, they are served from there), so they are deleted once it has
      // let them go.
      assertEquals(0L, TagFeeds.get(node.system()).floor("no-such-tag").toCompletableFuture().get(), "no feed, nothing let go");
      awaitFloorPast(node, tag, lastToDelete(tag));
      try (Connection conn = pg.connect();
          PreparedStatement ps =
              conn.prepareStatement(
                  "UPDATE event_journal SET deleted = true WHERE ordering IN"
                      + " (SELECT event_id FROM event_tag WHERE tag = ? ORDER BY event_id OFFSET 2 LIMIT 3)")) {
        ps.setString(1, tag);
        assertEquals(3, ps.executeUpdate());
      }
      List<String> before = expected(tag, 0);
      long middle = Long.parseLong(before.get(before.size() / 2).split(" ")[0]);

      List<String> fromStart = Collections.synchronizedList(new ArrayList<>());
      List<String> fromMiddle = Collections.synchronizedList(new ArrayList<>());
      read(node, tag, 0, fromStart);
      read(node, tag, middle, fromMiddle);
      for (int m = 21; m <= 30; m++) {
        assertEquals(201, client.post("/v1/chats/" + chatId + "/messages", b.token(), Map.of("clientMessageId", "f" + m, "text", "feed " + m)).status());
      }

      List<String> all = expected(tag, 0);
      assertEquals(before.size() + 10, all.size(), "ten new events on the tag");
      awaitEqual(all, fromStart, "from the start");
      awaitEqual(expected(tag, middle), fromMiddle, "from the middle");
    } finally {
      node.stop();
    }
  }

  /** Runs a reader of the tag after {@code offset}, appending "ordering persistenceId sequenceNr". */
  private static void read(HeraldNode node, String tag, long offset, List<String> into) throws Exception {
    TagFeedSource<Object> source = TagFeeds.get(node.system()).source(tag);
    source
        .source(() -> CompletableFuture.completedFuture(Optional.<Offset>of(Sequence.apply(offset))))
        .toCompletableFuture()
        .get()
        .runWith(Sink.foreach((EventEnvelope<Object> e) -> into.add(((Sequence) e.offset()).value() + " " + e.persistenceId() + " " + e.sequenceNr())), node.system());
  }

  /** The feed's floor reaches {@code ordering}: it no longer holds that event or any before it. */
  private static void awaitFloorPast(HeraldNode node, String tag, long ordering) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    long floor = Long.MIN_VALUE;
    while (floor < ordering && System.nanoTime() < deadline) {
      try {
        floor = TagFeeds.get(node.system()).floor(tag).toCompletableFuture().get(2, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException busy) {
        // a node busy under CI load: ask again
      }
      if (floor < ordering) {
        Thread.sleep(50);
      }
    }
    assertTrue(floor >= ordering, "the feed let go of ordering " + ordering + " (its floor is " + floor + ")");
  }

  /** The highest ordering the test's UPDATE marks deleted (the same subquery). */
  private static long lastToDelete(String tag) throws Exception {
    try (Connection conn = pg.connect();
        PreparedStatement ps =
            conn.prepareStatement(
                "SELECT max(event_id) FROM (SELECT event_id FROM event_tag WHERE tag = ? ORDER BY event_id OFFSET 2 LIMIT 3) d")) {
      ps.setString(1, tag);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void awaitEqual(List<String> expected, List<String> actual, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (actual.size() < expected.size() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Thread.sleep(300); // nothing more, nothing twice
    synchronized (actual) {
      assertEquals(expected, new ArrayList<>(actual), what);
    }
  }

  private static String tagOf(String chatId) throws Exception {
    try (Connection conn = pg.connect();
        PreparedStatement ps =
            conn.prepareStatement(
                "SELECT t.tag FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id WHERE j.persistence_id = ? LIMIT 1")) {
      ps.setString(1, "Chat|" + chatId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
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
