package org.herald.projection.common;

import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatEvent;
import java.util.Optional;

/**
 * Runs one exactly-once JDBC projection over the chat events: one instance per tag partition,
 * spread over the cluster by a sharded daemon process, each resuming from its stored offset.
 */
public final class ChatProjections {
  private ChatProjections() {}

  public static void start(
      ActorSystem<?> system,
      String name,
      DataSource dataSource,
      Supplier<JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions>> handler) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            name,
            ChatEntity.TAGS.size(),
            index -> {
              String tag = ChatEntity.TAGS.get(index);
              var projection =
                  JdbcProjection.exactlyOnce(
                      ProjectionId.of(name, tag),
                      EventSourcedProvider.<ChatEvent>eventsByTag(
                          system, JdbcReadJournal.Identifier(), tag),
                      () -> new JdbcSessions(dataSource),
                      handler,
                      system);
              return ProjectionBehavior.create(projection);
            },
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }
}
