package org.herald.domain.handle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Rejection;

/**
 * A handle is a globally unique name pointing at one owner: a {@code @username} (unique ignoring
 * case, one namespace for users and, later, groups and channels) or a phone number.
 *
 * <p>Id: {@code username:<lower-case name>} or {@code phone:+<digits>}, so two nodes racing for
 * "Alice" and "alice" talk to the same single entity and exactly one claim wins. States: free
 * (no owner) or claimed (one owner). Invariants: at most one owner at a time; a claim by the
 * current owner is idempotent; only the owner releases. No projection reads these events.
 */
public final class HandleEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        HandleEntity.Command, HandleEntity.Event, HandleEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "Handle");

  public static void init(ActorSystem<?> system, Clock clock) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), clock)).withSettings(shardingSettings(system)));
  }

  /**
   * The node's sharding settings, but a handle passivates after {@code
   * herald.handle.passivate-after} idle: it is used when an account is made or renamed and then
   * rarely, and every live entity holds several KiB of heap.
   */
  static ClusterShardingSettings shardingSettings(ActorSystem<?> system) {
    Duration idle = system.settings().config().getDuration("herald.handle.passivate-after");
    ClusterShardingSettings settings = ClusterShardingSettings.create(system);
    return settings.withPassivationStrategy(settings.passivationStrategySettings().withIdleEntityPassivation(idle));
  }

  public static String usernameId(String username) {
    return "username:" + username.toLowerCase(Locale.ROOT);
  }

  public static String phoneId(String canonicalPhone) {
    return "phone:" + canonicalPhone;
  }

  public static EntityRef<Command> ref(ClusterSharding sharding, String handleId) {
    return sharding.entityRefFor(ENTITY_TYPE_KEY, handleId);
  }

  // ---- protocol -----------------------------------------------------------------------------

  /** Commands a handle accepts. */
  public sealed interface Command extends CborSerializable {
    ActorRef<Reply> replyTo();
  }

  /** Take the handle for {@code ownerId}; idempotent for the current owner. */
  public record Claim(String ownerId, ActorRef<Reply> replyTo) implements Command {}

  /** Give the handle up; only its owner may, and releasing a free handle is a no-op. */
  public record Release(String ownerId, ActorRef<Reply> replyTo) implements Command {}

  /** Who owns the handle, if anyone. */
  public record Resolve(ActorRef<Reply> replyTo) implements Command {}

  /** Replies. */
  public sealed interface Reply extends CborSerializable {}

  public record Claimed(String ownerId) implements Reply {}

  public record Released() implements Reply {}

  /** {@code ownerId} is {@code null} when the handle is free. */
  public record Owner(String ownerId) implements Reply {}

  public record Rejected(Rejection rejection) implements Reply {}

  /** Events: the journal schema of a handle. */
  public sealed interface Event extends CborSerializable {}

  /** The handle now points at {@code ownerId}. */
  public record HandleClaimed(String ownerId, Instant date) implements Event {}

  /** The handle became free again. */
  public record HandleReleased(String ownerId, Instant date) implements Event {}

  /** State: the current owner, {@code null} when free. */
  public record State(String ownerId) implements CborSerializable {
    static final State FREE = new State(null);

    boolean isFree() {
      return ownerId == null;
    }
  }

  // ---- behaviour ----------------------------------------------------------------------------

  private final String handleId;
  private final Clock clock;

  public static Behavior<Command> create(String handleId, Clock clock) {
    return new HandleEntity(handleId, clock);
  }

  private HandleEntity(String handleId, Clock clock) {
    super(
        PersistenceId.of(ENTITY_TYPE_KEY.name(), handleId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.handleId = handleId;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return State.FREE;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Claim.class, this::onClaim)
        .onCommand(Release.class, this::onRelease)
        .onCommand(Resolve.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new Owner(state.ownerId())))
        .build();
  }

  private ReplyEffect<Event, State> onClaim(State state, Claim cmd) {
    if (state.isFree()) {
      return Effect()
          .persist(new HandleClaimed(cmd.ownerId(), clock.instant()))
          .thenReply(cmd.replyTo(), s -> new Claimed(s.ownerId()));
    }
    if (state.ownerId().equals(cmd.ownerId())) {
      return Effect().reply(cmd.replyTo(), new Claimed(state.ownerId()));
    }
    boolean phone = handleId.startsWith("phone:");
    return Effect()
        .reply(
            cmd.replyTo(),
            new Rejected(
                phone
                    ? Rejection.onField(ErrorCode.PHONE_TAKEN, "phone", "phone is already registered")
                    : Rejection.onField(ErrorCode.USERNAME_TAKEN, "username", "username is taken")));
  }

  private ReplyEffect<Event, State> onRelease(State state, Release cmd) {
    if (state.isFree()) {
      return Effect().reply(cmd.replyTo(), new Released());
    }
    if (!state.ownerId().equals(cmd.ownerId())) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new Rejected(Rejection.of(ErrorCode.NOT_A_MEMBER, "only the owner may release a handle")));
    }
    return Effect()
        .persist(new HandleReleased(cmd.ownerId(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> new Released());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(HandleClaimed.class, (state, e) -> new State(e.ownerId()))
        .onEvent(HandleReleased.class, (state, e) -> State.FREE)
        .build();
  }
}
