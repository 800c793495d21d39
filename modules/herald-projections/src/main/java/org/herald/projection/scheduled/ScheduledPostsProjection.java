package org.herald.projection.scheduled;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.PostScheduled;
import org.herald.domain.chat.ChatEvent.ScheduledPostCancelled;
import org.herald.domain.chat.ChatEvent.ScheduledPostEdited;
import org.herald.projection.common.TaggedProjections;
import org.herald.projection.common.ReadModel;
import org.herald.projection.common.JdbcSessions;
import org.herald.projection.common.Sql;
import org.herald.projection.keys.JdbcContentKeys;

/**
 * Chat journal → {@code scheduled_posts}: one row per pending scheduled post with its due time,
 * for the {@link ScheduledPostsScheduler}. Exactly-once (rows and offset in one transaction). A
 * post leaves the table when the journal says it was published or cancelled, and the key of its
 * scheduled copy is destroyed in the same transaction (the chat destroyed it already; this
 * repeats it so a crash in between cannot leave it alive).
 */
public final class ScheduledPostsProjection {
  public static final String NAME = "scheduled-posts";

  private ScheduledPostsProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    TaggedProjections.start(system, NAME, dataSource, ReadModel.owning("scheduled_posts"), Handler::new);
  }

  static final class Handler extends JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions> {
    @Override
    public void process(JdbcSessions session, EventEnvelope<ChatEvent> envelope) throws Exception {
      ChatEvent event = envelope.event();
      if (event instanceof PostScheduled
          || event instanceof ScheduledPostEdited
          || event instanceof ScheduledPostCancelled
          || (event instanceof MessageSent m && m.fromScheduled())) {
        session.withConnection(
            conn -> {
              apply(conn, event);
              return null;
            });
      }
    }
  }

  static void apply(Connection conn, ChatEvent event) throws SQLException {
    if (event instanceof PostScheduled e) {
      try (PreparedStatement ps =
          conn.prepareStatement("INSERT INTO scheduled_posts (chat_id, scheduled_id, due_at, key_id) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, e.chatId());
        ps.setLong(2, e.scheduledId());
        Sql.setInstant(ps, 3, e.dueAt());
        ps.setString(4, e.content().keyId());
        ps.executeUpdate();
      }
    } else if (event instanceof ScheduledPostEdited e) {
      try (PreparedStatement ps =
          conn.prepareStatement(
              "UPDATE scheduled_posts SET due_at = ?, key_id = COALESCE(?, key_id) WHERE chat_id = ? AND scheduled_id = ?")) {
        Sql.setInstant(ps, 1, e.dueAt());
        ps.setString(2, e.content() != null ? e.content().keyId() : null);
        ps.setString(3, e.chatId());
        ps.setLong(4, e.scheduledId());
        ps.executeUpdate();
      }
      if (e.supersededKeyId() != null) {
        JdbcContentKeys.destroy(conn, List.of(e.supersededKeyId()));
      }
    } else if (event instanceof ScheduledPostCancelled e) {
      remove(conn, e.chatId(), e.scheduledId(), e.shreddedKeyId());
    } else if (event instanceof MessageSent e && e.fromScheduled()) {
      remove(conn, e.chatId(), e.scheduledId(), null);
    }
  }

  /**
   * Deletes the row and destroys the key of the post's scheduled copy: the one the row holds
   * and the one the event names (they differ only if an edit's key was not applied yet).
   */
  private static void remove(Connection conn, String chatId, long scheduledId, String namedKeyId) throws SQLException {
    String keyId = null;
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT key_id FROM scheduled_posts WHERE chat_id = ? AND scheduled_id = ?")) {
      ps.setString(1, chatId);
      ps.setLong(2, scheduledId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          keyId = rs.getString(1);
        }
      }
    }
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM scheduled_posts WHERE chat_id = ? AND scheduled_id = ?")) {
      ps.setString(1, chatId);
      ps.setLong(2, scheduledId);
      ps.executeUpdate();
    }
    java.util.Set<String> keyIds = new java.util.HashSet<>();
    if (keyId != null) {
      keyIds.add(keyId);
    }
    if (namedKeyId != null) {
      keyIds.add(namedKeyId);
    }
    JdbcContentKeys.destroy(conn, keyIds);
  }
}
