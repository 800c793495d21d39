package org.herald.projection.common;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatEvent;

/**
 * Runs a projection over tagged events (the chat events' {@code chat-0 … chat-7}, the post views'
 * {@code views-0 …}, the users' single tag): one instance per tag, spread over the cluster by a
 * sharded daemon process, each resuming from its offset in the JDBC offset store. The instances
 * of every projection on a node read a tag through one {@link TagFeed}. Every
 * projection started here is entered in the node's {@link ReadModels} catalog, with the tables
 * it owns, so lag, metrics and rebuilds know it without further wiring.
 *
 * <p>Exactly-once projections handle events in groups (up to {@code herald.projections.group.size}
 * events, waiting at most {@code group.within} for more): one transaction and one offset write per
 * group, since under sustained load a commit per event, not the work, is what makes a
 * projection fall behind. A handler either takes the group (and may sum it) or one event at a
 * time inside the group's transaction. Every group passes the {@link OffsetFence}, so a second
 * instance of the same projection (on a node that froze and was replaced) cannot apply a group
 * twice.
 */
public final class TaggedProjections {
  private TaggedProjections() {}

  /** An exactly-once projection over the chat events, one event at a time. */
  public static void start(
      ActorSystem<?> system,
      String name,
      DataSource dataSource,
      ReadModel.Owned owned,
      Supplier<JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions>> handler) {
    start(system, name, ChatEntity.TAGS, dataSource, owned, handler);
  }

  /** An exactly-once projection over events tagged {@code tags}, one event at a time. */
  public static <E> void start(
      ActorSystem<?> system,
      String name,
      List<String> tags,
      DataSource dataSource,
      ReadModel.Owned owned,
      Supplier<JdbcHandler<EventEnvelope<E>, JdbcSessions>> handler) {
    startGrouped(system, name, tags, dataSource, owned, () -> new InOneTransaction<E>(handler.get()));
  }

  /** An exactly-once projection whose handler takes each group of events at once. */
  public static <E> void startGrouped(
      ActorSystem<?> system,
      String name,
      List<String> tags,
      DataSource dataSource,
      ReadModel.Owned owned,
      Supplier<JdbcHandler<List<EventEnvelope<E>>, JdbcSessions>> handler) {
    ReadModels.get(system).register(owned.as(name, tags, ReadModel.Delivery.EXACTLY_ONCE));
    var group = system.settings().config().getConfig("herald.projections.group");
    run(
        system,
        name,
        tags,
        tag -> {
          ProjectionId id = ProjectionId.of(name, tag);
          return JdbcProjection.groupedWithin(
                  id,
                  TaggedProjections.<E>source(system, tag),
                  () -> new JdbcSessions(dataSource),
                  () -> new OffsetFence<E>(id, handler.get()),
                  system)
              .withGroup(group.getInt("size"), group.getDuration("within"));
        });
  }

  /** A group of events through a per-event handler, in the group's one transaction. */
  private static final class InOneTransaction<E> extends JdbcHandler<List<EventEnvelope<E>>, JdbcSessions> {
    private final JdbcHandler<EventEnvelope<E>, JdbcSessions> each;

    InOneTransaction(JdbcHandler<EventEnvelope<E>, JdbcSessions> each) {
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
    public void process(JdbcSessions session, List<EventEnvelope<E>> envelopes) throws Exception {
      for (EventEnvelope<E> envelope : envelopes) {
        each.process(session, envelope);
      }
    }
  }

  /**
   * An at-least-once projection over the chat events whose handler acts outside the database
   * (asks entities); the offset is stored after the handler's stage completes, so a crash
   * repeats, never skips.
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
        ChatEntity.TAGS,
        tag ->
            JdbcProjection.atLeastOnceAsync(
                ProjectionId.of(name, tag), TaggedProjections.<ChatEvent>source(system, tag), () -> new JdbcSessions(dataSource), handler, system));
  }

  /** The tag's events through the node's shared {@link TagFeed}: read and decoded once per node. */
  private static <E> SourceProvider<Offset, EventEnvelope<E>> source(ActorSystem<?> system, String tag) {
    return TagFeeds.get(system).source(tag);
  }

  private static <E> void run(
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
