package org.herald.projection.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.user.UserEvent;
import org.herald.projection.analytics.AnalyticsRepository.ActiveDay;
import org.herald.projection.analytics.AnalyticsRepository.ByKind;
import org.herald.projection.analytics.AnalyticsRepository.ChatDay;
import org.herald.projection.analytics.AnalyticsRepository.Post;
import org.herald.projection.analytics.AnalyticsRepository.PostOrder;
import org.herald.projection.TestDatabases;
import org.herald.projection.common.JdbcSessions;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The analytics handlers and queries against the real schema, on PostgreSQL and on H2: events
 * in, figures out, days in UTC, running member totals across the start of a range, the MAU
 * window, and two transactions creating the same counter row at once.
 */
class AnalyticsReadModelIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  static final Executor DIRECT = Runnable::run;
  static final LocalDate D = LocalDate.of(2026, 11, 21);
  static final Instant T0 = D.atTime(10, 15).toInstant(ZoneOffset.UTC);
  static HikariDataSource postgres;
  static HikariDataSource h2;

  @BeforeAll
  static void migrate() {
    postgres = TestDatabases.postgres(pg, "test-pg");
    h2 = TestDatabases.h2("analytics");
  }

  @AfterAll
  static void close() {
    postgres.close();
    h2.close();
  }

  static long seq = 0;

  /** The events as one group, in one transaction, as the projection hands them over. */
  static void chatEvents(HikariDataSource ds, ChatEvent... events) throws Exception {
    List<EventEnvelope<ChatEvent>> group = new java.util.ArrayList<>();
    for (ChatEvent event : events) {
      seq++;
      group.add(EventEnvelope.create(Offset.sequence(seq), "Chat|" + event.chatId(), seq, event, 0L));
    }
    JdbcSessions session = new JdbcSessions(ds);
    new AnalyticsProjectionHandler().process(session, group);
    session.commit();
    session.close();
  }

  static void userEvent(HikariDataSource ds, String userId, UserEvent event) throws Exception {
    seq++;
    var envelope = EventEnvelope.create(Offset.sequence(seq), "User|" + userId, seq, event, 0L);
    JdbcSessions session = new JdbcSessions(ds);
    new AnalyticsUsersHandler().process(session, envelope);
    session.commit();
    session.close();
  }

  static void sql(HikariDataSource ds, String sql, Object... values) throws Exception {
    try (Connection conn = ds.getConnection();
        PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      ps.executeUpdate();
    }
  }

  static ChatEvent.MessageSent sent(String chatId, long id, String sender, Instant at) {
    return new ChatEvent.MessageSent(chatId, id, id + 1, sender, "c" + id, null, false, null, at, null, null);
  }

  @Test
  void eventsBecomeDailyHourlyAndActiveUserFigures() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      String channel = "cchannel" + ds.getPoolName().replace("-", "");
      Instant nextDay = T0.plusSeconds(86_400);
      chatEvents(
          ds,
          new ChatEvent.ChatCreated(channel, ChatKind.CHANNEL, "News", "uowner", List.of("uowner"), T0, null, true),
          new ChatEvent.MembersJoined(channel, List.of("u1", "u2", "u3"), "uowner", ChatEvent.JoinMethod.ADDED, 0, 2, T0.plusSeconds(5)),
          sent(channel, 1, "uowner", T0.plusSeconds(10)),
          sent(channel, 2, "uowner", T0.plusSeconds(3_600)),
          new ChatEvent.MessagesRead(channel, "u1", 2, 0, T0.plusSeconds(3_700)),
          new ChatEvent.MemberLeft(channel, "u2", "u2", ChatEvent.LeaveReason.LEFT, 0, 3, nextDay),
          sent(channel, 3, "uowner", nextDay.plusSeconds(1)),
          new ChatEvent.MessageDeleted(channel, 2, 5, "uowner", "k", nextDay.plusSeconds(2)),
          new ChatEvent.ChatCreated("gteam", ChatKind.GROUP, "Team", "u1", List.of("u1", "u3"), T0, null, false),
          sent("gteam", 1, "u3", T0.plusSeconds(20)),
          new ChatEvent.ChatCreated("d-u1-u4", ChatKind.DIRECT, null, "u1", List.of("u1", "u4"), T0, null, false),
          sent("d-u1-u4", 1, "u1", T0.plusSeconds(30)),
          sent("d-u1-u4", 2, "u4", T0.plusSeconds(40)));
      userEvent(ds, "u5", new UserEvent.UserRegistered("u5", "Eve", null, "Eve", "hash", T0));
      userEvent(ds, "u5", new UserEvent.SessionOpened("s1", "phone", "h", T0));
      userEvent(ds, "u5", new UserEvent.SessionOpened("s2", "laptop", "h", nextDay));
      // Written by the views projection (V10); the analytics queries only read them.
      sql(ds, "INSERT INTO message_views (chat_id, message_id, views) VALUES (?, 1, 7), (?, 3, 9), (?, 2, 50)", channel, channel, channel);
      sql(ds, "INSERT INTO chat_views_daily (chat_id, day_utc, views) VALUES (?, ?, 7), (?, ?, 9)", channel, D, channel, D.plusDays(1));

      AnalyticsRepository repo = new AnalyticsRepository(ds, DIRECT);
      List<ChatDay> days = repo.chatDaily(channel, D.minusDays(1), D.plusDays(1)).toCompletableFuture().join();
      assertEquals(
          List.of(
              new ChatDay(D.minusDays(1), 0, 0, 0, 0, 0),
              new ChatDay(D, 4, 0, 4, 2, 7),
              new ChatDay(D.plusDays(1), 0, 1, 3, 1, 9)),
          days,
          "the owner counts as joining at creation; deleted posts still count as posted");
      assertEquals(
          List.of(new ChatDay(D.plusDays(1), 0, 1, 3, 1, 9)),
          repo.chatDaily(channel, D.plusDays(1), D.plusDays(1)).toCompletableFuture().join(),
          "a range that starts later carries the members before it");

      List<Post> top = repo.topPosts(channel, D, D.plusDays(1), PostOrder.VIEWS, 10).toCompletableFuture().join();
      assertEquals(List.of(new Post(3, nextDay.plusSeconds(1), 9), new Post(1, T0.plusSeconds(10), 7)), top, "a deleted post is not listed");
      assertEquals(List.of(3L), repo.topPosts(channel, D.plusDays(1), D.plusDays(1), PostOrder.VIEWS, 10).toCompletableFuture().join()
          .stream().map(Post::messageId).toList());
      assertEquals(List.of(3L), repo.topPosts(channel, D, D.plusDays(1), PostOrder.DATE, 1).toCompletableFuture().join()
          .stream().map(Post::messageId).toList());

      var hours = repo.messagesPerHour(D, D).toCompletableFuture().join();
      assertEquals(24, hours.size());
      assertEquals(new ByKind(2, 1, 1), hours.get(10).counts());
      assertEquals(new ByKind(0, 0, 1), hours.get(11).counts());
      assertEquals(D.atTime(10, 0).toInstant(ZoneOffset.UTC), hours.get(10).hour());

      var chats = repo.chatsCreated(D, D.plusDays(1)).toCompletableFuture().join();
      assertEquals(new ByKind(1, 1, 1), chats.get(0).counts());
      assertEquals(new ByKind(0, 0, 0), chats.get(1).counts());

      assertEquals(1, repo.accountsCreated(D, D).toCompletableFuture().join().get(0).count());

      sql(ds, "INSERT INTO analytics_active_users (day_utc, user_id) VALUES (?, 'u-month'), (?, 'u-old')", D.minusDays(29), D.minusDays(30));
      List<ActiveDay> active = repo.activeUsers(D, D.plusDays(1)).toCompletableFuture().join();
      // D: uowner, u1 (read), u3, u4, u5 (session); the 30 days ending on D add u-month, not u-old.
      assertEquals(new ActiveDay(D, 5, 6), active.get(0));
      // D+1: uowner (post), u5 (login); u-month has left the window.
      assertEquals(new ActiveDay(D.plusDays(1), 2, 5), active.get(1));
    }
  }

  /**
   * The first increments of one counter row in two transactions at once: the second waits for
   * the first, finds its row inserted, and adds to it; nothing is lost and nothing fails.
   */
  private static void tally(Connection conn, String chatId, Instant at) throws java.sql.SQLException {
    AnalyticsTally tally = new AnalyticsTally();
    AnalyticsRepository.chatMessage(tally, chatId, at);
    tally.active(AnalyticsRepository.day(at), "urace");
    tally.writeTo(conn, new AnalyticsTally.KnownActive(10));
  }

  @Test
  void twoTransactionsCreatingTheSameRowBothCount() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      String chatId = "gracing" + ds.getPoolName().replace("-", "");
      Instant at = T0.minusSeconds(100 * 86_400L);
      try (Connection first = ds.getConnection()) {
        first.setAutoCommit(false);
        tally(first, chatId, at);
        CompletableFuture<Void> second =
            CompletableFuture.runAsync(
                () -> {
                  try (Connection conn = ds.getConnection()) {
                    conn.setAutoCommit(false);
                    tally(conn, chatId, at);
                    conn.commit();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        Thread.sleep(300);
        first.commit();
        second.get(20, TimeUnit.SECONDS);
      }
      AnalyticsRepository repo = new AnalyticsRepository(ds, DIRECT);
      LocalDate day = AnalyticsRepository.day(at);
      assertEquals(2, repo.chatDaily(chatId, day, day).toCompletableFuture().join().get(0).messages());
      assertEquals(1, repo.activeUsers(day, day).toCompletableFuture().join().get(0).dau());
    }
  }

  /**
   * An instance remembers only the active-user marks it found committed: a mark whose group was
   * rolled back is written again by the retried group, and a remembered mark is not looked up
   * again.
   */
  @Test
  void activeMarksAreRememberedOnlyOnceFoundCommitted() throws Exception {
    for (HikariDataSource ds : List.of(postgres, h2)) {
      LocalDate day = D.minusDays(200);
      AnalyticsTally.KnownActive known = new AnalyticsTally.KnownActive(2);
      try (Connection conn = ds.getConnection()) {
        conn.setAutoCommit(false);
        markActive(conn, day, "uretry", known);
        conn.rollback();
        assertEquals(0, known.size(), "its own insert is not remembered");
        AnalyticsRepository repo = new AnalyticsRepository(ds, DIRECT);
        assertEquals(0, repo.activeUsers(day, day).toCompletableFuture().join().get(0).dau(), "rolled back");
        markActive(conn, day, "uretry", known);
        conn.commit();
        assertEquals(1, repo.activeUsers(day, day).toCompletableFuture().join().get(0).dau(), "the retried group wrote it");
        markActive(conn, day, "uretry", known);
        conn.commit();
        assertEquals(1, known.size(), "found committed: remembered");
        // Once remembered it is not looked up: the row gone behind the instance's back stays gone.
        sql(ds, "DELETE FROM analytics_active_users WHERE day_utc = ?", day);
        markActive(conn, day, "uretry", known);
        conn.commit();
        assertEquals(0, repo.activeUsers(day, day).toCompletableFuture().join().get(0).dau());
        for (String user : List.of("ua1", "ua2", "ua3")) {
          markActive(conn, day, user, known);
          conn.commit();
          markActive(conn, day, user, known);
          conn.commit();
        }
        assertEquals(2, known.size(), "bounded");
      }
    }
  }

  private static void markActive(Connection conn, LocalDate day, String userId, AnalyticsTally.KnownActive known)
      throws java.sql.SQLException {
    AnalyticsTally tally = new AnalyticsTally();
    tally.active(day, userId);
    tally.writeTo(conn, known);
  }
}
