package org.herald.domain.views;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.herald.domain.common.SnapshotSpacing;
import org.herald.domain.views.ViewsCommand.Counted;
import org.herald.domain.views.ViewsCommand.Flush;
import org.herald.domain.views.ViewsCommand.GetViews;
import org.herald.domain.views.ViewsCommand.RecordView;
import org.herald.domain.views.ViewsEvent.ViewsRecorded;

/**
 * The view counter of one post (a message of a channel or group): who has seen it, each user
 * counted once however often and from however many devices they report it.
 *
 * <p>Id: {@code <chatId>/<messageId>}; one entity per post, so a hot post never queues behind
 * the chat's own commands, and posts of one channel count in parallel over the cluster.
 *
 * <p>Group commit: a new viewer is not journaled on its own. It waits in a runtime buffer, and a
 * {@link Flush} the entity sends itself journals everything buffered as one event; viewers who
 * arrive while that write is in flight are stashed and go into the next one. Under a burst, one
 * journal write carries hundreds of viewers, so a post seen by 200,000 users in a minute costs a
 * few hundred writes, not 200,000. Every reporter is answered only once its view is durable;
 * if the write fails the entity restarts, the unanswered reporters time out and report again,
 * and the dedupe set makes the repetition harmless: no view is lost or counted twice.
 *
 * <p>Events are tagged {@code views-0 … views-(N-1)} by the chat id's hash; the views projection
 * turns them into counters.
 */
public final class PostViews extends EventSourcedBehavior<ViewsCommand, ViewsEvent, ViewsState> {

  public static final EntityTypeKey<ViewsCommand> ENTITY_TYPE_KEY =
      EntityTypeKey.create(ViewsCommand.class, "PostViews");

  /** Number of tag partitions; fixed forever, like the chat's. */
  public static final int TAG_PARTITIONS = 8;

  public static final List<String> TAGS =
      java.util.stream.IntStream.range(0, TAG_PARTITIONS).mapToObj(i -> "views-" + i).toList();

  /** A snapshot every this many events bounds recovery; a hot post writes big batches. */
  private static final int SNAPSHOT_EVERY = 200;

  public static String tagFor(String chatId) {
    return TAGS.get(Math.floorMod(chatId.hashCode(), TAG_PARTITIONS));
  }

  public static String entityId(String chatId, long messageId) {
    return chatId + "/" + messageId;
  }

  public static void init(ActorSystem<?> system, Clock clock) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), clock)));
  }

  public static EntityRef<ViewsCommand> ref(ClusterSharding sharding, String chatId, long messageId) {
    return sharding.entityRefFor(ENTITY_TYPE_KEY, entityId(chatId, messageId));
  }

  public static Behavior<ViewsCommand> create(String entityId, Clock clock) {
    return Behaviors.setup(ctx -> new PostViews(ctx, entityId, clock));
  }

  private record Pending(String userId, ActorRef<Counted> replyTo) {}

  private final ActorContext<ViewsCommand> ctx;
  private final String chatId;
  private final long messageId;
  private final Clock clock;
  private final Set<String> tags;

  /** Viewers waiting for the next write; runtime only. */
  private final List<Pending> buffer = new ArrayList<>();
  private final Set<String> buffered = new HashSet<>();

  private PostViews(ActorContext<ViewsCommand> ctx, String entityId, Clock clock) {
    super(
        PersistenceId.of(ENTITY_TYPE_KEY.name(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    int slash = entityId.lastIndexOf('/');
    if (slash < 1) {
      throw new IllegalArgumentException("a post views id is <chatId>/<messageId>: " + entityId);
    }
    this.ctx = ctx;
    this.chatId = entityId.substring(0, slash);
    this.messageId = Long.parseLong(entityId.substring(slash + 1));
    this.clock = clock;
    this.tags = Set.of(tagFor(chatId));
  }

  @Override
  public ViewsState emptyState() {
    return new ViewsState(null);
  }

  @Override
  public Set<String> tagsFor(ViewsEvent event) {
    return tags;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return SnapshotSpacing.every(SNAPSHOT_EVERY, chatId + '/' + messageId);
  }

  @Override
  public CommandHandler<ViewsCommand, ViewsEvent, ViewsState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(RecordView.class, this::onRecordView)
        .onCommand(Flush.class, this::onFlush)
        .onCommand(GetViews.class, (state, cmd) -> Effect().none().thenRun(s -> cmd.replyTo().tell(new Counted(s.views()))))
        .build();
  }

  private Effect<ViewsEvent, ViewsState> onRecordView(ViewsState state, RecordView cmd) {
    if (state.viewers().contains(cmd.userId())) {
      cmd.replyTo().tell(new Counted(state.views()));
      return Effect().none();
    }
    if (buffer.isEmpty()) {
      ctx.getSelf().tell(new Flush());
    }
    // A second report of a buffered viewer is answered with the same write.
    buffered.add(cmd.userId());
    buffer.add(new Pending(cmd.userId(), cmd.replyTo()));
    return Effect().none();
  }

  private Effect<ViewsEvent, ViewsState> onFlush(ViewsState state, Flush cmd) {
    if (buffer.isEmpty()) {
      return Effect().none();
    }
    List<Pending> batch = List.copyOf(buffer);
    List<String> userIds = List.copyOf(buffered);
    buffer.clear();
    buffered.clear();
    return Effect()
        .persist(new ViewsRecorded(chatId, messageId, userIds, clock.instant()))
        .thenRun(
            s -> {
              Counted counted = new Counted(s.views());
              batch.forEach(p -> p.replyTo().tell(counted));
            });
  }

  @Override
  public EventHandler<ViewsState, ViewsEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(ViewsRecorded.class, (state, event) -> new ViewsState(state.viewers().withAll(event.userIds())))
        .build();
  }
}
