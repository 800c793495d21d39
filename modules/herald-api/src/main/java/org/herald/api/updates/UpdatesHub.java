package org.herald.api.updates;

import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.pubsub.DistributedPubSubMediator;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.api.common.Json;
import org.herald.api.message.dto.MessageDtos;
import org.herald.api.common.ApiException;
import org.herald.domain.chat.ChatIds;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.LruMap;
import org.herald.domain.common.Metrics;
import org.herald.domain.common.Rejection;
import org.herald.domain.chat.TypingNotice;
import org.herald.domain.common.Topics;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserNotification;
import org.herald.domain.user.UserReply;

/**
 * One per node, at {@code /user/updates-hub}: the sockets of this node and the topics they
 * need. A user's first socket makes the hub list the user's chats from the user entity and
 * subscribe once per chat, however many local sockets follow it. User-level notices (a chat
 * joined, a session ended) reach every node's hub through its {@code notices} child, which is
 * registered with the mediator at start-up, so they never wait for a subscription to spread. Each update arriving from a
 * chat topic is rendered to JSON once and offered to every local socket of that chat's
 * members; nothing iterates a chat's members. Once a user's topics are subscribed, each of its
 * sockets gets a {@code ready} frame: from then on live delivery is in place, and the client
 * catches up on what came before with {@code updates?afterPts=}.
 */
public final class UpdatesHub extends AbstractBehavior<UpdatesHub.Command> {

  /** The hub's protocol. */
  public sealed interface Command {}

  /** A socket opened. Frames for it go into {@code outbox}. */
  public record Connect(String connId, String userId, String sessionId, SocketOutbox outbox)
      implements Command {}

  /** A socket closed. */
  public record Disconnect(String connId) implements Command {}

  /** A socket says its user is typing in a chat. */
  public record Typing(String connId, String userId, String chatId) implements Command {}

  /** The node is stopping: close every socket cleanly so clients reconnect elsewhere. */
  public record CloseAll(ActorRef<Done> replyTo) implements Command {}

  /** Anything the mediator sends us: acks and published notifications. */
  private record FromMediator(Object message) implements Command {}

  /** Where every node's hub receives {@link UserNotification}s (see {@link PubSub#announce}). */
  public static final String NOTICES_PATH = "/user/updates-hub/notices";

  private record ChatsListed(String userId, List<String> chatIds) implements Command {}

  private record ListingFailed(String userId, Throwable cause) implements Command {}

  private record Conn(String connId, String userId, String sessionId, SocketOutbox outbox) {}

  /** Local state of one user with at least one socket here. */
  private static final class Follower {
    final Map<String, Conn> conns = new HashMap<>();
    final Set<String> chats = new HashSet<>();
    final Set<String> pendingTopics = new HashSet<>();
    boolean listed;

    boolean ready() {
      return listed && pendingTopics.isEmpty();
    }
  }

