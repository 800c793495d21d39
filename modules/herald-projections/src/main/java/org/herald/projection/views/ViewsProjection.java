package org.herald.projection.views;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.common.UtcTime;
import org.herald.domain.views.PostViews;
import org.herald.domain.views.ViewsEvent;
import org.herald.domain.views.ViewsEvent.ViewsRecorded;
import org.herald.projection.common.TaggedProjections;
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
    TaggedProjections.<ViewsEvent>startGrouped(
        system, NAME, PostViews.TAGS, dataSource, ReadModel.owning("message_views", "chat_views_daily"), Handler::new);
  }

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
          perDay.merge(Map.entry(e.chatId(), UtcTime.day(e.date())), n, Long::sum);
        }
      }
      if (perPost.isEmpty()) {
        return;
      }
      session.withConnection(
          conn -> {
            for (var post : perPost.entrySet()) {
              Sql.increment(conn, "message_views", new String[] {"chat_id", "message_id"},
                  new Object[] {post.getKey().getKey(), post.getKey().getValue()}, "views", post.getValue());
            }
            for (var day : perDay.entrySet()) {
              Sql.increment(conn, "chat_views_daily", new String[] {"chat_id", "day_utc"},
                  new Object[] {day.getKey().getKey(), day.getKey().getValue()}, "views", day.getValue());
            }
            return null;
          });
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

    /** The counted views of these messages of a chat (one indexed lookup each); absent ids have none yet. */
    public CompletionStage<Map<Long, Long>> views(String chatId, List<Long> messageIds) {
      List<Long> ids = messageIds.stream().distinct().toList();
      if (ids.isEmpty()) {
        return java.util.concurrent.CompletableFuture.completedFuture(Map.of());
      }
      return Sql.query(
              dataSource, jdbc,
              "SELECT message_id, views FROM message_views WHERE chat_id = ? AND message_id IN ("
                  + String.join(", ", java.util.Collections.nCopies(ids.size(), "?")) + ")",
              ps -> {
                ps.setString(1, chatId);
                for (int i = 0; i < ids.size(); i++) {
                  ps.setLong(i + 2, ids.get(i));
                }
              },
              rs -> Map.entry(rs.getLong(1), rs.getLong(2)))
          .thenApply(
              rows -> {
                Map<Long, Long> views = new HashMap<>();
                rows.forEach(r -> views.put(r.getKey(), r.getValue()));
                return views;
              });
    }
  }
}
