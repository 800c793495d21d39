package org.herald.domain.chat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.herald.domain.chat.ChatCommand.CreateChat;
import org.herald.domain.chat.ChatCommand.GetChat;
import org.herald.domain.chat.ChatCommand.GetHistory;
import org.herald.domain.chat.ChatCommand.GetUpdates;
import org.herald.domain.chat.ChatCommand.MarkRead;
import org.herald.domain.chat.ChatCommand.SendMessage;
import org.herald.domain.chat.ChatEvent.ChatCreated;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.MessagesRead;
import org.herald.domain.chat.ChatReply.Rejected;
import org.herald.domain.chat.ChatState.Active;
import org.herald.domain.chat.ChatState.Empty;
import org.herald.domain.chat.ChatUpdate.MessageNew;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Limits;
import org.herald.domain.common.Publisher;
import org.herald.domain.common.Rejection;
import org.herald.domain.common.Topics;

/**
 * A chat: today a direct chat between two users; groups and channels extend this entity. Its
 * journal is the source of truth for the chat's membership, messages and read marks.
 *
 * <p>Id: the chatId ({@code d-<userA>-<userB>} for direct chats, see {@link ChatIds}). States:
 * {@link Empty}, {@link Active}. Invariants: {@code messageId} and {@code pts} grow by exactly
 * one per message (pts also per read mark), with no gaps; only members read or write, and to
 * anyone else the chat does not exist; a repeated {@code clientMessageId} from the same sender,
 * while still in the recent window, answers the first result and persists nothing; read marks
 * only move forward and never past the last message.
 *
 * <p>Events are tagged {@code chat-0 … chat-(N-1)} by the id's hash; the dialogs and history
 * projections read them. Each change is published on {@link Topics#chat} once durable, for live
 * delivery.
 */
public final class ChatEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ChatCommand, ChatEvent, ChatState> {

  public static final EntityTypeKey<ChatCommand> ENTITY_TYPE_KEY =
      EntityTypeKey.create(ChatCommand.class, "Chat");

  /**
   * Number of tag partitions. Fixed forever: the projections run one instance per tag, and a
   * different count would re-partition events already in the journal.
   */
  public static final int TAG_PARTITIONS = 8;

  public static final List<String> TAGS = tags();

