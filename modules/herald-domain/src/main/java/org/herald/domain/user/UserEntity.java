package org.herald.domain.user;

import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Publisher;
import org.herald.domain.common.RecoveryTimes;
import org.herald.domain.common.Rejection;
import org.herald.domain.common.SnapshotSpacing;
import org.herald.domain.user.UserCommand.Authenticate;
import org.herald.domain.user.UserCommand.EndSession;
import org.herald.domain.user.UserCommand.ForgetChat;
import org.herald.domain.user.UserCommand.GetCredentials;
import org.herald.domain.user.UserCommand.GetProfile;
import org.herald.domain.user.UserCommand.ListChats;
import org.herald.domain.user.UserCommand.ListSessions;
import org.herald.domain.user.UserCommand.MuteChat;
import org.herald.domain.user.UserCommand.UnmuteChat;
import org.herald.domain.user.UserCommand.OpenSession;
import org.herald.domain.user.UserCommand.RecordChat;
import org.herald.domain.user.UserCommand.Register;
import org.herald.domain.user.UserEvent.ChatForgotten;
import org.herald.domain.user.UserEvent.ChatRecorded;
import org.herald.domain.user.UserEvent.SessionEnded;
import org.herald.domain.user.UserEvent.SessionOpened;
import org.herald.domain.user.UserEvent.UserRegistered;
import org.herald.domain.user.UserReply.Rejected;
import org.herald.domain.user.UserState.Active;
import org.herald.domain.user.UserState.Empty;
import org.herald.domain.user.UserState.Session;

/**
 * A user account: profile, password hash, device sessions and the index of chats the user is in.
 *
 * <p>Id: the userId ({@code u…}). States: {@link Empty} until {@link Register}, then {@link
 * Active}. Invariants: a session token is checked only against its stored SHA-256, in constant
 * time; an ended session never authenticates again; the chat index applies each chat's joins
 * and leaves in the chat's membership order (a late, older notice is ignored). Every chat the
 * user joins is recorded here before the join is
 * acknowledged to a client, and announced to every node once durable, so a socket that
 * registers and then lists the chats misses none. Password verification is not
 * done here: the KDF is deliberately slow and runs on the API's KDF dispatcher.
 *
 * <p>{@link UserRegistered} and {@link SessionOpened} are tagged {@link #TAG} for the analytics
 * projection (new accounts, active users); the other events are not tagged. Events written
 * before tagging was added stay untagged, which is fine: there has been no release before it.
 * The user also holds its platform roles ({@link PlatformRole}) granted by command.
 */