  /**
   * Resumed, not restarted, on an unexpected failure: its state is every socket of this node,
   * and losing it would silence them all.
   */
  public static Behavior<Command> create(ClusterSharding sharding, PubSub pubSub, Duration askTimeout) {
    return Behaviors.<Command>supervise(
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerAtFixedRate(new RenewPresence(), PRESENCE_RENEW);
                  return Behaviors.setup(ctx -> new UpdatesHub(ctx, sharding, pubSub, askTimeout));
                }))
        .onFailure(SupervisorStrategy.resume());
  }

  private static final ByteString READY = WebSocketFrames.text(Json.write(Map.of("type", "ready")));
  private static final ByteString SESSION_ENDED = WebSocketFrames.text(Json.write(Map.of("type", "session.ended")));
  private static final ByteString SHUTTING_DOWN = WebSocketFrames.text(Json.write(Map.of("type", "server.shutdown")));

  private final ClusterSharding sharding;
  private final org.apache.pekko.actor.ActorRef mediator;
  private final org.apache.pekko.actor.ActorRef self;
  private final Duration askTimeout;
  private final Map<String, Follower> followers = new HashMap<>();
  private final Map<String, Conn> conns = new HashMap<>();
  private final Map<String, Set<String>> chatFollowers = new HashMap<>();
  /** Users waiting for a chat topic's subscription to be acknowledged before they are ready. */
  private final Map<String, Set<String>> awaitingAck = new HashMap<>();
  /** Users to tell {@code chat.added} once the chat's topic subscription is acknowledged. */
  private final Map<String, Set<String>> announceOnAck = new HashMap<>();
  /** When each user last typed in each chat, bounded: the oldest entries are forgotten first. */
  private final Map<String, Long> lastTyping = new LruMap<>(100_000);
  private final PubSub pubSub;
  private final Duration typingInterval;
  /** Sockets open on this node: {@link #conns}' size, published for the gauge. */
  private final AtomicInteger open = new AtomicInteger();

  private UpdatesHub(ActorContext<Command> ctx, ClusterSharding sharding, PubSub pubSub, Duration askTimeout) {
    super(ctx);
    this.sharding = sharding;
    this.mediator = pubSub.mediator();
    this.pubSub = pubSub;
    this.askTimeout = askTimeout;
    this.typingInterval = ctx.getSystem().settings().config().getDuration("herald.api.typing-interval");
    Gauge.builder("herald.websocket.connections", open, AtomicInteger::get)
        .description("Updates WebSockets open on this node")
        .strongReference(true)
        .register(Metrics.get(ctx.getSystem()).registry());
    ActorRef<Object> adapter = ctx.messageAdapter(Object.class, FromMediator::new);
    this.self = Adapter.toClassic(adapter);
    ActorRef<Command> hub = ctx.getSelf();
    ActorRef<UserNotification> notices =
        ctx.spawn(
            Behaviors.receive(UserNotification.class)
                .onAnyMessage(
                    notice -> {
                      hub.tell(new FromMediator(notice));
                      return Behaviors.same();
                    })
                .build(),
            "notices");
    pubSub.register(Adapter.toClassic(notices));
    var system = ctx.getSystem();
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceUnbind(),
            "close-update-sockets",
            () -> AskPattern.<Command, Done>ask(hub, CloseAll::new, Duration.ofSeconds(5), system.scheduler()));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Connect.class, this::onConnect)
        .onMessage(Disconnect.class, this::onDisconnect)
        .onMessage(FromMediator.class, this::onFromMediator)
        .onMessage(ChatsListed.class, this::onChatsListed)
        .onMessage(ListingFailed.class, this::onListingFailed)
        .onMessage(CloseAll.class, this::onCloseAll)
        .onMessage(Typing.class, this::onTyping)
        .onMessage(RenewPresence.class, this::onRenewPresence)
        .build();
  }

  /**
   * Typing is shown to the chat's other members, at most once per {@code typingInterval} per
   * user and chat (clients send it on every keystroke). Only members type; channels show no
   * typing (their admins post, a million subscribers need not know they are writing).
   */
  private Behavior<Command> onTyping(Typing typing) {
    Follower follower = followers.get(typing.userId());
    Conn conn = conns.get(typing.connId());
    if (follower == null || conn == null) {
      return this;
    }
    if (!follower.chats.contains(typing.chatId())) {
      offer(conn, UpdatesSocket.error(null, ApiException.of(Rejection.onField(ErrorCode.CHAT_NOT_FOUND, "chatId", "chatId names no chat of yours"))));
      return this;
    }
    if (ChatIds.isChannel(typing.chatId())) {
      return this;
    }
    String key = typing.userId() + "|" + typing.chatId();
    long now = System.nanoTime();
    Long last = lastTyping.get(key);
    if (last != null && now - last < typingInterval.toNanos()) {
      return this;
    }
    lastTyping.put(key, now);
    pubSub.publish(Topics.chat(typing.chatId()), new TypingNotice(typing.chatId(), typing.userId()));
    return this;
  }

  private Behavior<Command> onCloseAll(CloseAll close) {
    for (Conn conn : conns.values()) {
      offer(conn, SHUTTING_DOWN);
      conn.outbox().complete();
    }
    close.replyTo().tell(Done.getInstance());
    return this;
  }

  /**
   * Tells the user's entity that this connection of the device is open, for
   * {@link #PRESENCE_LEASE} (renewed every {@link #PRESENCE_RENEW}), or closed: push
   * notifications go only to users with no device connected. Leases are per connection, so a
   * device reconnecting elsewhere is not marked gone when its old socket closes. A node that
   * dies simply stops renewing.
   */
  private void presence(Conn conn, boolean connected) {
    java.time.Instant until = connected ? java.time.Instant.now().plus(PRESENCE_LEASE) : java.time.Instant.EPOCH;
    org.herald.domain.user.UserEntity.ref(sharding, conn.userId())
        .tell(new org.herald.domain.user.UserCommand.DevicePresence(conn.sessionId(), conn.connId(), until));
  }

  private static final Duration PRESENCE_LEASE = Duration.ofSeconds(60);
  private static final Duration PRESENCE_RENEW = Duration.ofSeconds(20);

  private record RenewPresence() implements Command {}

  private Behavior<Command> onRenewPresence(RenewPresence renew) {
    conns.values().forEach(conn -> presence(conn, true));
    return this;
  }

  private Behavior<Command> onConnect(Connect c) {
    Conn conn = new Conn(c.connId(), c.userId(), c.sessionId(), c.outbox());
    conns.put(conn.connId(), conn);
    open.set(conns.size());
    presence(conn, true);
    Follower follower = followers.get(c.userId());
    if (follower == null) {
      follower = new Follower();
      followers.put(c.userId(), follower);
      follower.conns.put(conn.connId(), conn);
      listChats(c.userId());
    } else {
      follower.conns.put(conn.connId(), conn);
      if (follower.ready()) {
        offer(conn, READY);
      }
    }
    return this;
  }

  private Behavior<Command> onDisconnect(Disconnect d) {
    Conn conn = conns.remove(d.connId());
    if (conn == null) {
      return this;
    }
    open.set(conns.size());
    presence(conn, false);
    Follower follower = followers.get(conn.userId());
    if (follower == null || follower.conns.remove(conn.connId()) == null) {
      return this;
    }
    if (follower.conns.isEmpty()) {
      followers.remove(conn.userId());
      for (String chatId : follower.chats) {
        unfollow(conn.userId(), chatId);
      }
    }
    return this;
  }

  private Behavior<Command> onFromMediator(FromMediator m) {
    Object message = m.message();
    if (message instanceof TypingNotice typing) {
      deliverExcept(typing.chatId(), typing.userId(),
          Json.write(Map.of("type", "typing", "chatId", typing.chatId(), "userId", typing.userId())));
    } else if (message instanceof UserNotification.OwnReadMark read) {
      Follower follower = followers.get(read.userId());
      if (follower != null) {
        ByteString frame = WebSocketFrames.text(Json.write(Map.of("type", "read", "chatId", read.chatId(), "userId", read.userId(), "upToMessageId", read.upToMessageId())));
        follower.conns.values().forEach(conn -> offer(conn, frame));
      }
    } else if (message instanceof ChatUpdate update) {
      deliver(update);
      if (update instanceof ChatUpdate.MemberLeftUpdate left) {
        // The leaver's sockets got this last update of the chat; nothing after it.
        forget(left.userId(), left.chatId());
      }
    } else if (message instanceof UserNotification.ChatRemoved removed) {
      Follower follower = followers.get(removed.userId());
      if (follower != null && follower.chats.contains(removed.chatId())) {
        forget(removed.userId(), removed.chatId());
        ByteString frame = WebSocketFrames.text(chatFrame("chat.removed", removed.chatId()));
        follower.conns.values().forEach(conn -> offer(conn, frame));
      }
    } else if (message instanceof UserNotification.ChatAdded added) {
      Follower follower = followers.get(added.userId());
      if (follower != null && follower.chats.add(added.chatId())) {
        if (follow(added.userId(), added.chatId(), follower)) {
          announceOnAck.computeIfAbsent(Topics.chat(added.chatId()), k -> new HashSet<>()).add(added.userId());
        } else {
          announceAdded(added.userId(), added.chatId());
        }
      }
    } else if (message instanceof UserNotification.SessionRevoked revoked) {
      Follower follower = followers.get(revoked.userId());
      if (follower != null) {
        for (Conn conn : List.copyOf(follower.conns.values())) {
          if (conn.sessionId().equals(revoked.sessionId())) {
            offer(conn, SESSION_ENDED);
            conn.outbox().complete();
          }
        }
      }
    } else if (message instanceof DistributedPubSubMediator.SubscribeAck ack) {
      onSubscribed(ack.subscribe().topic());
    } else {
      // UnsubscribeAck and anything else need no action.
    }
    return this;
  }

  /**
   * Asked after the follower exists, so a chat recorded later arrives as a notice and a chat
   * recorded earlier is in the list: none is missed.
   */
  private void listChats(String userId) {
    getContext()
        .pipeToSelf(
            UserEntity.ref(sharding, userId).<UserReply>ask(UserCommand.ListChats::new, askTimeout),
            (reply, failure) -> {
              if (reply instanceof UserReply.ChatList list) {
                return new ChatsListed(userId, list.chatIds());
              }
              return new ListingFailed(userId, failure != null ? failure : new IllegalStateException(String.valueOf(reply)));
            });
  }

  private void onSubscribed(String topic) {
    Set<String> waiting = awaitingAck.remove(topic);
    if (waiting != null) {
      for (String userId : waiting) {
        Follower follower = followers.get(userId);
        if (follower != null && follower.pendingTopics.remove(topic) && follower.ready()) {
          follower.conns.values().forEach(conn -> offer(conn, READY));
        }
      }
    }
    Set<String> joiners = announceOnAck.remove(topic);
    if (joiners != null) {
      String chatId = topic.substring(topic.indexOf(':') + 1);
      joiners.forEach(userId -> announceAdded(userId, chatId));
    }
  }

  /**
   * Tells a user's sockets that a chat joined after they connected is now delivered live: from
   * here on its updates arrive, and the client loads what came before (docs/sync.md).
   */
  private void announceAdded(String userId, String chatId) {
    Follower follower = followers.get(userId);
    if (follower != null && follower.chats.contains(chatId)) {
      ByteString frame = WebSocketFrames.text(chatFrame("chat.added", chatId));
      follower.conns.values().forEach(conn -> offer(conn, frame));
    }
  }

  private static String chatFrame(String type, String chatId) {
    return Json.write(Map.of("type", type, "chatId", chatId));
  }

  private Behavior<Command> onChatsListed(ChatsListed listed) {
    Follower follower = followers.get(listed.userId());
    if (follower == null) {
      return this;
    }
    for (String chatId : listed.chatIds()) {
      if (follower.chats.add(chatId)) {
        follow(listed.userId(), chatId, follower);
      }
    }
    follower.listed = true;
    if (follower.ready()) {
      follower.conns.values().forEach(conn -> offer(conn, READY));
    }
    return this;
  }

  private Behavior<Command> onListingFailed(ListingFailed failed) {
    getContext().getLog().warn("could not list chats of {}: {}", failed.userId(), failed.cause().toString());
    Follower follower = followers.remove(failed.userId());
    if (follower != null) {
      // Its sockets close; the client reconnects and the listing is tried again.
      follower.chats.forEach(chatId -> unfollow(failed.userId(), chatId));
      follower.conns.values().forEach(conn -> conn.outbox().fail(failed.cause()));
    }
    return this;
  }

  private void forget(String userId, String chatId) {
    Follower follower = followers.get(userId);
    if (follower != null && follower.chats.remove(chatId)) {
      unfollow(userId, chatId);
    }
  }

  /** Returns true while the chat's topic subscription is still waiting for its ack. */
  private boolean follow(String userId, String chatId, Follower follower) {
    Set<String> users = chatFollowers.computeIfAbsent(chatId, k -> new HashSet<>());
    boolean first = users.isEmpty();
    users.add(userId);
    String topic = Topics.chat(chatId);
    if (first) {
      mediator.tell(new DistributedPubSubMediator.Subscribe(topic, self), self);
    }
    Set<String> waiting = first ? awaitingAck.computeIfAbsent(topic, k -> new HashSet<>()) : awaitingAck.get(topic);
    if (waiting != null) {
      waiting.add(userId);
      follower.pendingTopics.add(topic);
    }
    return waiting != null;
  }

  private void unfollow(String userId, String chatId) {
    Set<String> users = chatFollowers.get(chatId);
    if (users != null && users.remove(userId) && users.isEmpty()) {
      chatFollowers.remove(chatId);
      mediator.tell(new DistributedPubSubMediator.Unsubscribe(Topics.chat(chatId), self), self);
    }
  }

  private void deliverExcept(String chatId, String exceptUserId, String json) {
    ByteString frame = WebSocketFrames.text(json);
    Set<String> users = chatFollowers.get(chatId);
    if (users == null) {
      return;
    }
    for (String userId : users) {
      Follower follower = followers.get(userId);
      if (follower != null && !userId.equals(exceptUserId)) {
        follower.conns.values().forEach(conn -> offer(conn, frame));
      }
    }
  }

  private void deliver(ChatUpdate update) {
    Set<String> users = chatFollowers.get(update.chatId());
    if (users == null) {
      return;
    }
    // Encoded once: every socket of every member here writes these same bytes.
    ByteString frame = WebSocketFrames.text(Json.write(MessageDtos.update(update)));
    for (String userId : users) {
      Follower follower = followers.get(userId);
      if (follower != null) {
        for (Conn conn : follower.conns.values()) {
          offer(conn, frame);
        }
      }
    }
  }

  /**
   * A socket that cannot keep up is closed rather than buffered without bound: its client
   * reconnects and catches up through {@code pts}.
   */
  private void offer(Conn conn, String json) {
    offer(conn, WebSocketFrames.text(json));
  }

  private void offer(Conn conn, ByteString frame) {
    if (!conn.outbox().offer(frame)) {
      conn.outbox().fail(new IllegalStateException("client too slow, closing socket"));
    }
  }
}