  private static List<String> tags() {
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < TAG_PARTITIONS; i++) {
      tags.add("chat-" + i);
    }
    return List.copyOf(tags);
  }

  public static String tagFor(String chatId) {
    return TAGS.get(Math.floorMod(chatId.hashCode(), TAG_PARTITIONS));
  }

  /** Settings read from {@code herald.chat}. */
  public record Settings(int recentWindow, int snapshotEvery) {
    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(
          config.getInt("herald.chat.recent-window"), config.getInt("herald.chat.snapshot-every"));
    }
  }

  public static void init(ActorSystem<?> system, Clock clock, Publisher publisher) {
    Settings settings = Settings.fromConfig(system.settings().config());
    ClusterSharding.get(system)
        .init(
            Entity.of(
                ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), clock, publisher, settings)));
  }

  public static EntityRef<ChatCommand> ref(ClusterSharding sharding, String chatId) {
    return sharding.entityRefFor(ENTITY_TYPE_KEY, chatId);
  }

  public static Behavior<ChatCommand> create(
      String chatId, Clock clock, Publisher publisher, Settings settings) {
    return new ChatEntity(chatId, clock, publisher, settings);
  }

  private final String chatId;
  private final Clock clock;
  private final Publisher publisher;
  private final Settings settings;
  private final Set<String> tags;

  private ChatEntity(String chatId, Clock clock, Publisher publisher, Settings settings) {
    super(
        PersistenceId.of(ENTITY_TYPE_KEY.name(), chatId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.chatId = chatId;
    this.clock = clock;
    this.publisher = publisher;
    this.settings = settings;
    this.tags = Set.of(tagFor(chatId));
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public Set<String> tagsFor(ChatEvent event) {
    return tags;
  }

  @Override
  public ChatState emptyState() {
    return new Empty();
  }

  @Override
  public CommandHandlerWithReply<ChatCommand, ChatEvent, ChatState> commandHandler() {
    CommandHandlerWithReplyBuilder<ChatCommand, ChatEvent, ChatState> builder =
        newCommandHandlerWithReplyBuilder();
    builder
        .forStateType(Empty.class)
        .onCommand(CreateChat.class, this::onCreateChat)
        .onAnyCommand(cmd -> Effect().reply(cmd.replyTo(), notFound()));
    builder
        .forStateType(Active.class)
        .onCommand(CreateChat.class, this::onCreateExisting)
        .onCommand(SendMessage.class, this::onSendMessage)
        .onCommand(MarkRead.class, this::onMarkRead)
        .onCommand(GetChat.class, this::onGetChat)
        .onCommand(GetHistory.class, this::onGetHistory)
        .onCommand(GetUpdates.class, this::onGetUpdates);
    return builder.build();
  }

  private ReplyEffect<ChatEvent, ChatState> onCreateChat(Empty state, CreateChat cmd) {
    if (cmd.kind() != ChatKind.DIRECT) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new Rejected(Rejection.onField(ErrorCode.INVALID_FIELD, "kind", "kind must be direct")));
    }
    if (cmd.memberIds().size() != 2
        || !cmd.memberIds().stream().allMatch(MemberSet::isUserId)
        || !chatId.equals(ChatIds.direct(cmd.memberIds().get(0), cmd.memberIds().get(1)))) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new Rejected(
                  Rejection.onField(
                      ErrorCode.INVALID_FIELD, "userId", "a direct chat needs two distinct users")));
    }
    return Effect()
        .persist(
            new ChatCreated(
                chatId, cmd.kind(), cmd.title(), cmd.createdBy(), cmd.memberIds(), clock.instant()))
        .thenReply(
            cmd.replyTo(), s -> new ChatReply.ChatCreated(view((Active) s, cmd.createdBy()), true));
  }

  private ReplyEffect<ChatEvent, ChatState> onCreateExisting(Active state, CreateChat cmd) {
    if (state.kind() == ChatKind.DIRECT
        && cmd.kind() == ChatKind.DIRECT
        && state.members().equals(MemberSet.of(cmd.memberIds()))) {
      return Effect().reply(cmd.replyTo(), new ChatReply.ChatCreated(view(state, cmd.createdBy()), false));
    }
    return Effect()
        .reply(cmd.replyTo(), new Rejected(Rejection.of(ErrorCode.ALREADY_EXISTS, "chat already exists")));
  }

  private ReplyEffect<ChatEvent, ChatState> onSendMessage(Active state, SendMessage cmd) {
    if (!state.isMember(cmd.senderId())) {
      return Effect().reply(cmd.replyTo(), notFound());
    }
    MessageNew earlier = state.findSent(cmd.senderId(), cmd.clientMessageId());
    if (earlier != null) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new ChatReply.MessageAccepted(
                  earlier.message().messageId(), earlier.pts(), earlier.message().date()));
    }
    Rejection invalid = Limits.checkText(cmd.text(), "text");
    if (invalid != null) {
      return Effect().reply(cmd.replyTo(), new Rejected(invalid));
    }
    Long replyTo = cmd.replyToMessageId();
    if (replyTo != null && (replyTo < 1 || replyTo > state.lastMessageId())) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new Rejected(
                  Rejection.onField(
                      ErrorCode.REPLY_TARGET_NOT_FOUND,
                      "replyToMessageId",
                      "replyToMessageId names no message of this chat")));
    }
    var event =
        new MessageSent(
            chatId,
            state.lastMessageId() + 1,
            state.pts() + 1,
            cmd.senderId(),
            cmd.clientMessageId(),
            cmd.text(),
            cmd.silent(),
            replyTo,
            clock.instant());
    return Effect()
        .persist(event)
        .thenRun(s -> publisher.publish(Topics.chat(chatId), ChatUpdates.of(event)))
        .thenReply(
            cmd.replyTo(),
            s -> new ChatReply.MessageAccepted(event.messageId(), event.pts(), event.date()));
  }

  private ReplyEffect<ChatEvent, ChatState> onMarkRead(Active state, MarkRead cmd) {
    if (!state.isMember(cmd.userId())) {
      return Effect().reply(cmd.replyTo(), notFound());
    }
    if (cmd.upToMessageId() > state.lastMessageId()) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new Rejected(
                  Rejection.onField(
                      ErrorCode.READ_BEYOND_LAST_MESSAGE,
                      "upToMessageId",
                      "upToMessageId is beyond the last message (" + state.lastMessageId() + ")")));
    }
    if (cmd.upToMessageId() <= state.readMarkOf(cmd.userId())) {
      return Effect().reply(cmd.replyTo(), new ChatReply.Ack());
    }
    var event =
        new MessagesRead(chatId, cmd.userId(), cmd.upToMessageId(), state.pts() + 1, clock.instant());
    return Effect()
        .persist(event)
        .thenRun(s -> publisher.publish(Topics.chat(chatId), ChatUpdates.of(event)))
        .thenReply(cmd.replyTo(), s -> new ChatReply.Ack());
  }

  private ReplyEffect<ChatEvent, ChatState> onGetChat(Active state, GetChat cmd) {
    if (!state.isMember(cmd.userId())) {
      return Effect().reply(cmd.replyTo(), notFound());
    }
    return Effect().reply(cmd.replyTo(), view(state, cmd.userId()));
  }

  private ReplyEffect<ChatEvent, ChatState> onGetHistory(Active state, GetHistory cmd) {
    if (!state.isMember(cmd.userId())) {
      return Effect().reply(cmd.replyTo(), notFound());
    }
    long last = state.lastMessageId();
    long upper = cmd.beforeId() > 0 ? Math.min(last, cmd.beforeId() - 1) : last;
    long from;
    long to;
    if (cmd.afterId() > 0) {
      from = cmd.afterId() + 1;
      to = Math.min(upper, cmd.afterId() + cmd.limit());
    } else {
      to = upper;
      from = Math.max(1, to - cmd.limit() + 1);
    }
    List<Message> messages = new ArrayList<>();
    var recent = state.recent();
    for (int i = 0; i < recent.size(); i++) {
      if (recent.get(i) instanceof MessageNew m) {
        long id = m.message().messageId();
        if (id >= from && id <= to) {
          messages.add(m.message());
        }
      }
    }
    return Effect()
        .reply(cmd.replyTo(), new ChatReply.History(messages, from, to, state.windowFirstMessageId()));
  }

  private ReplyEffect<ChatEvent, ChatState> onGetUpdates(Active state, GetUpdates cmd) {
    if (!state.isMember(cmd.userId())) {
      return Effect().reply(cmd.replyTo(), notFound());
    }
    long from = cmd.afterPts() + 1;
    long to = Math.min(state.pts(), cmd.afterPts() + cmd.limit());
    List<ChatUpdate> updates = new ArrayList<>();
    var recent = state.recent();
    for (int i = 0; i < recent.size(); i++) {
      ChatUpdate u = recent.get(i);
      if (u.pts() >= from && u.pts() <= to) {
        updates.add(u);
      }
    }
    return Effect()
        .reply(
            cmd.replyTo(),
            new ChatReply.Updates(updates, from, to, state.windowFirstPts(), state.pts()));
  }

  private static ChatReply.ChatView view(Active state, String userId) {
    return new ChatReply.ChatView(
        state.chatId(),
        state.kind(),
        state.title(),
        state.members().size() <= ChatState.READ_MARKS_LIMIT ? state.memberIds() : List.of(),
        state.members().size(),
        state.roleOf(userId),
        state.lastMessageId(),
        state.pts(),
        state.readMarkOf(userId),
        state.createdAt());
  }

  /** Outsiders learn nothing, not even that the chat exists. */
  private static Rejected notFound() {
    return new Rejected(Rejection.of(ErrorCode.CHAT_NOT_FOUND, "chat not found"));
  }

  @Override
  public EventHandler<ChatState, ChatEvent> eventHandler() {
    EventHandlerBuilder<ChatState, ChatEvent> builder = newEventHandlerBuilder();
    builder.forStateType(Empty.class).onEvent(ChatCreated.class, (state, e) -> created(e));
    builder
        .forStateType(Active.class)
        .onEvent(MessageSent.class, (state, e) -> state.withMessage(ChatUpdates.of(e), settings.recentWindow()))
        .onEvent(MessagesRead.class, (state, e) -> state.withRead(ChatUpdates.of(e), settings.recentWindow()));
    return builder.build();
  }

  private static Active created(ChatCreated e) {
    Map<String, Role> roles = e.kind() == ChatKind.DIRECT ? Map.of() : Map.of(e.createdBy(), Role.OWNER);
    return new Active(
        e.chatId(), e.kind(), e.title(), e.createdBy(), e.date(), MemberSet.of(e.memberIds()), roles,
        Map.of(), 0, 0, RecentUpdates.empty());
  }
}
