package org.herald.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.Message;
import org.herald.projection.common.Database;
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
    postgres = Database.pool(new Database.Settings(pg.url(), pg.user(), pg.password(), 2), "test-pg");
    Database.migrate(postgres, Database.Vendor.POSTGRES);
    h2 = Database.pool(new Database.Settings("jdbc:h2:mem:readmodels;DB_CLOSE_DELAY=-1", "", "", 2), "test-h2");
    Database.migrate(h2, Database.Vendor.H2);
  }

  @AfterAll
  static void close() {
    postgres.close();
    h2.close();
  }

  static void handle(HikariDataSource ds, List<ChatEvent> events) throws Exception {
    List<JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions>> handlers =
        List.of(new DialogsProjectionHandler(), new HistoryProjectionHandler());
    long seq = 0;
    for (ChatEvent event : events) {
      seq++;
      var envelope = EventEnvelope.create(Offset.sequence(seq), "Chat|" + event.chatId(), seq, event, 0L);
      for (var handler : handlers) {
        JdbcSessions session = new JdbcSessions(ds);
        handler.process(session, envelope);
        session.commit();
        session.close();
      }
    }
  }

  static List<ChatEvent> story(String chatId, String a, String b) {
    return List.of(
        new ChatEvent.ChatCreated(chatId, ChatKind.DIRECT, null, a, List.of(a, b), T0, null, false),
        new ChatEvent.MessageSent(chatId, 1, 1, a, "c1", "one", false, null, T0.plusSeconds(1)),
        new ChatEvent.MessageSent(chatId, 2, 2, a, "c2", "two", true, 1L, T0.plusSeconds(2)),
        new ChatEvent.MessagesRead(chatId, b, 1, 3, T0.plusSeconds(3)));
  }

  @Test
  void dialogsShowTheLastMessageAndDeriveUnreadCounts() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      handle(ds, story("d-ua-ub", "ua", "ub"));
      handle(ds, List.of(new ChatEvent.ChatCreated("d-ua-uc", ChatKind.DIRECT, null, "uc", List.of("ua", "uc"), T0.plusSeconds(10), null, false)));
      DialogsRepository repo = new DialogsRepository(ds, DIRECT);

      List<Dialog> ofB = repo.dialogsOf("ub", 100).toCompletableFuture().join();
      assertEquals(1, ofB.size());
      Dialog d = ofB.get(0);
      assertEquals("d-ua-ub", d.chatId());
      assertEquals("ua", d.peerUserId());
      assertEquals(1, d.unreadCount(), "two messages, read up to one");
      assertEquals(3, d.pts());
      assertEquals(new Message(2, "ua", "two", T0.plusSeconds(2), null, true, 1L), d.lastMessage());

      List<Dialog> ofA = repo.dialogsOf("ua", 100).toCompletableFuture().join();
      assertEquals(List.of("d-ua-uc", "d-ua-ub"), ofA.stream().map(Dialog::chatId).toList(), "most recent activity first");
      assertNull(ofA.get(0).lastMessage());
      assertEquals(0, ofA.get(1).unreadCount(), "the sender's own messages are read");
    }
  }

  @Test
  void historyKeepsEveryMessageAndEveryChange() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      handle(ds, story("d-ux-uy", "ux", "uy"));
      HistoryRepository repo = new HistoryRepository(ds, DIRECT);
      List<Message> messages = repo.messages("d-ux-uy", 1, 10).toCompletableFuture().join();
      assertEquals(List.of(1L, 2L), messages.stream().map(Message::messageId).toList());
      assertEquals(1L, messages.get(1).replyToMessageId());
      List<ChatUpdate> updates = repo.updates("d-ux-uy", 2, 3).toCompletableFuture().join();
      assertEquals(2, updates.size());
      assertEquals("two", ((ChatUpdate.MessageNew) updates.get(0)).message().text());
      assertEquals(new ChatUpdate.ReadUpTo("d-ux-uy", 3, "uy", 1, T0.plusSeconds(3)), updates.get(1));
    }
  }
}
