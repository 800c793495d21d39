package org.herald.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.herald.domain.content.ContentCipher;
import org.herald.domain.content.ContentKey;
import org.herald.domain.content.MasterKey;
import org.herald.domain.content.Sealed;
import org.herald.projection.keys.JdbcContentKeys;
import org.herald.projection.keys.KeyCheck;
import java.util.concurrent.Executor;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.Message;
import org.herald.domain.chat.Role;
import org.herald.projection.common.JdbcSessions;
import org.herald.projection.dialogs.Dialog;
import org.herald.projection.dialogs.DialogsProjectionHandler;
import org.herald.projection.dialogs.DialogsRepository;
import org.herald.projection.history.HistoryProjectionHandler;
import org.herald.projection.history.HistoryRepository;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The projection handlers and repositories against the real schema: migrations applied to a
 * fresh PostgreSQL database (and to H2, so both vendors' SQL is exercised), chat events handled,
 * read models queried.
 */
class ReadModelsIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  static final Executor DIRECT = Runnable::run;
  static final Instant T0 = Instant.parse("2026-11-21T10:00:00.000Z");
  static HikariDataSource postgres;
  static HikariDataSource h2;

  @BeforeAll
  static void migrate() {
    postgres = TestDatabases.postgres(pg, "test-pg");
    h2 = TestDatabases.h2("readmodels");
  }

  @AfterAll
  static void close() {
    postgres.close();
    h2.close();
  }

  /** Dialogs and history take the events as one group, in one transaction each. */
  static void handle(HikariDataSource ds, List<ChatEvent> events) throws Exception {
    handle(ds, events, Math.max(1, events.size()));
  }

  /**
   * Dialogs takes the events in groups of {@code dialogsGroup}, one transaction each; history
   * takes them as one group. The events are numbered 1, 2, … as their journal positions.
   */
  static void handle(HikariDataSource ds, List<ChatEvent> events, int dialogsGroup) throws Exception {
    handle(ds, events, dialogsGroup, false);
  }

  /** As above; with {@code fullMessageNewRows}, history keeps a copy of each message in its message.new row. */
  static void handle(HikariDataSource ds, List<ChatEvent> events, int dialogsGroup, boolean fullMessageNewRows)
      throws Exception {
    JdbcHandler<List<EventEnvelope<ChatEvent>>, JdbcSessions> dialogs = new DialogsProjectionHandler();
    List<EventEnvelope<ChatEvent>> group = new java.util.ArrayList<>();
    long seq = 0;
    for (ChatEvent event : events) {
      seq++;
      group.add(EventEnvelope.create(Offset.sequence(seq), "Chat|" + event.chatId(), seq, event, 0L));
    }
    for (int from = 0; from < group.size(); from += dialogsGroup) {
      JdbcSessions session = new JdbcSessions(ds);
      dialogs.process(session, group.subList(from, Math.min(group.size(), from + dialogsGroup)));
      session.commit();
      session.close();
    }
    JdbcSessions session = new JdbcSessions(ds);
    new HistoryProjectionHandler(fullMessageNewRows).process(session, group);
    session.commit();
    session.close();
  }

  static final MasterKey MASTER = MasterKey.generate();

  static JdbcContentKeys keys(HikariDataSource ds) {
    return new JdbcContentKeys(ds, DIRECT, MASTER, java.time.Clock.systemUTC(), 1000);
  }

  static Sealed seal(HikariDataSource ds, String chatId, long messageId, String text) {
    ContentKey key = keys(ds).issue(1).toCompletableFuture().join().get(0);
    return ContentCipher.seal(key, chatId, messageId, text);
  }

  /** The text of sealed content, read through a fresh key table (no cache). */
  static String open(HikariDataSource ds, String chatId, Message m) {
    Map<String, ContentKey> found = keys(ds).find(List.of(m.content().keyId())).toCompletableFuture().join();
    ContentKey key = found.get(m.content().keyId());
    return key == null ? null : ContentCipher.open(key, m.content(), chatId, m.messageId());
  }

  static List<ChatEvent> story(HikariDataSource ds, String chatId, String a, String b) {
    return List.of(
        new ChatEvent.ChatCreated(chatId, ChatKind.DIRECT, null, a, List.of(a, b), T0, null, false),
        new ChatEvent.MessageSent(chatId, 1, 1, a, "c1", null, false, null, T0.plusSeconds(1), seal(ds, chatId, 1, "one"), null),
        new ChatEvent.MessageSent(chatId, 2, 2, a, "c2", null, true, 1L, T0.plusSeconds(2), seal(ds, chatId, 2, "two"), null),
        new ChatEvent.MessagesRead(chatId, b, 1, 3, T0.plusSeconds(3)));
  }

  @Test
  void dialogsShowTheLastMessageAndDeriveUnreadCounts() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      handle(ds, story(ds, "d-ua-ub", "ua", "ub"));
      handle(ds, List.of(new ChatEvent.ChatCreated("d-ua-uc", ChatKind.DIRECT, null, "uc", List.of("ua", "uc"), T0.plusSeconds(10), null, false)));
      DialogsRepository repo = new DialogsRepository(ds, DIRECT);

      List<Dialog> ofB = repo.dialogsOf("ub", 100).toCompletableFuture().join();
      assertEquals(1, ofB.size());
      Dialog d = ofB.get(0);
      assertEquals("d-ua-ub", d.chatId());
      assertEquals("ua", d.peerUserId());
      assertEquals(1, d.unreadCount(), "two messages, read up to one");
      assertEquals(3, d.pts());
      assertEquals(2, d.lastMessage().messageId());
      assertNull(d.lastMessage().text(), "the preview is sealed at rest");
      assertEquals("two", open(ds, "d-ua-ub", d.lastMessage()));
      assertEquals(true, d.lastMessage().silent());

      List<Dialog> ofA = repo.dialogsOf("ua", 100).toCompletableFuture().join();
      assertEquals(List.of("d-ua-uc", "d-ua-ub"), ofA.stream().map(Dialog::chatId).toList(), "most recent activity first");
      assertNull(ofA.get(0).lastMessage());
      assertEquals(0, ofA.get(1).unreadCount(), "the sender's own messages are read");
    }
  }

  /**
   * Dialogs folds the sends of a group per chat; whatever the grouping, the rows end as they do
   * when each event is its own transaction: previews, pts, read marks, positions, and the edit
   * and deletion that come after sends in the same group.
   */
  @Test
  void dialogsEndTheSameWhetherEventsComeOneByOneOrInAGroup() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      Map<Integer, List<String>> rowsByGroup = new java.util.TreeMap<>();
      Sealed[] content = new Sealed[9];
      for (int i = 1; i < content.length; i++) {
        content[i] = seal(ds, "any", i, "m" + i);
      }
      for (int groupSize : new int[] {1, 4, 100}) {
        String a = "d-fa-fb-" + groupSize;
        String b = "g-f-" + groupSize;
        List<ChatEvent> events =
            List.of(
                new ChatEvent.ChatCreated(a, ChatKind.DIRECT, null, "fa", List.of("fa", "fb"), T0, null, false),
                new ChatEvent.ChatCreated(b, ChatKind.GROUP, "g", "fa", List.of("fa", "fb", "fc"), T0, null, false),
                sent(a, 1, 1, "fa", 1, content),
                sent(b, 1, 1, "fb", 2, content),
                sent(a, 2, 2, "fb", 3, content),
                sent(a, 3, 3, "fa", 4, content),
                new ChatEvent.MessagesRead(a, "fb", 3, 4, T0.plusSeconds(5)),
                sent(b, 2, 2, "fc", 6, content),
                sent(b, 3, 3, "fb", 7, content),
                new ChatEvent.MessageEdited(b, 3, 4, "fb", "fb", T0.plusSeconds(7), false, null, content[1], content[7].keyId(), T0.plusSeconds(8)),
                sent(a, 4, 5, "fb", 9, content),
                sent(b, 4, 5, "fa", 10, content),
                new ChatEvent.MessageDeleted(b, 4, 6, "fa", content[4].keyId(), T0.plusSeconds(11)),
                sent(a, 5, 6, "fa", 12, content),
                sent(a, 6, 7, "fb", 13, content),
                sent(b, 5, 7, "fc", 14, content),
                new ChatEvent.MembersJoined(b, List.of("fd"), "fa", ChatEvent.JoinMethod.ADDED, 8, 2, T0.plusSeconds(15)),
                sent(b, 6, 9, "fd", 16, content),
                new ChatEvent.RoleChanged(b, "fb", Role.ADMIN, "fa", 10, T0.plusSeconds(17)),
                sent(b, 7, 11, "fb", 18, content),
                new ChatEvent.MemberLeft(b, "fc", "fc", ChatEvent.LeaveReason.LEFT, 12, 3, T0.plusSeconds(19)),
                sent(b, 8, 13, "fa", 20, content));
        handle(ds, events, groupSize);
        List<String> rows = new java.util.ArrayList<>(dialogRows(ds, a));
        rows.addAll(dialogRows(ds, b));
        rowsByGroup.put(groupSize, rows);
      }
      assertEquals(rowsByGroup.get(1), rowsByGroup.get(4), "groups of four");
      assertEquals(rowsByGroup.get(1), rowsByGroup.get(100), "one group");
      List<Dialog> ofFb = new DialogsRepository(ds, DIRECT).dialogsOf("fb", 10).toCompletableFuture().join();
      Dialog direct = ofFb.stream().filter(d -> d.chatId().equals("d-fa-fb-100")).findFirst().orElseThrow();
      assertEquals(6, direct.lastMessage().messageId());
      assertEquals(7, direct.pts());
      assertEquals(0, direct.unreadCount(), "fb sent the last message, so read everything before it");
      Dialog group = ofFb.stream().filter(d -> d.chatId().equals("g-f-100")).findFirst().orElseThrow();
      assertEquals(8, group.lastMessage().messageId());
      assertEquals(13, group.pts());
      assertEquals("admin", group.role());
      Dialog joined = new DialogsRepository(ds, DIRECT).dialogsOf("fd", 10).toCompletableFuture().join().get(0);
      assertEquals(2, joined.unreadCount(), "joined after message 5 (read), sent 6, then 7 and 8 came");
      assertTrue(
          new DialogsRepository(ds, DIRECT).dialogsOf("fc", 10).toCompletableFuture().join().stream().noneMatch(d -> d.chatId().equals("g-f-100")),
          "fc left");
    }
  }

  private static ChatEvent.MessageSent sent(String chat, long id, long pts, String sender, int second, Sealed[] content) {
    return new ChatEvent.MessageSent(
        chat, id, pts, sender, null, null, false, null, T0.plusSeconds(second), content[(int) id], null);
  }

  /** Every dialog row of a chat, its own id left out, in a stable order. */
  private static List<String> dialogRows(HikariDataSource ds, String chatId) throws Exception {
    List<String> rows = new java.util.ArrayList<>();
    try (var conn = ds.getConnection()) {
      for (String sql :
          List.of(
              "SELECT * FROM dialog_chats WHERE chat_id = ?",
              "SELECT * FROM dialog_members WHERE chat_id = ? ORDER BY user_id")) {
        try (var ps = conn.prepareStatement(sql)) {
          ps.setString(1, chatId);
          try (var rs = ps.executeQuery()) {
            var meta = rs.getMetaData();
            while (rs.next()) {
              StringBuilder row = new StringBuilder();
              for (int c = 1; c <= meta.getColumnCount(); c++) {
                if (!meta.getColumnName(c).equalsIgnoreCase("chat_id")) {
                  row.append(meta.getColumnName(c).toLowerCase(java.util.Locale.ROOT)).append('=').append(rs.getString(c)).append(' ');
                }
              }
              rows.add(row.toString());
            }
          }
        }
      }
    }
    return rows;
  }

  /**
   * The read-model pool sends a batch of inserts to PostgreSQL as multi-row INSERTs (the driver
   * then reports no per-row counts) and every row arrives; H2 takes them one by one.
   */
  @Test
  void batchedInsertsGoToPostgresAsMultiRowStatements() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      try (var conn = ds.getConnection()) {
        try (var create = conn.createStatement()) {
          create.execute("DROP TABLE IF EXISTS batch_probe");
          create.execute("CREATE TEMPORARY TABLE batch_probe (n INT)");
        }
        int[] counts;
        try (var ps = conn.prepareStatement("INSERT INTO batch_probe (n) VALUES (?)")) {
          for (int n = 0; n < 300; n++) {
            ps.setInt(1, n);
            ps.addBatch();
          }
          counts = ps.executeBatch();
        }
        int expected = ds == postgres ? java.sql.Statement.SUCCESS_NO_INFO : 1;
        assertTrue(java.util.Arrays.stream(counts).allMatch(c -> c == expected), ds.getPoolName() + ": " + java.util.Arrays.toString(counts));
        try (var count = conn.createStatement();
            var rs = count.executeQuery("SELECT COUNT(*), SUM(n) FROM batch_probe")) {
          rs.next();
          assertEquals(300, rs.getInt(1));
          assertEquals(299 * 300 / 2, rs.getInt(2));
        }
        try (var drop = conn.createStatement()) {
          drop.execute("DROP TABLE batch_probe");
        }
      }
    }
  }

  @Test
  void historyKeepsEveryMessageAndEveryChange() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      handle(ds, story(ds, "d-ux-uy", "ux", "uy"));
      HistoryRepository repo = new HistoryRepository(ds, DIRECT);
      List<Message> messages = repo.messages("d-ux-uy", 1, 10).toCompletableFuture().join();
      assertEquals(List.of(1L, 2L), messages.stream().map(Message::messageId).toList());
      assertEquals(1L, messages.get(1).replyToMessageId());
      List<ChatUpdate> updates = repo.updates("d-ux-uy", 2, 3).toCompletableFuture().join();
      assertEquals(2, updates.size());
      assertEquals("two", open(ds, "d-ux-uy", ((ChatUpdate.MessageNew) updates.get(0)).message()));
      assertEquals(new ChatUpdate.ReadUpTo("d-ux-uy", 3, "uy", 1, T0.plusSeconds(3)), updates.get(1));
    }
  }

  /** A {@link #story} (mutable) with, at pts 4, its sender's edit of message 1 to "one, edited". */
  record EditedStory(List<ChatEvent> events, Sealed one, Sealed oneEdited) {}

  static EditedStory storyWithAnEdit(HikariDataSource ds, String chatId, String a, String b) {
    List<ChatEvent> events = new java.util.ArrayList<>(story(ds, chatId, a, b));
    Sealed one = ((ChatEvent.MessageSent) events.get(1)).content();
    Sealed oneEdited = seal(ds, chatId, 1, "one, edited");
    events.add(new ChatEvent.MessageEdited(chatId, 1, 4, a, a, T0.plusSeconds(1), false, null, oneEdited, one.keyId(), T0.plusSeconds(4)));
    return new EditedStory(events, one, oneEdited);
  }

  @Test
  void editsRewriteEveryCopyAndDeletionsLeaveTombstonesAndShredKeys() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      String chat = "d-ue-uf";
      EditedStory edited = storyWithAnEdit(ds, chat, "ue", "uf");
      List<ChatEvent> story = edited.events();
      Sealed one = edited.one();
      Sealed two = ((ChatEvent.MessageSent) story.get(2)).content();
      Sealed oneEdited = edited.oneEdited();
      // One group for history: the edit and the deletion must see the rows batched before them.
      story.add(new ChatEvent.MessageDeleted(chat, 2, 5, "uf", two.keyId(), T0.plusSeconds(5)));
      handle(ds, story);
      HistoryRepository repo = new HistoryRepository(ds, DIRECT);
      List<Message> messages = repo.messages(chat, 1, 2).toCompletableFuture().join();
      assertEquals("one, edited", open(ds, chat, messages.get(0)));
      assertEquals(T0.plusSeconds(4), messages.get(0).editDate());
      assertTrue(messages.get(1).deleted());
      assertNull(messages.get(1).content());
      List<ChatUpdate> updates = repo.updates(chat, 1, 5).toCompletableFuture().join();
      assertEquals("one, edited", open(ds, chat, ChatUpdate.messageOf(updates.get(0))), "message.new now carries the edit");
      try (var conn = ds.getConnection();
          var st = conn.createStatement();
          var rs = st.executeQuery("SELECT body FROM chat_updates WHERE chat_id = '" + chat + "' AND kind = 'message.new'")) {
        int rows = 0;
        while (rs.next()) {
          rows++;
          String body = rs.getString(1);
          for (Sealed version : List.of(one, two, oneEdited)) {
            assertFalse(body.contains(version.keyId()), "a message.new row holds no copy of its message: " + body);
          }
        }
        assertEquals(2, rows);
      }
      assertTrue(ChatUpdate.isTombstone(updates.get(1)), "the deleted message's update is a tombstone");
      assertEquals(new ChatUpdate.MessageDeletedUpdate(chat, 5, 2, T0.plusSeconds(5)), updates.get(4));
      Map<String, ContentKey> left = keys(ds).find(List.of(one.keyId(), two.keyId(), oneEdited.keyId())).toCompletableFuture().join();
      assertEquals(java.util.Set.of(oneEdited.keyId()), left.keySet(), "superseded and deleted versions' keys are gone");
      assertEquals(1L, repo.latestMessage(chat).toCompletableFuture().join().messageId());
      Dialog d = new DialogsRepository(ds, DIRECT).dialogsOf("uf", 10).toCompletableFuture().join().get(0);
      assertNull(d.lastMessage(), "the deleted last message is no longer previewed");
      assertEquals(5, d.pts());
    }
  }

  /**
   * {@code message-new-rows = full}, for a rolling update from a release that reads the copy:
   * message.new rows keep their message and an edit rewrites it there too, so such nodes read
   * the current version. A row from before V7, with no message id to join on, reads from its copy.
   */
  @Test
  void fullMessageNewRowsStayCurrentAndRowsWithoutAMessageIdReadFromTheirCopy() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      String chat = "d-ug-uh";
      EditedStory edited = storyWithAnEdit(ds, chat, "ug", "uh");
      Sealed one = edited.one();
      Sealed oneEdited = edited.oneEdited();
      handle(ds, edited.events(), edited.events().size(), true);
      try (var conn = ds.getConnection();
          var st = conn.createStatement()) {
        try (var rs = st.executeQuery("SELECT body FROM chat_updates WHERE chat_id = '" + chat + "' AND pts = 1")) {
          assertTrue(rs.next());
          assertTrue(rs.getString(1).contains(oneEdited.keyId()), "the copy is the edited version: " + rs.getString(1));
          assertFalse(rs.getString(1).contains(one.keyId()));
        }
        st.executeUpdate("UPDATE chat_updates SET message_id = NULL WHERE chat_id = '" + chat + "' AND pts = 2");
      }
      HistoryRepository repo = new HistoryRepository(ds, DIRECT);
      List<ChatUpdate> updates = repo.updates(chat, 1, 4).toCompletableFuture().join();
      assertEquals(4, updates.size());
      assertEquals("one, edited", open(ds, chat, ChatUpdate.messageOf(updates.get(0))));
      assertEquals("two", open(ds, chat, ChatUpdate.messageOf(updates.get(1))), "read from the row's own copy");
      assertEquals(
          updates, repo.updatesBetween(chat, 0, 100, 10).toCompletableFuture().join(), "the same by journal position");
    }
  }

  @Test
  void aNodeWithAnotherMasterKeyRefusesToStart() {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      KeyCheck.verify(ds, MASTER);
      KeyCheck.verify(ds, MASTER);
      var wrong = assertThrows(IllegalStateException.class, () -> KeyCheck.verify(ds, MasterKey.generate()));
      assertTrue(wrong.getMessage().startsWith("wrong master key"), wrong.getMessage());
    }
  }

  /**
   * The node's key reserve: keys it hands out are already durable (a fresh key table finds them),
   * it refills when half is gone, a request larger than it is issued directly, and releasing it
   * destroys the keys no chat took and stops it.
   */
  @Test
  void theKeyReserveHandsOutDurableKeysRefillsAtHalfAndIsDestroyedOnRelease() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      JdbcContentKeys reserve = new JdbcContentKeys(ds, DIRECT, MASTER, java.time.Clock.systemUTC(), 1000, 8);
      assertEquals(0, reserve.reserved());
      long rows = keyRows(ds);
      reserve.refillIfLow().toCompletableFuture().join();
      assertEquals(8, reserve.reserved());
      assertEquals(rows + 8, keyRows(ds), "reserved keys are in the table before any chat takes one");

      List<ContentKey> first = reserve.issue(4).toCompletableFuture().join();
      assertEquals(4, first.size());
      assertEquals(4, reserve.reserved(), "half left: no refill yet");
      assertEquals(rows + 8, keyRows(ds), "taken from the reserve, not inserted");
      Map<String, ContentKey> stored = keys(ds).find(first.stream().map(ContentKey::keyId).toList()).toCompletableFuture().join();
      for (ContentKey k : first) {
        assertTrue(java.util.Arrays.equals(k.key(), stored.get(k.keyId()).key()), "a fresh key table opens what it seals");
      }

      reserve.issue(1).toCompletableFuture().join();
      assertEquals(8, reserve.reserved(), "below half: refilled (this test's executor runs the fill at once)");
      assertEquals(rows + 13, keyRows(ds));
      assertEquals(20, reserve.issue(20).toCompletableFuture().join().size());
      assertEquals(8, reserve.reserved(), "a request larger than the reserve is issued directly");
      assertEquals(rows + 33, keyRows(ds));

      reserve.releaseReserve().toCompletableFuture().join();
      assertEquals(0, reserve.reserved());
      assertEquals(rows + 25, keyRows(ds), "the 8 keys no chat took are destroyed");
      assertEquals(1, reserve.issue(1).toCompletableFuture().join().size());
      assertEquals(0, reserve.reserved(), "a released reserve is not refilled");
      assertEquals(rows + 26, keyRows(ds));
    }
  }

  /** A failing key table gets one refill attempt, not one per issue; the issue itself still fails. */
  @Test
  void aFailedRefillPausesTheReserveInsteadOfRetryingOnEveryIssue() {
    java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    javax.sql.DataSource down = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
          if (method.getName().equals("getConnection")) {
            connections.incrementAndGet();
            throw new java.sql.SQLException("the database is down");
          }
          throw new UnsupportedOperationException(method.getName());
        });
    JdbcContentKeys reserve = new JdbcContentKeys(down, DIRECT, MASTER, java.time.Clock.systemUTC(), 1000, 8);
    reserve.refillIfLow().toCompletableFuture().join();
    assertEquals(1, connections.get(), "one refill attempt");
    for (int i = 0; i < 3; i++) {
      var issued = reserve.issue(1).toCompletableFuture();
      assertThrows(java.util.concurrent.CompletionException.class, issued::join, "the issue fails as the table does");
    }
    assertEquals(4, connections.get(), "each issue tried the table once; no refill while paused");
    assertEquals(0, reserve.reserved());
  }

  static long keyRows(HikariDataSource ds) throws java.sql.SQLException {
    try (var conn = ds.getConnection(); var rs = conn.createStatement().executeQuery("SELECT count(*) FROM content_keys")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * What PostgreSQL writes per message (migrations V15, V16): the message index leaves out
   * message.new rows, event_tag has no foreign key to check per event, and snapshots are
   * compressed with LZ4 where the server has it.
   */
  @Test
  void postgresSchemaKeepsEachMessagesWritesLean() throws Exception {
    try (var conn = postgres.getConnection();
        var st = conn.createStatement()) {
      try (var rs = st.executeQuery("SELECT indexdef FROM pg_indexes WHERE indexname = 'chat_updates_message_idx'")) {
        assertTrue(rs.next());
        assertTrue(rs.getString(1).endsWith("WHERE ((kind)::text <> 'message.new'::text)"), rs.getString(1));
      }
      try (var rs = st.executeQuery("SELECT count(*) FROM pg_constraint WHERE conrelid = 'event_tag'::regclass AND contype = 'f'")) {
        rs.next();
        assertEquals(0, rs.getInt(1), "no foreign key on event_tag");
      }
      try (var rs =
          st.executeQuery(
              "SELECT current_setting('server_version_num')::int, attcompression FROM pg_attribute"
                  + " WHERE attrelid = 'snapshot'::regclass AND attname = 'snapshot_payload'")) {
        rs.next();
        int version = rs.getInt(1);
        String compression = rs.getString(2);
        boolean lz4 = false;
        if (version >= 140000) {
          try (var enums =
              st.executeQuery("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")) {
            lz4 = enums.next() && enums.getBoolean(1);
          }
        }
        if (lz4) {
          assertEquals("l", compression, "snapshots are compressed with LZ4");
        }
      }
    }
  }
}
