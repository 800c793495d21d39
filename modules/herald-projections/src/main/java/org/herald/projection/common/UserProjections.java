package org.herald.projection.common;

import java.util.Optional;
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
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserEvent;

/**
 * Runs a projection over the user events tagged {@link UserEntity#TAG}: one instance in the
 * whole cluster (a sharded daemon process of one, so it moves when its node leaves), resuming
 * from its offset in the JDBC offset store. The sibling of {@link ChatProjections} for a tag that
 * is not partitioned.
 */
public final class UserProjections {
  private UserProjections() {}

  /** An exactly-once projection whose handler writes in the offset's transaction. */
  public static void start(
      ActorSystem<?> system,
      String name,
      DataSource dataSource,
      ReadModel.Owned owned,
      Supplier<JdbcHandler<EventEnvelope<UserEvent>, JdbcSessions>> handler) {
    ReadModels.get(system).register(owned.as(name, java.util.List.of(UserEntity.TAG), ReadModel.Delivery.EXACTLY_ONCE));
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            name,
            1,
            index ->
                ProjectionBehavior.create(
                    JdbcProjection.exactlyOnce(
                        ProjectionId.of(name, UserEntity.TAG),
                        EventSourcedProvider.<UserEvent>eventsByTag(system, JdbcReadJournal.Identifier(), UserEntity.TAG),
                        () -> new JdbcSessions(dataSource),
                        handler,
                        system)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }
}
