package org.herald.projection.common;

import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.ProjectionBehavior;
import java.util.function.Function;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatEvent;
import java.util.List;
import java.util.Optional;

/**
 * Runs a projection over the chat events: one instance per tag partition, spread over the
 * cluster by a sharded daemon process, each resuming from its offset in the JDBC offset store.
 */
public final class ChatProjections {
  private ChatProjections() {}

  /** An exactly-once projection whose handler writes in the offset's transaction. */
  public static void start(
      ActorSystem<?> system,
      String name,
      DataSource dataSource,
      Supplier<JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions>> handler) {
    run(
        system,
        name,
        tag ->
            JdbcProjection.exactlyOnce(
                ProjectionId.of(name, tag), ChatProjections.<ChatEvent>source(system, tag), () -> new JdbcSessions(dataSource), handler, system));
  }

  /**
   * An at-least-once projection whose handler acts outside the database (asks entities); the
   * offset is stored after the handler's stage completes, so a crash repeats, never skips.
   */
  public static void startAsync(
      ActorSystem<?> system,
      String name,
      DataSource dataSource,
      Supplier<Handler<EventEnvelope<ChatEvent>>> handler) {
    run(
        system,
        name,
        tag ->
            JdbcProjection.atLeastOnceAsync(
                ProjectionId.of(name, tag), ChatProjections.<ChatEvent>source(system, tag), () -> new JdbcSessions(dataSource), handler, system));
  }

  /**
   * An exactly-once projection over events of another entity type, one instance per tag of
   * {@code tags} (for example the views of posts, tagged {@code views-0 …}).
   */
  public static <E> void startTagged(
      ActorSystem<?> system,
      String name,
      List<String> tags,
      DataSource dataSource,
      Supplier<JdbcHandler<EventEnvelope<E>, JdbcSessions>> handler) {
    runOver(
        system,
        name,
        tags,
        tag ->
            JdbcProjection.exactlyOnce(
                ProjectionId.of(name, tag), ChatProjections.<E>source(system, tag), () -> new JdbcSessions(dataSource), handler, system));
  }

  /**
   * Like {@link #startTagged}, but the handler takes up to {@code groupSize} envelopes (or what
   * arrived within {@code groupWithin}) at once, written with the offset of the last one in one
   * transaction: still exactly-once, with one commit per group instead of per event.
   */
  public static <E> void startTaggedGrouped(
      ActorSystem<?> system,
      String name,
      List<String> tags,
      DataSource dataSource,
      int groupSize,
      java.time.Duration groupWithin,
      Supplier<JdbcHandler<List<EventEnvelope<E>>, JdbcSessions>> handler) {
    runOver(
        system,
        name,
        tags,
        tag ->
            JdbcProjection.groupedWithin(
                    ProjectionId.of(name, tag), ChatProjections.<E>source(system, tag), () -> new JdbcSessions(dataSource), handler, system)
                .withGroup(groupSize, groupWithin));
  }

  private static <E> SourceProvider<Offset, EventEnvelope<E>> source(ActorSystem<?> system, String tag) {
    return EventSourcedProvider.<E>eventsByTag(system, JdbcReadJournal.Identifier(), tag);
  }

  private static void run(ActorSystem<?> system, String name, Function<String, Projection<EventEnvelope<ChatEvent>>> projection) {
    runOver(system, name, ChatEntity.TAGS, projection);
  }

  private static <E> void runOver(
      ActorSystem<?> system, String name, List<String> tags, Function<String, Projection<EventEnvelope<E>>> projection) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            name,
            tags.size(),
            index -> ProjectionBehavior.create(projection.apply(tags.get(index))),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }
}