public final class UserEntity
    extends EventSourcedBehaviorWithEnforcedReplies<UserCommand, UserEvent, UserState> {

  public static final EntityTypeKey<UserCommand> ENTITY_TYPE_KEY =
      EntityTypeKey.create(UserCommand.class, "User");

  /**
   * The one tag of user events that projections read. Registrations and logins are few next
   * to chat events, so one projection instance keeps up and no partitioning is needed.
   */
  public static final String TAG = "users";

  private static final Set<String> TAGGED = Set.of(TAG);
  /** Events between snapshots (spread per user by {@link SnapshotSpacing}). */
  private static final int SNAPSHOT_EVERY = 200;

  public static void init(ActorSystem<?> system, Clock clock, Publisher publisher) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), clock, publisher)));
  }

  public static EntityRef<UserCommand> ref(ClusterSharding sharding, String userId) {
    return sharding.entityRefFor(ENTITY_TYPE_KEY, userId);
  }

  public static Behavior<UserCommand> create(String userId, Clock clock, Publisher publisher) {
    return Behaviors.setup(
        ctx -> new UserEntity(userId, clock, publisher, RecoveryTimes.timer(ctx.getSystem(), ENTITY_TYPE_KEY.name())));
  }

  private final String userId;
  private final Clock clock;
  private final Publisher publisher;
  private final Timer recoveryTimer;
  private final long startedNanos = System.nanoTime();

  private UserEntity(String userId, Clock clock, Publisher publisher, Timer recoveryTimer) {
    super(
        PersistenceId.of(ENTITY_TYPE_KEY.name(), userId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.userId = userId;
    this.clock = clock;
    this.publisher = publisher;
    this.recoveryTimer = recoveryTimer;
  }

  @Override
  public SignalHandler<UserState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> RecoveryTimes.recordSince(recoveryTimer, startedNanos))
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return SnapshotSpacing.every(SNAPSHOT_EVERY, userId);
  }

  @Override
  public Set<String> tagsFor(UserEvent event) {
    return event instanceof UserRegistered || event instanceof SessionOpened ? TAGGED : Set.of();
  }

  @Override
  public UserState emptyState() {
    return new Empty();
  }

  @Override
  public CommandHandlerWithReply<UserCommand, UserEvent, UserState> commandHandler() {
    CommandHandlerWithReplyBuilder<UserCommand, UserEvent, UserState> builder =
        newCommandHandlerWithReplyBuilder();
    builder
        .forStateType(Empty.class)
        .onCommand(Register.class, this::onRegister)
        .onCommand(
            Authenticate.class,
            cmd -> Effect().reply(cmd.replyTo(), rejected(ErrorCode.INVALID_CREDENTIALS, "invalid token")))
        .onCommand(UserCommand.DevicePresence.class, cmd -> Effect().noReply())
        .onAnyCommand(
            cmd -> Effect().reply(cmd.replyTo(), rejected(ErrorCode.USER_NOT_FOUND, "no such user")));
    builder
        .forStateType(Active.class)
        .onCommand(
            Register.class,
            cmd -> Effect().reply(cmd.replyTo(), rejected(ErrorCode.ALREADY_EXISTS, "account exists")))
        .onCommand(OpenSession.class, this::onOpenSession)
        .onCommand(Authenticate.class, this::onAuthenticate)
        .onCommand(
            GetCredentials.class,
            (state, cmd) ->
                Effect()
                    .reply(cmd.replyTo(), new UserReply.Credentials(userId, state.passwordHash())))
        .onCommand(
            GetProfile.class,
            (state, cmd) ->
                Effect()
                    .reply(
                        cmd.replyTo(),
                        new UserReply.Profile(userId, state.username(), state.displayName(), state.roles())))
        .onCommand(ListSessions.class, this::onListSessions)
        .onCommand(EndSession.class, this::onEndSession)
        .onCommand(RecordChat.class, this::onRecordChat)
        .onCommand(ForgetChat.class, this::onForgetChat)
        .onCommand(MuteChat.class, this::onMuteChat)
        .onCommand(UserCommand.SetPushToken.class, this::onSetPushToken)
        .onCommand(UserCommand.DevicePresence.class, this::onDevicePresence)
        .onCommand(UserCommand.GetPushTargets.class, this::onGetPushTargets)
        .onCommand(UnmuteChat.class, this::onUnmuteChat)
        .onCommand(UserCommand.GrantRole.class, this::onGrantRole)
        .onCommand(UserCommand.RevokeRole.class, this::onRevokeRole)
        .onCommand(
            ListChats.class,
            (state, cmd) ->
                Effect().reply(cmd.replyTo(), new UserReply.ChatList(List.copyOf(state.chats().keySet()), state.mutes())));
    return builder.build();
  }

  private ReplyEffect<UserEvent, UserState> onSetPushToken(Active state, UserCommand.SetPushToken cmd) {
    var session = state.sessions().get(cmd.sessionId());
    if (session == null) {
      return Effect().reply(cmd.replyTo(), new UserReply.Rejected(Rejection.of(ErrorCode.SESSION_NOT_FOUND, "session not found")));
    }
    if (java.util.Objects.equals(session.pushToken(), cmd.pushToken())) {
      return Effect().reply(cmd.replyTo(), new UserReply.Ack());
    }
    return Effect()
        .persist(new UserEvent.PushTokenSet(cmd.sessionId(), cmd.pushToken(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> new UserReply.Ack());
  }

  /**
   * Which devices are connected: a lease per open connection (session id, connection id).
   * Runtime state that a restart forgets (then: push).
   */
  private final Map<List<String>, Instant> presentUntil = new java.util.HashMap<>();
  /** When a connection of this user last closed (or its lease ran out). */
  private Instant lastConnected = Instant.MIN;

  private ReplyEffect<UserEvent, UserState> onDevicePresence(UserState state, UserCommand.DevicePresence cmd) {
    Instant now = clock.instant();
    List<String> connection = List.of(cmd.sessionId(), cmd.connectionId());
    if (cmd.until().isAfter(now)) {
      presentUntil.put(connection, cmd.until());
    } else if (presentUntil.remove(connection) != null) {
      lastConnected = now;
    }
    return Effect().noReply();
  }

  private ReplyEffect<UserEvent, UserState> onGetPushTargets(Active state, UserCommand.GetPushTargets cmd) {
    Instant now = clock.instant();
    presentUntil.values().removeIf(until -> {
      if (!until.isAfter(now)) {
        lastConnected = until.isAfter(lastConnected) ? until : lastConnected;
        return true;
      }
      return false;
    });
    // Connected now, or when the message was sent (it was delivered live, then the device left).
    boolean online =
        presentUntil.keySet().stream().anyMatch(connection -> state.sessions().containsKey(connection.get(0)))
            || !lastConnected.isBefore(cmd.sentAt());
    Instant mutedUntil = state.mutes().get(cmd.chatId());
    Map<String, String> tokens = new java.util.HashMap<>();
    state.sessions().values().forEach(s -> {
      if (s.pushToken() != null) {
        tokens.put(s.sessionId(), s.pushToken());
      }
    });
    return Effect()
        .reply(
            cmd.replyTo(),
            new UserReply.PushTargets(state.chats().containsKey(cmd.chatId()), mutedUntil != null && mutedUntil.isAfter(now), online, tokens));
  }

  private ReplyEffect<UserEvent, UserState> onRegister(Empty state, Register cmd) {
    var now = clock.instant();
    var session = cmd.firstSession();
    return Effect()
        .persist(
            List.of(
                new UserRegistered(
                    userId, cmd.username(), cmd.phone(), cmd.displayName(), cmd.passwordHash(), now),
                new SessionOpened(session.sessionId(), session.deviceName(), session.tokenHash(), now)))
        .thenReply(cmd.replyTo(), s -> new UserReply.Registered(userId, session.sessionId(), now));
  }

  private ReplyEffect<UserEvent, UserState> onOpenSession(Active state, OpenSession cmd) {
    var session = cmd.session();
    var existing = state.sessions().get(session.sessionId());
    if (existing != null) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new UserReply.SessionStarted(userId, existing.sessionId(), existing.createdAt()));
    }
    var now = clock.instant();
    return Effect()
        .persist(new SessionOpened(session.sessionId(), session.deviceName(), session.tokenHash(), now))
        .thenReply(cmd.replyTo(), s -> new UserReply.SessionStarted(userId, session.sessionId(), now));
  }

  private ReplyEffect<UserEvent, UserState> onAuthenticate(Active state, Authenticate cmd) {
    if (cmd.tokenHash() != null && state.tokenMatches(cmd.sessionId(), cmd.tokenHash())) {
      return Effect().reply(cmd.replyTo(), new UserReply.Authenticated(userId, cmd.sessionId()));
    }
    return Effect().reply(cmd.replyTo(), rejected(ErrorCode.INVALID_CREDENTIALS, "invalid token"));
  }

  private ReplyEffect<UserEvent, UserState> onListSessions(Active state, ListSessions cmd) {
    List<UserReply.SessionInfo> list = new ArrayList<>();
    for (Session s : state.sessionsByAge()) {
      list.add(new UserReply.SessionInfo(s.sessionId(), s.deviceName(), s.createdAt()));
    }
    return Effect().reply(cmd.replyTo(), new UserReply.Sessions(list));
  }

  private ReplyEffect<UserEvent, UserState> onEndSession(Active state, EndSession cmd) {
    if (!state.sessions().containsKey(cmd.sessionId())) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new Rejected(
                  Rejection.onField(ErrorCode.SESSION_NOT_FOUND, "sessionId", "no such session")));
    }
    return Effect()
        .persist(new SessionEnded(cmd.sessionId(), clock.instant()))
        .thenRun(
            s ->
                publisher.announce(new UserNotification.SessionRevoked(userId, cmd.sessionId())))
        .thenReply(cmd.replyTo(), s -> new UserReply.Ack());
  }

  private ReplyEffect<UserEvent, UserState> onRecordChat(Active state, RecordChat cmd) {
    if (cmd.version() <= state.knownVersion(cmd.chatId()) || state.chats().containsKey(cmd.chatId())) {
      return Effect().reply(cmd.replyTo(), new UserReply.Ack());
    }
    return Effect()
        .persist(new ChatRecorded(cmd.chatId(), clock.instant(), cmd.version()))
        .thenRun(
            s ->
                publisher.announce(new UserNotification.ChatAdded(userId, cmd.chatId())))
        .thenReply(cmd.replyTo(), s -> new UserReply.Ack());
  }

  private ReplyEffect<UserEvent, UserState> onForgetChat(Active state, ForgetChat cmd) {
    if (cmd.version() <= state.knownVersion(cmd.chatId())) {
      return Effect().reply(cmd.replyTo(), new UserReply.Ack());
    }
    return Effect()
        .persist(new ChatForgotten(cmd.chatId(), cmd.version(), clock.instant()))
        .thenRun(s -> publisher.announce(new UserNotification.ChatRemoved(userId, cmd.chatId())))
        .thenReply(cmd.replyTo(), s -> new UserReply.Ack());
  }

  private ReplyEffect<UserEvent, UserState> onMuteChat(Active state, MuteChat cmd) {
    if (!state.chats().containsKey(cmd.chatId())) {
      return Effect().reply(cmd.replyTo(), rejected(ErrorCode.CHAT_NOT_FOUND, "chat not found"));
    }
    return Effect()
        .persist(new UserEvent.ChatMuted(cmd.chatId(), cmd.until(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> new UserReply.Ack());
  }

  private ReplyEffect<UserEvent, UserState> onUnmuteChat(Active state, UnmuteChat cmd) {
    if (!state.mutes().containsKey(cmd.chatId())) {
      return Effect().reply(cmd.replyTo(), new UserReply.Ack());
    }
    return Effect()
        .persist(new UserEvent.ChatUnmuted(cmd.chatId(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> new UserReply.Ack());
  }

  private ReplyEffect<UserEvent, UserState> onGrantRole(Active state, UserCommand.GrantRole cmd) {
    if (state.roles().contains(cmd.role())) {
      return Effect().reply(cmd.replyTo(), new UserReply.Ack());
    }
    return Effect()
        .persist(new UserEvent.RoleGranted(cmd.role(), cmd.by(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> new UserReply.Ack());
  }

  private ReplyEffect<UserEvent, UserState> onRevokeRole(Active state, UserCommand.RevokeRole cmd) {
    if (!state.roles().contains(cmd.role())) {
      return Effect().reply(cmd.replyTo(), new UserReply.Ack());
    }
    return Effect()
        .persist(new UserEvent.RoleRevoked(cmd.role(), cmd.by(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> new UserReply.Ack());
  }

  private static Rejected rejected(ErrorCode code, String message) {
    return new Rejected(Rejection.of(code, message));
  }

  @Override
  public EventHandler<UserState, UserEvent> eventHandler() {
    EventHandlerBuilder<UserState, UserEvent> builder = newEventHandlerBuilder();
    builder
        .forStateType(Empty.class)
        .onEvent(
            UserRegistered.class,
            (state, e) ->
                new Active(
                    e.userId(),
                    e.username(),
                    e.phone(),
                    e.displayName(),
                    e.passwordHash(),
                    e.date(),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    Set.of()));
    builder
        .forStateType(Active.class)
        .onEvent(
            SessionOpened.class,
            (state, e) ->
                state.withSession(new Session(e.sessionId(), e.deviceName(), e.tokenHash(), e.date())))
        .onEvent(SessionEnded.class, (state, e) -> state.withoutSession(e.sessionId()))
        .onEvent(UserEvent.PushTokenSet.class, (state, e) -> state.withPushToken(e.sessionId(), e.pushToken()))
        .onEvent(ChatRecorded.class, (state, e) -> state.withChat(e.chatId(), e.version()))
        .onEvent(ChatForgotten.class, (state, e) -> state.withoutChat(e.chatId(), e.version()))
        .onEvent(UserEvent.ChatMuted.class, (state, e) -> state.withMute(e.chatId(), e.until() == null ? Instant.MAX : e.until()))
        .onEvent(UserEvent.ChatUnmuted.class, (state, e) -> state.withMute(e.chatId(), null))
        .onEvent(UserEvent.RoleGranted.class, (state, e) -> state.withRole(e.role(), true))
        .onEvent(UserEvent.RoleRevoked.class, (state, e) -> state.withRole(e.role(), false));
    return builder.build();
  }
}
