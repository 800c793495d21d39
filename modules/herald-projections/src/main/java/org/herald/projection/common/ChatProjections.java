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
 * Every projection started here is entered in the node's {@link ReadModels} catalog, with the
 * tables it owns, so lag, metrics and rebuilds know it without further wiring.
 */
public final class ChatProjections {
  private ChatProjections() {}

  /**
   * An exactly-once projection whose handler writes in the offset's transaction. Events are
   * handled in groups (up to {@code herald.projections.group.size} events, waiting at most
   * {@code group.within} for more), one transaction and one offset write per group: under
   * sustained load a commit per event, not the work, is what makes a projection fall behind.
   */
  public static void start(
      ActorSystem<?> system,
      String name,
      DataSource dataSource,
      ReadModel.Owned owned,
      Supplier<JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions>> handler) {
    ReadModels.get(system).register(owned.as(name, ChatEntity.TAGS, ReadModel.Delivery.EXACTLY_ONCE));
    var group = system.settings().config().getConfig("herald.projections.group");
    run(
        system,
        name,
        tag ->
            JdbcProjection.groupedWithin(
                    ProjectionId.of(name, tag),
                    ChatProjections.<ChatEvent>source(system, tag),
                    () -> new JdbcSessions(dataSource),
                    () -> new InOneTransaction(handler.get()),
                    system)
                .withGroup(group.getInt("size"), group.getDuration("within")));
  }

  /** A group of events through a per-event handler, in the group's one transaction. */
  private static final class InOneTransaction extends JdbcHandler<List<EventEnvelope<ChatEvent>>, JdbcSessions> {
    private final JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions> each;

    InOneTransaction(JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions> each) {
      this.each = each;
    }

    @Override
    public void start() {
      each.start();
    }

    @Override
    public void stop() {
      each.stop();
    }

    @Override
    public void process(JdbcSessions session, List<EventEnvelope<ChatEvent>> envelopes) throws Exception {
      for (EventEnvelope<ChatEvent> envelope : envelopes) {
        each.process(session, envelope);
      }
    }
  }

  /**
   * An at-least-once projection whose handler acts outside the database (asks entities); the
   * offset is stored after the handler's stage completes, so a crash repeats, never skips.
   */
  public static void startAsync(
      ActorSystem<?> system,
      String name,
      DataSource dataSource,
      ReadModel.Owned owned,
      Supplier<Handler<EventEnvelope<ChatEvent>>> handler) {
    ReadModels.get(system).register(owned.as(name, ChatEntity.TAGS, ReadModel.Delivery.AT_LEAST_ONCE));
    run(
        system,
        name,
        tag ->
            JdbcProjection.atLeastOnceAsync(
                ProjectionId.of(name, tag), ChatProjections.<ChatEvent>source(system, tag), () -> new JdbcSessions(dataSource), handler, system));
  }

  /**
   * An exactly-once projection over events of another entity type, one instance per tag of
   * {@code tags} (for example the views of posts, tagged {@code views-0 …}), whose handler takes
   * a group of up to {@code groupSize} envelopes (or what arrived within {@code groupWithin})
   * and writes them with the offset of the last one in one transaction; it can sum the group
   * instead of writing per event.
   */
  public static <E> void startTaggedGrouped(
      ActorSystem<?> system,
      String name,
      List<String> tags,
      DataSource dataSource,
      ReadModel.Owned owned,
      int groupSize,
      java.time.Duration groupWithin,
      Supplier<JdbcHandler<List<EventEnvelope<E>>, JdbcSessions>> handler) {
    ReadModels.get(system).register(owned.as(name, tags, ReadModel.Delivery.EXACTLY_ONCE));
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
