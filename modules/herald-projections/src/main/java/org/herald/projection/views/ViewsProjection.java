package org.herald.projection.views;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.views.PostViews;
import org.herald.domain.views.ViewsEvent;
import org.herald.domain.views.ViewsEvent.ViewsRecorded;
import org.herald.projection.common.ChatProjections;
import org.herald.projection.common.ReadModel;
import org.herald.projection.common.JdbcSessions;
import org.herald.projection.common.Sql;

/**
 * Post views → {@code message_views} (per post) and {@code chat_views_daily} (per chat and day).
 * Exactly-once: the counters and the offset commit in one transaction, and the entity journals
 * each viewer once, so the counters are exact after any crash.
 */
public final class ViewsProjection {
  public static final String NAME = "views";

  private ViewsProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    ChatProjections.<ViewsEvent>startTaggedGrouped(
        system, NAME, PostViews.TAGS, dataSource, ReadModel.owning("message_views", "chat_views_daily"),
        GROUP_SIZE, GROUP_WITHIN, Handler::new);
  }

  /**
   * Events per transaction: views of spread-out posts come one or two viewers per event, so a
   * commit per event would bound the projection at the database's commit rate.
   */
  static final int GROUP_SIZE = 1000;

  static final java.time.Duration GROUP_WITHIN = java.time.Duration.ofMillis(50);

  /** A group of events, summed per post and per chat and day, then one update each. */
  static final class Handler extends JdbcHandler<List<EventEnvelope<ViewsEvent>>, JdbcSessions> {
    @Override
    public void process(JdbcSessions session, List<EventEnvelope<ViewsEvent>> envelopes) throws Exception {
      Map<Map.Entry<String, Long>, Long> perPost = new java.util.LinkedHashMap<>();
      Map<Map.Entry<String, LocalDate>, Long> perDay = new java.util.LinkedHashMap<>();
      for (EventEnvelope<ViewsEvent> envelope : envelopes) {
        if (envelope.event() instanceof ViewsRecorded e && !e.userIds().isEmpty()) {
          long n = e.userIds().size();
          perPost.merge(Map.entry(e.chatId(), e.messageId()), n, Long::sum);
          perDay.merge(Map.entry(e.chatId(), LocalDate.ofInstant(e.date(), ZoneOffset.UTC)), n, Long::sum);
        }
      }
      if (perPost.isEmpty()) {
        return;
      }
      session.withConnection(
          conn -> {
            for (var post : perPost.entrySet()) {
              bump(conn, "UPDATE message_views SET views = views + ? WHERE chat_id = ? AND message_id = ?",
                  "INSERT INTO message_views (views, chat_id, message_id) VALUES (?, ?, ?)",
                  post.getValue(), post.getKey().getKey(), post.getKey().getValue());
            }
            for (var day : perDay.entrySet()) {
              bump(conn, "UPDATE chat_views_daily SET views = views + ? WHERE chat_id = ? AND day_utc = ?",
                  "INSERT INTO chat_views_daily (views, chat_id, day_utc) VALUES (?, ?, ?)",
                  day.getValue(), day.getKey().getKey(), day.getKey().getValue());
            }
            return null;
          });
    }
  }

  /** Update, else insert: one projection instance owns each chat, so nothing races it. */
  private static void bump(Connection conn, String update, String insert, long n, String chatId, Object key)
      throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(update)) {
      ps.setLong(1, n);
      ps.setString(2, chatId);
      ps.setObject(3, key);
      if (ps.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement ps = conn.prepareStatement(insert)) {
      ps.setLong(1, n);
      ps.setString(2, chatId);
      ps.setObject(3, key);
      ps.executeUpdate();
    }
  }

  /** Reads the counters. */
  public static final class Repository {
    private final DataSource dataSource;
    private final Executor jdbc;

    public Repository(DataSource dataSource, Executor jdbc) {
      this.dataSource = dataSource;
      this.jdbc = jdbc;
    }

    /** The counted views of messages {@code from..to} of a chat; absent ids have none yet. */
    public CompletionStage<Map<Long, Long>> views(String chatId, long from, long to) {
      return Sql.query(
              dataSource, jdbc,
              "SELECT message_id, views FROM message_views WHERE chat_id = ? AND message_id BETWEEN ? AND ?",
              ps -> {
                ps.setString(1, chatId);
                ps.setLong(2, from);
                ps.setLong(3, to);
              },
              rs -> Map.entry(rs.getLong(1), rs.getLong(2)))
          .thenApply(
              rows -> {
                Map<Long, Long> views = new HashMap<>();
                rows.forEach(r -> views.put(r.getKey(), r.getValue()));
                return views;
              });
    }

    public CompletionStage<Map<Long, Long>> views(String chatId, List<Long> messageIds) {
      if (messageIds.isEmpty()) {
        return java.util.concurrent.CompletableFuture.completedFuture(Map.of());
      }
      long from = messageIds.stream().mapToLong(Long::longValue).min().getAsLong();
      long to = messageIds.stream().mapToLong(Long::longValue).max().getAsLong();
      return views(chatId, from, to);
    }
  }
}
