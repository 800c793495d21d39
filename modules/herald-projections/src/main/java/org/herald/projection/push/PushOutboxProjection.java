package org.herald.projection.push;

import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.chat.ChatEvent;
import org.herald.projection.common.TaggedProjections;
import org.herald.projection.common.ReadModel;
import org.herald.projection.common.JdbcSessions;
import org.herald.projection.common.Sql;

/**
 * Chat events → {@code push_jobs}: one row per message that may notify (not silent, not older
 * than {@code herald.push.max-age}), exactly-once with the offset. A deleted message cancels its
 * job and its pending deliveries. Who is notified is decided later, by the dispatcher, so a post
 * to a million subscribers costs this projection one row.
 */
public final class PushOutboxProjection {
  public static final String NAME = "push-outbox";

  private PushOutboxProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource, Clock clock, Duration maxAge) {
    TaggedProjections.start(
        system,
        NAME,
        dataSource,
        ReadModel.owning("push_jobs")
            .notRebuildable(
                "push-outbox is a queue of notifications to send, not a view of the journal: there is"
                    + " nothing to rebuild, and a replay would expand every message younger than"
                    + " herald.push.max-age again"),
        () -> new Handler(clock, maxAge));
  }

  static final class Handler extends JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions> {
    private final Clock clock;
    private final Duration maxAge;

    Handler(Clock clock, Duration maxAge) {
      this.clock = clock;
      this.maxAge = maxAge;
    }

    @Override
    public void process(JdbcSessions session, EventEnvelope<ChatEvent> envelope) throws Exception {
      ChatEvent event = envelope.event();
      if (event instanceof ChatEvent.MessageSent e && !e.silent() && e.date().plus(maxAge).isAfter(clock.instant())) {
        session.withConnection(
            conn -> {
              try (PreparedStatement ps =
                  conn.prepareStatement("INSERT INTO push_jobs (chat_id, message_id, sender_id, sent_at) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, e.chatId());
                ps.setLong(2, e.messageId());
                ps.setString(3, e.senderId());
                Sql.setInstant(ps, 4, e.date());
                ps.executeUpdate();
              }
              return null;
            });
      } else if (event instanceof ChatEvent.MessageDeleted e) {
        session.withConnection(
            conn -> {
              try (PreparedStatement job = conn.prepareStatement("DELETE FROM push_jobs WHERE chat_id = ? AND message_id = ?");
                  PreparedStatement pending =
                      conn.prepareStatement(
                          "UPDATE push_deliveries SET status = 'cancelled' WHERE chat_id = ? AND message_id = ? AND status = 'pending'")) {
                for (PreparedStatement ps : new PreparedStatement[] {job, pending}) {
                  ps.setString(1, e.chatId());
                  ps.setLong(2, e.messageId());
                  ps.executeUpdate();
                }
              }
              return null;
            });
      }
    }
  }
}
