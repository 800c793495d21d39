package org.herald.domain.chat;

import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.herald.domain.chat.ChatCommand.AddMembers;
import org.herald.domain.chat.ChatCommand.CreateChat;
import org.herald.domain.chat.ChatCommand.CreateInvite;
import org.herald.domain.chat.ChatCommand.DeleteMessage;
import org.herald.domain.chat.ChatCommand.EditChat;
import org.herald.domain.chat.ChatCommand.EditMessage;
import org.herald.domain.chat.ChatCommand.KeysFailed;
import org.herald.domain.chat.ChatCommand.KeysIssued;
import org.herald.domain.chat.ChatCommand.Join;
import org.herald.domain.chat.ChatCommand.Leave;
import org.herald.domain.chat.ChatCommand.ListInvites;
import org.herald.domain.chat.ChatCommand.RemoveMember;
import org.herald.domain.chat.ChatCommand.RevokeInvite;
import org.herald.domain.chat.ChatCommand.SetRole;
import org.herald.domain.chat.ChatCommand.TransferOwnership;
import org.herald.domain.chat.ChatCommand.Unban;
import org.herald.domain.chat.ChatCommand.GetChat;
import org.herald.domain.chat.ChatCommand.GetHistory;
import org.herald.domain.chat.ChatCommand.GetUpdates;
import org.herald.domain.chat.ChatCommand.MarkRead;
import org.herald.domain.chat.ChatCommand.CancelScheduled;
import org.herald.domain.chat.ChatCommand.EditScheduled;
import org.herald.domain.chat.ChatCommand.ListScheduled;
import org.herald.domain.chat.ChatCommand.PublishScheduled;
import org.herald.domain.chat.ChatCommand.SchedulePost;
import org.herald.domain.chat.ChatCommand.SendMessages;
import org.herald.domain.chat.ChatCommand.ScheduledOpened;
import org.herald.domain.chat.ChatEvent.PostScheduled;
import org.herald.domain.chat.ChatEvent.ScheduleCancelReason;
import org.herald.domain.chat.ChatEvent.ScheduledPostCancelled;
import org.herald.domain.chat.ChatEvent.ScheduledPostEdited;
import org.herald.domain.chat.ChatCommand.SendMessage;
import org.herald.domain.chat.ChatEvent.ChatCreated;
import org.herald.domain.chat.ChatEvent.ChatEdited;
import org.herald.domain.chat.ChatEvent.InviteCreated;
import org.herald.domain.chat.ChatEvent.InviteRevoked;
import org.herald.domain.chat.ChatEvent.JoinMethod;
import org.herald.domain.chat.ChatEvent.LeaveReason;
import org.herald.domain.chat.ChatEvent.MemberLeft;
import org.herald.domain.chat.ChatEvent.MembersJoined;
import org.herald.domain.chat.ChatEvent.RoleChanged;
import org.herald.domain.chat.ChatEvent.UserBanned;
import org.herald.domain.chat.ChatEvent.UserUnbanned;
import org.herald.domain.chat.ChatEvent.MessageDeleted;
import org.herald.domain.chat.ChatEvent.MessageEdited;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.MessagesRead;
import org.herald.domain.chat.ChatReply.Rejected;
import org.herald.domain.chat.ChatState.Active;
import org.herald.domain.chat.ChatState.Empty;
import org.herald.domain.chat.ChatUpdate.MessageNew;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Limits;
import org.herald.domain.common.Publisher;
import org.herald.domain.common.RecoveryTimes;
import org.herald.domain.common.Rejection;
import org.herald.domain.common.SnapshotSpacing;
import org.herald.domain.common.Topics;
import org.herald.domain.content.ContentCipher;
import org.herald.domain.content.ContentKey;
import org.herald.domain.content.ContentKeys;
import org.herald.domain.content.Sealed;
import org.herald.domain.user.UserNotification;

/**
 * A chat: a direct chat between two users, a group (up to 200,000 members, every member posts)
 * or a channel (unlimited subscribers, only the owner and admins post). Its journal is the
 * source of truth for the chat's membership, roles, messages and read marks.
 *
 * <p>Id: the chatId ({@code d-<userA>-<userB>} for direct chats, see {@link ChatIds}; {@code g…}
 * and {@code c…} for groups and channels). States: {@link Empty}, {@link Active}. Invariants:
 * {@code messageId} and {@code pts} grow by exactly one per numbered change, with no gaps; a
 * message writes one event whatever the member count; members read, and so may anyone not
 * banned from a public chat (a preview), while to everyone else a private chat does not exist;
 * a repeated {@code clientMessageId} from the same sender, while still in the recent window,
 * answers the first result and persists nothing; read marks only move forward and never past
 * the last message; a chat always has exactly one owner, who cannot leave without handing
 * ownership over; a banned user cannot join.
 *
 * <p>Message text never enters the journal in the clear: each message version is sealed under
 * its own data key from {@link ContentKeys}, which the entity draws from a small in-memory pool
 * (refilled in batches, stashing commands meanwhile). Editing or deleting a message destroys the
 * key of the version it replaces, so that version is unreadable everywhere, journal included.
 * Live updates carry the text in the clear; nothing at rest does.
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

  /** The most members a group may have; channels have no limit. */
  public static final int GROUP_MEMBER_LIMIT = 200_000;

  public static final int MAX_TITLE_LENGTH = 128;

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
  public record Settings(int recentWindow, int snapshotEvery, Duration editWindow, int keyBatch) {
    public Settings(int recentWindow, int snapshotEvery) {
      this(recentWindow, snapshotEvery, Duration.ofHours(48), 64);
    }

    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(
          config.getInt("herald.chat.recent-window"),
          config.getInt("herald.chat.snapshot-every"),
          config.getDuration("herald.chat.edit-window"),
          config.getInt("herald.chat.key-batch"));
    }
  }

  /** How long a chat refuses sends after the key table failed, before it asks again. */
  private static final Duration KEYS_RETRY_AFTER = Duration.ofSeconds(1);

  /** How long a chat waits for a batch of keys before it counts the key table as failing. */
  private static final Duration KEYS_TIMEOUT = Duration.ofSeconds(5);

  public static void init(ActorSystem<?> system, Clock clock, Publisher publisher, ContentKeys contentKeys) {
    Settings settings = Settings.fromConfig(system.settings().config());
    ClusterSharding.get(system)
        .init(
            Entity.of(
                ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), clock, publisher, contentKeys, settings)));
  }

  public static EntityRef<ChatCommand> ref(ClusterSharding sharding, String chatId) {
    return sharding.entityRefFor(ENTITY_TYPE_KEY, chatId);
  }

  public static Behavior<ChatCommand> create(
      String chatId, Clock clock, Publisher publisher, ContentKeys contentKeys, Settings settings) {
    return Behaviors.setup(ctx -> new ChatEntity(ctx, chatId, clock, publisher, contentKeys, settings));
  }

  private final ActorContext<ChatCommand> ctx;
  private final String chatId;
  private final Clock clock;
  private final Publisher publisher;
  private final ContentKeys contentKeys;
  private final Settings settings;
  private final Set<String> tags;
  /** When this incarnation started: its recovery is timed from here ({@link RecoveryTimes}). */
  private final long startedNanos = System.nanoTime();
  private final Timer recoveryTimer;

  /**
   * Data keys issued for this chat's next message versions. Runtime only, never in the state:
   * a key is used once, and keys left when the entity stops are destroyed (they sealed nothing).
   */
  private final ArrayDeque<ContentKey> keyPool = new ArrayDeque<>();
  private boolean keysRequested;
  private static final int FIRST_KEY_BATCH = 4;
  private int nextKeyBatch = FIRST_KEY_BATCH;
  private Instant keysFailedUntil = Instant.MIN;

  private ChatEntity(
      ActorContext<ChatCommand> ctx, String chatId, Clock clock, Publisher publisher, ContentKeys contentKeys, Settings settings) {
    super(
        PersistenceId.of(ENTITY_TYPE_KEY.name(), chatId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.ctx = ctx;
    this.chatId = chatId;
    this.clock = clock;
    this.publisher = publisher;
    this.contentKeys = contentKeys;
    this.settings = settings;
    this.tags = Set.of(tagFor(chatId));
    this.recoveryTimer = RecoveryTimes.timer(ctx.getSystem(), ENTITY_TYPE_KEY.name());
  }

  @Override
  public SignalHandler<ChatState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> RecoveryTimes.recordSince(recoveryTimer, startedNanos))
        .onSignal(
            PostStop.instance(),
            state -> {
              if (!keyPool.isEmpty()) {
                List<String> unused = keyPool.stream().map(ContentKey::keyId).toList();
                keyPool.clear();
                contentKeys.destroy(unused);
              }
            })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return SnapshotSpacing.every(settings.snapshotEvery(), chatId);
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
        .onCommand(KeysIssued.class, this::onKeysIssued)
        .onCommand(KeysFailed.class, this::onKeysFailed)
        .onAnyCommand(cmd -> reject(cmd.replyTo(), notFoundRejection()));
    builder
        .forStateType(Active.class)
        .onCommand(CreateChat.class, this::onCreateExisting)
        .onCommand(SendMessage.class, this::onSendMessage)
        .onCommand(SendMessages.class, this::onSendMessages)
        .onCommand(EditMessage.class, this::onEditMessage)
        .onCommand(DeleteMessage.class, this::onDeleteMessage)
        .onCommand(KeysIssued.class, this::onKeysIssued)
        .onCommand(KeysFailed.class, this::onKeysFailed)
        .onCommand(MarkRead.class, this::onMarkRead)
        .onCommand(SchedulePost.class, this::onSchedulePost)
        .onCommand(EditScheduled.class, this::onEditScheduled)
        .onCommand(CancelScheduled.class, this::onCancelScheduled)
        .onCommand(ListScheduled.class, this::onListScheduled)
        .onCommand(PublishScheduled.class, this::onPublishScheduled)
        .onCommand(ScheduledOpened.class, this::onScheduledOpened)
        .onCommand(GetChat.class, this::onGetChat)
        .onCommand(GetHistory.class, this::onGetHistory)
        .onCommand(GetUpdates.class, this::onGetUpdates)
        .onCommand(AddMembers.class, this::onAddMembers)
        .onCommand(Join.class, this::onJoin)
        .onCommand(Leave.class, this::onLeave)
        .onCommand(RemoveMember.class, this::onRemoveMember)
        .onCommand(Unban.class, this::onUnban)
        .onCommand(SetRole.class, this::onSetRole)
        .onCommand(TransferOwnership.class, this::onTransferOwnership)
        .onCommand(EditChat.class, this::onEditChat)
        .onCommand(CreateInvite.class, this::onCreateInvite)
        .onCommand(RevokeInvite.class, this::onRevokeInvite)
        .onCommand(ListInvites.class, this::onListInvites);
    return builder.build();
  }

  private ReplyEffect<ChatEvent, ChatState> onCreateChat(Empty state, CreateChat cmd) {
    if (cmd.kind() == ChatKind.DIRECT) {
      if (cmd.memberIds().size() != 2
          || !cmd.memberIds().stream().allMatch(MemberSet::isUserId)
          || !chatId.equals(ChatIds.direct(cmd.memberIds().get(0), cmd.memberIds().get(1)))) {
        return reject(cmd.replyTo(), Rejection.onField(ErrorCode.INVALID_FIELD, "userId", "a direct chat needs two distinct users"));
      }
      return Effect()
          .persist(new ChatCreated(chatId, ChatKind.DIRECT, null, cmd.createdBy(), cmd.memberIds(), clock.instant(), null, false))
          .thenReply(cmd.replyTo(), s -> new ChatReply.ChatCreated(view((Active) s, cmd.createdBy()), true));
    }
    Rejection title = checkTitle(cmd.title());
    if (title != null) {
      return reject(cmd.replyTo(), title);
    }
    if (!MemberSet.isUserId(cmd.createdBy()) || !cmd.memberIds().stream().allMatch(MemberSet::isUserId)) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.INVALID_FIELD, "memberIds", "memberIds must be user ids"));
    }
    LinkedHashSet<String> members = new LinkedHashSet<>();
    members.add(cmd.createdBy());
    members.addAll(cmd.memberIds());
    if (cmd.kind() == ChatKind.GROUP && members.size() > GROUP_MEMBER_LIMIT) {
      return reject(cmd.replyTo(), full());
    }
    return Effect()
        .persist(
            new ChatCreated(
                chatId, cmd.kind(), cmd.title().strip(), cmd.createdBy(), List.copyOf(members), clock.instant(),
                cmd.username(), cmd.isPublic()))
        .thenReply(cmd.replyTo(), s -> new ChatReply.ChatCreated(view((Active) s, cmd.createdBy()), true));
  }

  private ReplyEffect<ChatEvent, ChatState> onCreateExisting(Active state, CreateChat cmd) {
    if (state.kind() == ChatKind.DIRECT
        && cmd.kind() == ChatKind.DIRECT
        && state.members().equals(MemberSet.of(cmd.memberIds()))) {
      return Effect().reply(cmd.replyTo(), new ChatReply.ChatCreated(view(state, cmd.createdBy()), false));
    }
    return reject(cmd.replyTo(), Rejection.of(ErrorCode.ALREADY_EXISTS, "chat already exists"));
  }

  private ReplyEffect<ChatEvent, ChatState> onSendMessage(Active state, SendMessage cmd) {
    ChatReply answer = answerWithoutWriting(state, cmd, state.lastMessageId());
    if (answer != null) {
      return Effect().reply(cmd.replyTo(), answer);
    }
    ContentKey key = takeKey();
    if (key == null) {
      return awaitKeys(cmd);
    }
    MessageSent event =
        messageSent(state, key, cmd.senderId(), cmd.clientMessageId(), cmd.text(), cmd.silent(), cmd.replyToMessageId(), null);
    return persistMessage(event, cmd.text(), null)
        .thenReply(cmd.replyTo(), s -> new ChatReply.MessageAccepted(event.messageId(), event.pts(), event.date(), false));
  }

  /**
   * Sends that waited for the chat together, handled as if they came one by one in this order
   * (numbers, repeats of a {@code clientMessageId}, reply targets), their messages written as
   * one atomic write: all of them durable, or none. Answered in order by one
   * {@link ChatReply.SendsAnswered} once that write is committed.
   */
  private ReplyEffect<ChatEvent, ChatState> onSendMessages(Active state, SendMessages cmd) {
    List<SendMessage> sends = cmd.sends();
    int n = sends.size();
    ChatReply[] answers = new ChatReply[n];
    // For a send that repeats the clientMessageId of an earlier new message of this batch: that one's index.
    int[] repeatOf = new int[n];
    Map<String, Integer> newInBatch = new java.util.HashMap<>();
    int newCount = 0;
    for (int i = 0; i < n; i++) {
      SendMessage send = sends.get(i);
      repeatOf[i] = -1;
      answers[i] = answerWithoutWriting(state, send, state.lastMessageId() + newCount);
      if (answers[i] == null) {
        Integer first = newInBatch.putIfAbsent(send.senderId() + '\n' + send.clientMessageId(), i);
        if (first != null) {
          repeatOf[i] = first;
        } else {
          newCount++;
        }
      }
    }
    if (newCount > keyPool.size()) {
      return awaitKeys(cmd, newCount);
    }
    List<MessageSent> events = new ArrayList<>(newCount);
    List<String> texts = new ArrayList<>(newCount);
    for (int i = 0; i < n; i++) {
      SendMessage send = sends.get(i);
      if (answers[i] != null) {
        continue;
      }
      if (repeatOf[i] >= 0) {
        ChatReply.MessageAccepted first = (ChatReply.MessageAccepted) answers[repeatOf[i]];
        answers[i] = new ChatReply.MessageAccepted(first.messageId(), first.pts(), first.date(), true);
        continue;
      }
      MessageSent event =
          messageSent(
              state, events.size(), takeKey(), send.senderId(), send.clientMessageId(), send.text(), send.silent(),
              send.replyToMessageId(), null);
      answers[i] = new ChatReply.MessageAccepted(event.messageId(), event.pts(), event.date(), false);
      events.add(event);
      texts.add(send.text());
    }
    ChatReply.SendsAnswered answered = ChatReply.SendsAnswered.of(List.of(answers));
    if (events.isEmpty()) {
      return Effect().reply(cmd.replyTo(), answered);
    }
    return Effect()
        .persist(List.<ChatEvent>copyOf(events))
        .thenRun(
            s -> {
              for (int i = 0; i < events.size(); i++) {
                publishOpened(ChatUpdates.of(events.get(i)), texts.get(i));
              }
            })
        .thenReply(cmd.replyTo(), s -> answered);
  }

  /**
   * The answer to a send that writes nothing (a rejection, or a repeated {@code clientMessageId}
   * answered with its first result), or null when the send is a new message; the chat's last
   * message is {@code lastMessageId} by the time the send is handled.
   */
  private ChatReply answerWithoutWriting(Active state, SendMessage send, long lastMessageId) {
    if (!state.mayPost(send.senderId())) {
      return new Rejected(mayNotPost(state, send.senderId()));
    }
    MessageNew earlier = state.findSent(send.senderId(), send.clientMessageId());
    if (earlier != null) {
      return new ChatReply.MessageAccepted(earlier.message().messageId(), earlier.pts(), earlier.message().date(), true);
    }
    Rejection invalid = Limits.checkText(send.text(), "text");
    if (invalid == null) {
      invalid = checkReplyTarget(lastMessageId, send.replyToMessageId());
    }
    return invalid == null ? null : new Rejected(invalid);
  }

  /** The chat's next message, its text sealed under {@code key}; {@code scheduledId} when a schedule publishes it. */
  private MessageSent messageSent(
      Active state, ContentKey key, String senderId, String clientMessageId, String text, boolean silent, Long replyTo,
      Long scheduledId) {
    return messageSent(state, 0, key, senderId, clientMessageId, text, silent, replyTo, scheduledId);
  }

  /** As above, for a message written after {@code ahead} others of the same write. */
  private MessageSent messageSent(
      Active state, int ahead, ContentKey key, String senderId, String clientMessageId, String text, boolean silent,
      Long replyTo, Long scheduledId) {
    long messageId = state.lastMessageId() + ahead + 1;
    return new MessageSent(
        chatId, messageId, state.pts() + ahead + 1, senderId, clientMessageId, null, silent, replyTo, clock.instant(),
        ContentCipher.seal(key, chatId, messageId, text), scheduledId);
  }

  /**
   * Persists a message or a new version of one, then destroys the key of what it replaces (the
   * previous version, a scheduled copy; null for none) and publishes it with its text for live
   * delivery.
   */
  private EffectBuilder<ChatEvent, ChatState> persistMessage(ChatEvent event, String text, String shreddedKeyId) {
    return Effect()
        .persist(event)
        .thenRun(
            s -> {
              shred(shreddedKeyId);
              publishOpened(ChatUpdates.of(event), text);
            });
  }

  /** Null when {@code replyTo} is absent or names a message of the chat. */
  private static Rejection checkReplyTarget(long lastMessageId, Long replyTo) {
    if (replyTo != null && (replyTo < 1 || replyTo > lastMessageId)) {
      return Rejection.onField(ErrorCode.REPLY_TARGET_NOT_FOUND, "replyToMessageId", "replyToMessageId names no message of this chat");
    }
    return null;
  }

  private ReplyEffect<ChatEvent, ChatState> onEditMessage(Active state, EditMessage cmd) {
    Rejection refused = mayChangeMessages(state, cmd.actorId(), cmd.messageId(), "edit");
    if (refused == null) {
      refused = Limits.checkText(cmd.text(), "text");
    }
    if (refused != null) {
      return reject(cmd.replyTo(), refused);
    }
    Message current = currentVersion(state, cmd.messageId(), cmd.known());
    if (current == null) {
      return Effect().reply(cmd.replyTo(), new ChatReply.MessageNeeded(cmd.messageId(), state.windowFirstPts() - 1));
    }
    var now = clock.instant();
    if (current.deleted()) {
      refused = deleted(cmd.messageId());
    } else if (state.kind() != ChatKind.CHANNEL && !cmd.actorId().equals(current.senderId())) {
      refused = Rejection.onField(ErrorCode.MESSAGE_AUTHOR_REQUIRED, "messageId", "only the sender edits a message");
    } else if (state.kind() != ChatKind.CHANNEL && current.date().plus(settings.editWindow()).isBefore(now)) {
      refused =
          Rejection.onField(
              ErrorCode.MESSAGE_EDIT_TIME_EXPIRED, "messageId",
              "a message can be edited for " + settings.editWindow().toHours() + " hours after it was sent");
    }
    if (refused != null) {
      return reject(cmd.replyTo(), refused);
    }
    ContentKey key = takeKey();
    if (key == null) {
      return awaitKeys(cmd);
    }
    String superseded = current.content() != null ? current.content().keyId() : null;
    var event =
        new MessageEdited(
            chatId, current.messageId(), state.pts() + 1, cmd.actorId(), current.senderId(), current.date(),
            current.silent(), current.replyToMessageId(), ContentCipher.seal(key, chatId, current.messageId(), cmd.text()),
            superseded, now);
    return persistMessage(event, cmd.text(), superseded)
        .thenReply(cmd.replyTo(), s -> new ChatReply.MessageEdited(event.messageId(), event.pts(), event.editDate()));
  }

  private ReplyEffect<ChatEvent, ChatState> onDeleteMessage(Active state, DeleteMessage cmd) {
    Rejection refused = mayChangeMessages(state, cmd.actorId(), cmd.messageId(), "delete");
    if (refused != null) {
      return reject(cmd.replyTo(), refused);
    }
    Message current = currentVersion(state, cmd.messageId(), cmd.known());
    if (current == null) {
      return Effect().reply(cmd.replyTo(), new ChatReply.MessageNeeded(cmd.messageId(), state.windowFirstPts() - 1));
    }
    if (current.deleted()) {
      return reject(cmd.replyTo(), deleted(cmd.messageId()));
    }
    // As on Telegram, either side of a direct chat may delete any of its messages; in a group
    // the sender or an admin (channels: admins only, checked above).
    if (state.kind() == ChatKind.GROUP && !cmd.actorId().equals(current.senderId()) && !state.isAdmin(cmd.actorId())) {
      return reject(
          cmd.replyTo(),
          Rejection.onField(ErrorCode.MESSAGE_AUTHOR_REQUIRED, "messageId", "only the sender or an admin deletes a message"));
    }
    String shredded = current.content() != null ? current.content().keyId() : null;
    var event = new MessageDeleted(chatId, current.messageId(), state.pts() + 1, cmd.actorId(), shredded, clock.instant());
    return persistAndPublish(List.of(event))
        .thenRun(s -> shred(shredded))
        .thenReply(cmd.replyTo(), s -> new ChatReply.Ack());
  }

  /**
   * What refuses a change to a message before the message itself is looked at: the caller is not
   * a member (outsiders learn nothing), no such message id, or a channel and not an admin.
   */
  private static Rejection mayChangeMessages(Active state, String actorId, long messageId, String verb) {
    if (!state.isMember(actorId)) {
      return notMember(state, actorId, "you are not a member of this chat");
    }
    if (messageId < 1 || messageId > state.lastMessageId()) {
      return Rejection.onField(ErrorCode.MESSAGE_NOT_FOUND, "messageId", "messageId names no message of this chat");
    }
    if (state.kind() == ChatKind.CHANNEL && !state.isAdmin(actorId)) {
      return Rejection.of(ErrorCode.ADMIN_REQUIRED, "only the owner and admins " + verb + " channel posts");
    }
    return null;
  }

  /**
   * The message's current version (a tombstone once deleted) from the recent window, else the
   * caller's copy from the history read model; null when neither is at hand yet.
   */
  private static Message currentVersion(Active state, long messageId, Message known) {
    Message current = state.messageInWindow(messageId);
    if (current != null) {
      return current;
    }
    return known != null && known.messageId() == messageId ? known : null;
  }

  private static Rejection deleted(long messageId) {
    return Rejection.onField(ErrorCode.MESSAGE_DELETED, "messageId", "message " + messageId + " was deleted");
  }

  /** Publishes a message update with the text it sealed: live delivery never needs a key. */
  private void publishOpened(ChatUpdate update, String text) {
    publisher.publish(Topics.chat(chatId), ChatUpdate.withMessage(update, ChatUpdate.messageOf(update).opened(text)));
  }

  /** Destroys the key of a superseded or deleted version (the history projection repeats it). */
  private void shred(String keyId) {
    if (keyId != null) {
      contentKeys.destroy(List.of(keyId));
    }
  }

  /**
   * No key left: stash the command and ask the key table for a batch (growing while the chat is
   * busy). While the key table is failing, refuse at once rather than stash without bound.
   */
  private ReplyEffect<ChatEvent, ChatState> awaitKeys(ChatCommand cmd) {
    return awaitKeys(cmd, 1);
  }

  /** As {@link #awaitKeys(ChatCommand)}, for a command that needs {@code needed} keys at once. */
  private ReplyEffect<ChatEvent, ChatState> awaitKeys(ChatCommand cmd, int needed) {
    if (clock.instant().isBefore(keysFailedUntil)) {
      return reject(
          cmd.replyTo(),
          Rejection.of(ErrorCode.CONTENT_KEYS_UNAVAILABLE, "the key table is unavailable; retry shortly"));
    }
    requestKeys(needed - keyPool.size());
    return Effect().stash();
  }

  /**
   * The next key of the pool, or null when it is empty. A chat that has needed more than its
   * first batch asks for the next one once a quarter of the last is left, so a busy chat draws
   * keys without ever stashing its sends behind the key table's transaction; while the key table
   * is failing it waits out the pause like {@link #awaitKeys}.
   */
  private ContentKey takeKey() {
    ContentKey key = keyPool.poll();
    if (key != null
        && nextKeyBatch > FIRST_KEY_BATCH
        && keyPool.size() <= nextKeyBatch / 8
        && !clock.instant().isBefore(keysFailedUntil)) {
      requestKeys();
    }
    return key;
  }

  private void requestKeys() {
    requestKeys(1);
  }

  /** Asks for a batch of keys, at least {@code atLeast}, unless a request is on its way. */
  private void requestKeys(int atLeast) {
    if (!keysRequested) {
      keysRequested = true;
      int batch = Math.max(atLeast, nextKeyBatch);
      nextKeyBatch = Math.min(settings.keyBatch(), nextKeyBatch * 2);
      ctx.pipeToSelf(
          contentKeys.issue(batch).toCompletableFuture().orTimeout(KEYS_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
          (keys, failure) -> failure == null ? new KeysIssued(keys) : new KeysFailed(String.valueOf(failure.getMessage())));
    }
  }

  private ReplyEffect<ChatEvent, ChatState> onKeysIssued(ChatState state, KeysIssued cmd) {
    keysRequested = false;
    keyPool.addAll(cmd.keys());
    return Effect().noReply().thenUnstashAll();
  }

  private ReplyEffect<ChatEvent, ChatState> onKeysFailed(ChatState state, KeysFailed cmd) {
    keysRequested = false;
    keysFailedUntil = clock.instant().plus(KEYS_RETRY_AFTER);
    ctx.getLog().warn("chat {}: the key table did not issue keys: {}", chatId, cmd.reason());
    return Effect().noReply().thenUnstashAll();
  }

  // ---- scheduled posts ----------------------------------------------------------------

  /** How close to its time a post must be to publish (the scheduler's clock may run ahead). */
  private static final Duration PUBLISH_TOLERANCE = Duration.ofMillis(100);

  /**
   * Null when {@code dueAt} is an acceptable time for a post scheduled now: at least
   * {@link Limits#MIN_SCHEDULE_AHEAD} ahead and at most {@link Limits#MAX_SCHEDULE_AHEAD}.
   */
  private Rejection checkDue(Instant dueAt) {
    Instant now = clock.instant();
    if (dueAt.isBefore(now.plus(Limits.MIN_SCHEDULE_AHEAD)) || dueAt.isAfter(now.plus(Limits.MAX_SCHEDULE_AHEAD))) {
      return Rejection.onField(
          ErrorCode.SCHEDULE_DATE_INVALID, "scheduleAt",
          "scheduleAt must be at least " + Limits.MIN_SCHEDULE_AHEAD.toSeconds() + " seconds and at most "
              + Limits.MAX_SCHEDULE_AHEAD.toDays() + " days ahead");
    }
    return null;
  }

  private static Rejection mayNotPost(Active state, String userId) {
    if (!state.isMember(userId)) {
      return notMember(state, userId, "join the chat to post in it");
    }
    return Rejection.of(ErrorCode.CHANNEL_POSTING_RESTRICTED, "only the owner and admins post in a channel");
  }

  private ReplyEffect<ChatEvent, ChatState> onSchedulePost(Active state, SchedulePost cmd) {
    if (!state.mayPost(cmd.authorId())) {
      return reject(cmd.replyTo(), mayNotPost(state, cmd.authorId()));
    }
    for (ScheduledPost p : state.scheduled()) {
      if (p.authorId().equals(cmd.authorId()) && p.clientMessageId().equals(cmd.clientMessageId())) {
        return Effect().reply(cmd.replyTo(), new ChatReply.Scheduled(p));
      }
    }
    Rejection invalid = Limits.checkText(cmd.text(), "text");
    if (invalid == null) {
      invalid = checkDue(cmd.dueAt());
    }
    if (invalid == null) {
      invalid = checkReplyTarget(state.lastMessageId(), cmd.replyToMessageId());
    }
    if (invalid == null && state.scheduled().size() >= Active.SCHEDULED_LIMIT) {
      invalid =
          Rejection.of(
              ErrorCode.SCHEDULE_TOO_MUCH, "a chat holds at most " + Active.SCHEDULED_LIMIT + " scheduled posts; cancel one or wait");
    }
    if (invalid != null) {
      return reject(cmd.replyTo(), invalid);
    }
    ContentKey key = takeKey();
    if (key == null) {
      return awaitKeys(cmd);
    }
    long scheduledId = state.lastScheduledId() + 1;
    var event =
        new PostScheduled(
            chatId, scheduledId, cmd.authorId(), cmd.clientMessageId(),
            ContentCipher.sealScheduled(key, chatId, scheduledId, cmd.text()), cmd.silent(), cmd.replyToMessageId(), cmd.dueAt(),
            clock.instant());
    return Effect()
        .persist(event)
        .thenReply(cmd.replyTo(), s -> new ChatReply.Scheduled(((Active) s).scheduledPost(scheduledId)));
  }

  /**
   * The pending post the actor may change: its author, or an admin of a channel. Others get
   * {@code SCHEDULED_NOT_FOUND}: they may not even see it.
   */
  private static Object changeableScheduled(Active state, String actorId, long scheduledId) {
    if (!state.mayPost(actorId)) {
      return mayNotPost(state, actorId);
    }
    ScheduledPost post = state.scheduledPost(scheduledId);
    if (post == null
        || !(post.authorId().equals(actorId) || (state.kind() == ChatKind.CHANNEL && state.isAdmin(actorId)))) {
      return Rejection.onField(
          ErrorCode.SCHEDULED_NOT_FOUND, "scheduledId", "scheduledId names no pending scheduled post of yours");
    }
    return post;
  }

  private ReplyEffect<ChatEvent, ChatState> onEditScheduled(Active state, EditScheduled cmd) {
    Object found = changeableScheduled(state, cmd.actorId(), cmd.scheduledId());
    if (found instanceof Rejection r) {
      return reject(cmd.replyTo(), r);
    }
    ScheduledPost post = (ScheduledPost) found;
    Rejection invalid = cmd.text() != null ? Limits.checkText(cmd.text(), "text") : null;
    if (invalid == null && cmd.dueAt() != null) {
      invalid = checkDue(cmd.dueAt());
    }
    if (invalid != null) {
      return reject(cmd.replyTo(), invalid);
    }
    Sealed content = null;
    if (cmd.text() != null) {
      ContentKey key = takeKey();
      if (key == null) {
        return awaitKeys(cmd);
      }
      content = ContentCipher.sealScheduled(key, chatId, post.scheduledId(), cmd.text());
    }
    String superseded = content != null ? post.content().keyId() : null;
    var event =
        new ScheduledPostEdited(
            chatId, post.scheduledId(), cmd.actorId(), content, superseded,
            cmd.dueAt() != null ? cmd.dueAt() : post.dueAt(), clock.instant());
    return Effect()
        .persist(event)
        .thenRun(s -> shred(superseded))
        .thenReply(cmd.replyTo(), s -> new ChatReply.Scheduled(((Active) s).scheduledPost(post.scheduledId())));
  }

  private ReplyEffect<ChatEvent, ChatState> onCancelScheduled(Active state, CancelScheduled cmd) {
    Object found = changeableScheduled(state, cmd.actorId(), cmd.scheduledId());
    if (found instanceof Rejection r) {
      return reject(cmd.replyTo(), r);
    }
    return cancelScheduled((ScheduledPost) found, cmd.actorId(), ScheduleCancelReason.CANCELLED)
        .thenReply(cmd.replyTo(), s -> new ChatReply.Ack());
  }

  private EffectBuilder<ChatEvent, ChatState> cancelScheduled(ScheduledPost post, String by, ScheduleCancelReason reason) {
    String keyId = post.content().keyId();
    return Effect()
        .persist(new ScheduledPostCancelled(chatId, post.scheduledId(), by, reason, keyId, clock.instant()))
        .thenRun(s -> shred(keyId));
  }

  /** Those who may post see their own pending posts; a channel's admins see all of them. */
  private ReplyEffect<ChatEvent, ChatState> onListScheduled(Active state, ListScheduled cmd) {
    if (!state.mayPost(cmd.actorId())) {
      return reject(cmd.replyTo(), mayNotPost(state, cmd.actorId()));
    }
    boolean all = state.kind() == ChatKind.CHANNEL;
    List<ScheduledPost> visible =
        state.scheduled().stream()
            .filter(p -> all || p.authorId().equals(cmd.actorId()))
            .sorted(java.util.Comparator.comparing(ScheduledPost::dueAt).thenComparing(ScheduledPost::scheduledId))
            .toList();
    return Effect().reply(cmd.replyTo(), new ChatReply.ScheduledList(visible));
  }

  /**
   * The scheduler says a post is due. Exactly once: only a pending post is published, and
   * publishing removes it from the pending set in the same event, so a second delivery of the
   * command (a retry, a second scheduler) finds it settled. The sealed text is opened (its key
   * looked up off the actor's thread) and resealed as the message.
   */
  private ReplyEffect<ChatEvent, ChatState> onPublishScheduled(Active state, PublishScheduled cmd) {
    ScheduledPost post = state.scheduledPost(cmd.scheduledId());
    if (post == null) {
      if (cmd.scheduledId() >= 1 && cmd.scheduledId() <= state.lastScheduledId()) {
        return Effect().reply(cmd.replyTo(), new ChatReply.ScheduleSettled(cmd.scheduledId()));
      }
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.SCHEDULED_NOT_FOUND, "scheduledId", "no such scheduled post"));
    }
    ReplyEffect<ChatEvent, ChatState> notNow = notPublishableNow(state, post, cmd.replyTo());
    if (notNow != null) {
      return notNow;
    }
    String keyId = post.content().keyId();
    long scheduledId = post.scheduledId();
    ctx.pipeToSelf(
        contentKeys.find(List.of(keyId)),
        (keys, failure) -> {
          if (failure != null) {
            // The key table did not answer: not a failure of the pool; the scheduler asks again.
            return new ScheduledOpened(scheduledId, null, null, cmd.replyTo());
          }
          ContentKey key = keys.get(keyId);
          String text = null;
          if (key != null) {
            try {
              text = ContentCipher.openScheduled(key, post.content(), chatId, scheduledId);
            } catch (ContentCipher.ContentUnreadable e) {
              text = null;
            }
          }
          return new ScheduledOpened(scheduledId, keyId, text, cmd.replyTo());
        });
    return Effect().noReply();
  }

  /**
   * Why a pending post is not published now (asked before its key is looked up, and again after,
   * since it may have been moved or its author demoted meanwhile): not due yet, or its author can
   * no longer post (then it is cancelled). Null when it may be published.
   */
  private ReplyEffect<ChatEvent, ChatState> notPublishableNow(Active state, ScheduledPost post, ActorRef<ChatReply> replyTo) {
    if (post.dueAt().isAfter(clock.instant().plus(PUBLISH_TOLERANCE))) {
      return Effect().reply(replyTo, new ChatReply.ScheduleNotDue(post.scheduledId(), post.dueAt()));
    }
    if (!state.mayPost(post.authorId())) {
      return cancelScheduled(post, post.authorId(), ScheduleCancelReason.AUTHOR_CANNOT_POST)
          .thenReply(replyTo, s -> new ChatReply.ScheduleSettled(post.scheduledId()));
    }
    return null;
  }

  private ReplyEffect<ChatEvent, ChatState> onScheduledOpened(Active state, ScheduledOpened cmd) {
    ScheduledPost post = state.scheduledPost(cmd.scheduledId());
    if (post == null) {
      // Published by an earlier delivery, or cancelled, while the key was looked up.
      return Effect().reply(cmd.replyTo(), new ChatReply.ScheduleSettled(cmd.scheduledId()));
    }
    if (cmd.keyId() == null) {
      ctx.getLog().warn("chat {}: the key of scheduled post {} could not be looked up; retrying", chatId, post.scheduledId());
      return Effect().reply(cmd.replyTo(), new ChatReply.ScheduleNotDue(post.scheduledId(), clock.instant().plus(KEYS_RETRY_AFTER)));
    }
    ReplyEffect<ChatEvent, ChatState> notNow = notPublishableNow(state, post, cmd.replyTo());
    if (notNow != null) {
      return notNow;
    }
    if (!post.content().keyId().equals(cmd.keyId())) {
      // Its text was edited meanwhile: the scheduler asks again and the new text is opened.
      return Effect().reply(cmd.replyTo(), new ChatReply.ScheduleNotDue(post.scheduledId(), post.dueAt()));
    }
    if (cmd.text() == null) {
      ctx.getLog().error("chat {}: scheduled post {} cannot be opened (its key is gone); dropping it", chatId, post.scheduledId());
      return cancelScheduled(post, post.authorId(), ScheduleCancelReason.CONTENT_LOST)
          .thenReply(cmd.replyTo(), s -> new ChatReply.ScheduleSettled(post.scheduledId()));
    }
    ContentKey key = takeKey();
    if (key == null) {
      return awaitKeys(cmd);
    }
    MessageSent event =
        messageSent(
            state, key, post.authorId(), post.clientMessageId(), cmd.text(), post.silent(), post.replyToMessageId(),
            post.scheduledId());
    return persistMessage(event, cmd.text(), post.content().keyId())
        .thenReply(cmd.replyTo(), s -> new ChatReply.ScheduledPublished(post.scheduledId(), event.messageId(), event.pts()));
  }

  private ReplyEffect<ChatEvent, ChatState> onMarkRead(Active state, MarkRead cmd) {
    if (!state.isMember(cmd.userId())) {
      return reject(cmd.replyTo(), notMember(state, cmd.userId(), "you are not a member of this chat"));
    }
    if (cmd.upToMessageId() > state.lastMessageId()) {
      return reject(
          cmd.replyTo(),
          Rejection.onField(
              ErrorCode.READ_BEYOND_LAST_MESSAGE,
              "upToMessageId",
              "upToMessageId is beyond the last message (" + state.lastMessageId() + ")"));
    }
    // Where the entity keeps read marks, a mark that does not move changes nothing; in larger
    // chats it cannot tell, and the read model keeps the greatest.
    long known = state.tracksReadMarks() ? state.readMarkOf(cmd.userId()) : 0;
    if (cmd.upToMessageId() <= known) {
      return Effect().reply(cmd.replyTo(), new ChatReply.Ack());
    }
    boolean numbered = state.tracksReadMarks() && state.kind() != ChatKind.CHANNEL;
    // Reads in channels and large groups are the reader's own business: recorded for their
    // dialogs, but not numbered and not broadcast to a million members.
    var event =
        new MessagesRead(chatId, cmd.userId(), cmd.upToMessageId(), numbered ? state.pts() + 1 : 0, clock.instant());
    return persistAndPublish(List.of(event))
        .thenRun(
            s -> {
              if (!numbered) {
                publisher.announce(new UserNotification.OwnReadMark(cmd.userId(), chatId, cmd.upToMessageId()));
              }
            })
        .thenReply(cmd.replyTo(), s -> new ChatReply.Ack());
  }

  private ReplyEffect<ChatEvent, ChatState> onGetChat(Active state, GetChat cmd) {
    if (!state.mayRead(cmd.userId())) {
      return reject(cmd.replyTo(), notReadable(state, cmd.userId()));
    }
    return Effect().reply(cmd.replyTo(), view(state, cmd.userId()));
  }

  private ReplyEffect<ChatEvent, ChatState> onGetHistory(Active state, GetHistory cmd) {
    if (!state.mayRead(cmd.userId())) {
      return reject(cmd.replyTo(), notReadable(state, cmd.userId()));
    }
    long last = state.lastMessageId();
    long upper = cmd.beforeId() > 0 ? Math.min(last, cmd.beforeId() - 1) : last;
    long from;
    long to;
    if (cmd.afterId() >= 0) {
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
    if (!state.mayRead(cmd.userId())) {
      return reject(cmd.replyTo(), notReadable(state, cmd.userId()));
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

  private ReplyEffect<ChatEvent, ChatState> onAddMembers(Active state, AddMembers cmd) {
    Rejection denied = requireAdmin(state, cmd.actorId());
    if (denied != null) {
      return reject(cmd.replyTo(), denied);
    }
    if (!cmd.userIds().stream().allMatch(MemberSet::isUserId) || cmd.userIds().isEmpty()) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.INVALID_FIELD, "userIds", "userIds must be a non-empty list of user ids"));
    }
    List<String> joining = new ArrayList<>();
    for (String id : new LinkedHashSet<>(cmd.userIds())) {
      if (state.banned().contains(id)) {
        return reject(cmd.replyTo(), Rejection.onField(ErrorCode.USER_BANNED, "userId", "user " + id + " is banned from this chat; unban first"));
      }
      if (!state.isMember(id)) {
        joining.add(id);
      }
    }
    if (joining.isEmpty()) {
      return Effect().reply(cmd.replyTo(), unchanged(state));
    }
    if (state.kind() == ChatKind.GROUP && state.members().size() + joining.size() > GROUP_MEMBER_LIMIT) {
      return reject(cmd.replyTo(), full());
    }
    var event =
        new MembersJoined(
            chatId, joining, cmd.actorId(), JoinMethod.ADDED, nextMembershipPts(state), state.membershipVersion() + 1, clock.instant());
    return persistAndPublish(List.of(event))
        .thenReply(cmd.replyTo(), s -> new ChatReply.MembershipChanged(joining, List.of(), event.pts(), event.version()));
  }

  private ReplyEffect<ChatEvent, ChatState> onJoin(Active state, Join cmd) {
    if (state.kind() == ChatKind.DIRECT) {
      return reject(cmd.replyTo(), notFoundRejection());
    }
    if (state.isMember(cmd.userId())) {
      return Effect().reply(cmd.replyTo(), unchanged(state));
    }
    boolean viaInvite = cmd.inviteToken() != null && state.invites().containsKey(cmd.inviteToken());
    if (state.banned().contains(cmd.userId())) {
      return reject(cmd.replyTo(), state.isPublic() || viaInvite ? banned() : notFoundRejection());
    }
    if (!state.isPublic() && !viaInvite) {
      return reject(
          cmd.replyTo(),
          cmd.inviteToken() != null
              ? Rejection.onField(ErrorCode.INVITE_INVALID, "inviteToken", "inviteToken is invalid or was revoked")
              : notFoundRejection());
    }
    if (!MemberSet.isUserId(cmd.userId())) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.INVALID_FIELD, "userId", "not a user id"));
    }
    if (state.kind() == ChatKind.GROUP && state.members().size() >= GROUP_MEMBER_LIMIT) {
      return reject(cmd.replyTo(), full());
    }
    var event =
        new MembersJoined(
            chatId, List.of(cmd.userId()), cmd.userId(), viaInvite && !state.isPublic() ? JoinMethod.INVITE_LINK : JoinMethod.JOINED,
            nextMembershipPts(state), state.membershipVersion() + 1, clock.instant());
    return persistAndPublish(List.of(event))
        .thenReply(cmd.replyTo(), s -> new ChatReply.MembershipChanged(List.of(cmd.userId()), List.of(), event.pts(), event.version()));
  }

  private ReplyEffect<ChatEvent, ChatState> onLeave(Active state, Leave cmd) {
    if (state.kind() == ChatKind.DIRECT) {
      return reject(cmd.replyTo(), state.isMember(cmd.userId())
          ? Rejection.of(ErrorCode.INVALID_FIELD, "a direct chat cannot be left")
          : notFoundRejection());
    }
    if (!state.isMember(cmd.userId())) {
      return reject(cmd.replyTo(), notMember(state, cmd.userId(), "you are not a member of this chat"));
    }
    if (state.roleOf(cmd.userId()) == Role.OWNER) {
      return reject(cmd.replyTo(), Rejection.of(ErrorCode.OWNER_CANNOT_LEAVE, "the owner must transfer ownership before leaving"));
    }
    var event =
        new MemberLeft(
            chatId, cmd.userId(), cmd.userId(), LeaveReason.LEFT, nextMembershipPts(state), state.membershipVersion() + 1, clock.instant());
    return persistAndPublish(List.of(event))
        .thenReply(cmd.replyTo(), s -> new ChatReply.MembershipChanged(List.of(), List.of(cmd.userId()), event.pts(), event.version()));
  }

  private ReplyEffect<ChatEvent, ChatState> onRemoveMember(Active state, RemoveMember cmd) {
    Rejection denied = requireAdmin(state, cmd.actorId());
    if (denied != null) {
      return reject(cmd.replyTo(), denied);
    }
    String target = cmd.userId();
    if (!MemberSet.isUserId(target)) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.INVALID_FIELD, "userId", "userId is not a user id"));
    }
    if (target.equals(cmd.actorId())) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.INVALID_FIELD, "userId", "to leave a chat yourself, leave it"));
    }
    Role role = state.roleOf(target);
    if (role == Role.OWNER) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.OWNER_REQUIRED, "userId", "the owner cannot be removed"));
    }
    if (role == Role.ADMIN && state.roleOf(cmd.actorId()) != Role.OWNER) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.OWNER_REQUIRED, "userId", "only the owner removes an admin"));
    }
    if (role != null) {
      var event =
          new MemberLeft(chatId, target, cmd.actorId(), cmd.ban() ? LeaveReason.BANNED : LeaveReason.REMOVED,
              nextMembershipPts(state), state.membershipVersion() + 1, clock.instant());
      return persistAndPublish(List.of(event))
          .thenReply(cmd.replyTo(), s -> new ChatReply.MembershipChanged(List.of(), List.of(target), event.pts(), event.version()));
    }
    if (!cmd.ban()) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.MEMBER_NOT_FOUND, "userId", "userId is not a member of this chat"));
    }
    if (state.banned().contains(target)) {
      return Effect().reply(cmd.replyTo(), unchanged(state));
    }
    return Effect()
        .persist(new UserBanned(chatId, target, cmd.actorId(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> unchanged(state));
  }

  private ReplyEffect<ChatEvent, ChatState> onUnban(Active state, Unban cmd) {
    Rejection denied = requireAdmin(state, cmd.actorId());
    if (denied != null) {
      return reject(cmd.replyTo(), denied);
    }
    if (!state.banned().contains(cmd.userId())) {
      return Effect().reply(cmd.replyTo(), new ChatReply.Ack());
    }
    return Effect()
        .persist(new UserUnbanned(chatId, cmd.userId(), cmd.actorId(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> new ChatReply.Ack());
  }

  private ReplyEffect<ChatEvent, ChatState> onSetRole(Active state, SetRole cmd) {
    Rejection denied = requireAdmin(state, cmd.actorId());
    if (denied != null) {
      return reject(cmd.replyTo(), denied);
    }
    if (cmd.role() == Role.OWNER || cmd.role() == null) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.INVALID_FIELD, "role", "role must be admin or member; ownership is transferred"));
    }
    Role current = state.roleOf(cmd.userId());
    if (current == null) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.MEMBER_NOT_FOUND, "userId", "userId is not a member of this chat"));
    }
    if (current == Role.OWNER) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.OWNER_REQUIRED, "userId", "the owner's role changes only by transferring ownership"));
    }
    if (current == cmd.role()) {
      return Effect().reply(cmd.replyTo(), new ChatReply.Ack());
    }
    if (current == Role.ADMIN && state.roleOf(cmd.actorId()) != Role.OWNER) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.OWNER_REQUIRED, "userId", "only the owner demotes an admin"));
    }
    var event = new RoleChanged(chatId, cmd.userId(), cmd.role(), cmd.actorId(), state.pts() + 1, clock.instant());
    return persistAndPublish(List.of(event)).thenReply(cmd.replyTo(), s -> new ChatReply.Ack());
  }

  private ReplyEffect<ChatEvent, ChatState> onTransferOwnership(Active state, TransferOwnership cmd) {
    if (state.kind() == ChatKind.DIRECT) {
      return reject(cmd.replyTo(), notReadable(state, cmd.actorId()));
    }
    if (state.roleOf(cmd.actorId()) != Role.OWNER) {
      return reject(cmd.replyTo(), state.isMember(cmd.actorId())
          ? Rejection.of(ErrorCode.OWNER_REQUIRED, "only the owner transfers ownership")
          : notReadable(state, cmd.actorId()));
    }
    if (!state.isMember(cmd.userId()) || cmd.userId().equals(cmd.actorId())) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.MEMBER_NOT_FOUND, "userId", "userId must be another member of this chat"));
    }
    var now = clock.instant();
    List<ChatEvent> events =
        List.of(
            new RoleChanged(chatId, cmd.userId(), Role.OWNER, cmd.actorId(), state.pts() + 1, now),
            new RoleChanged(chatId, cmd.actorId(), Role.ADMIN, cmd.actorId(), state.pts() + 2, now));
    return persistAndPublish(events).thenReply(cmd.replyTo(), s -> new ChatReply.Ack());
  }

  private ReplyEffect<ChatEvent, ChatState> onEditChat(Active state, EditChat cmd) {
    Rejection denied = requireAdmin(state, cmd.actorId());
    if (denied != null) {
      return reject(cmd.replyTo(), denied);
    }
    String title = cmd.title() == null ? state.title() : cmd.title().strip();
    if (cmd.title() != null) {
      Rejection invalid = checkTitle(cmd.title());
      if (invalid != null) {
        return reject(cmd.replyTo(), invalid);
      }
    }
    String username = cmd.changeUsername() ? cmd.username() : state.username();
    if (Objects.equals(title, state.title()) && Objects.equals(username, state.username())) {
      return Effect().reply(cmd.replyTo(), new ChatReply.Ack());
    }
    var event = new ChatEdited(chatId, title, username, cmd.actorId(), state.pts() + 1, clock.instant());
    return persistAndPublish(List.of(event)).thenReply(cmd.replyTo(), s -> new ChatReply.Ack());
  }

  private ReplyEffect<ChatEvent, ChatState> onCreateInvite(Active state, CreateInvite cmd) {
    Rejection denied = requireAdmin(state, cmd.actorId());
    if (denied != null) {
      return reject(cmd.replyTo(), denied);
    }
    return Effect()
        .persist(new InviteCreated(chatId, cmd.token(), cmd.actorId(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> new ChatReply.Invites(List.of(cmd.token())));
  }

  private ReplyEffect<ChatEvent, ChatState> onRevokeInvite(Active state, RevokeInvite cmd) {
    Rejection denied = requireAdmin(state, cmd.actorId());
    if (denied != null) {
      return reject(cmd.replyTo(), denied);
    }
    if (!state.invites().containsKey(cmd.token())) {
      return reject(cmd.replyTo(), Rejection.onField(ErrorCode.INVITE_INVALID, "inviteToken", "no such invite link"));
    }
    return Effect()
        .persist(new InviteRevoked(chatId, cmd.token(), cmd.actorId(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> new ChatReply.Ack());
  }

  private ReplyEffect<ChatEvent, ChatState> onListInvites(Active state, ListInvites cmd) {
    Rejection denied = requireAdmin(state, cmd.actorId());
    if (denied != null) {
      return reject(cmd.replyTo(), denied);
    }
    return Effect().reply(cmd.replyTo(), new ChatReply.Invites(state.invites().keySet().stream().sorted().toList()));
  }

  // ---- rules shared by the handlers ---------------------------------------------------------

  /** Persists the events, then publishes the update of each numbered one for live delivery. */
  private EffectBuilder<ChatEvent, ChatState> persistAndPublish(List<ChatEvent> events) {
    return Effect()
        .persist(events)
        .thenRun(
            s -> {
              for (ChatEvent event : events) {
                ChatUpdate update = ChatUpdates.of(event);
                if (update != null) {
                  publisher.publish(Topics.chat(chatId), update);
                }
              }
            });
  }

  /** The answer when a membership command changes nothing (joining twice, adding a member). */
  private static ChatReply.MembershipChanged unchanged(Active state) {
    return new ChatReply.MembershipChanged(List.of(), List.of(), 0, state.membershipVersion());
  }

  /** Joins and leaves of a channel are not numbered: subscribers do not see each other. */
  private static long nextMembershipPts(Active state) {
    return state.kind() == ChatKind.CHANNEL ? 0 : state.pts() + 1;
  }

  /** Null when {@code userId} administers the chat; otherwise the rejection to answer. */
  private static Rejection requireAdmin(Active state, String userId) {
    if (state.kind() == ChatKind.DIRECT) {
      return state.isMember(userId)
          ? Rejection.of(ErrorCode.INVALID_FIELD, "a direct chat has no members to manage")
          : notFoundRejection();
    }
    if (state.isAdmin(userId)) {
      return null;
    }
    return state.mayRead(userId)
        ? Rejection.of(ErrorCode.ADMIN_REQUIRED, "only the owner and admins may do this")
        : notReadable(state, userId);
  }

  /** Why a non-member cannot do what members do. */
  private static Rejection notMember(Active state, String userId, String message) {
    if (state.mayRead(userId)) {
      return Rejection.of(ErrorCode.NOT_A_MEMBER, message);
    }
    return notReadable(state, userId);
  }

  /** Why someone may not even read: banned from a chat they know, or it does not exist to them. */
  private static Rejection notReadable(Active state, String userId) {
    return state.isPublic() && state.banned().contains(userId) ? banned() : notFoundRejection();
  }

  private static Rejection banned() {
    return Rejection.of(ErrorCode.USER_BANNED, "you are banned from this chat");
  }

  private static Rejection full() {
    return Rejection.of(ErrorCode.CHAT_FULL, "a group has at most " + GROUP_MEMBER_LIMIT + " members");
  }

  static Rejection checkTitle(String title) {
    if (title == null || title.isBlank() || Limits.codePoints(title.strip()) > MAX_TITLE_LENGTH) {
      return Rejection.onField(ErrorCode.INVALID_FIELD, "title", "title must be 1-" + MAX_TITLE_LENGTH + " characters");
    }
    return null;
  }

  private ReplyEffect<ChatEvent, ChatState> reject(ActorRef<ChatReply> replyTo, Rejection rejection) {
    return Effect().reply(replyTo, new Rejected(rejection));
  }

  private static ChatReply.ChatView view(Active state, String userId) {
    return new ChatReply.ChatView(
        state.chatId(),
        state.kind(),
        state.title(),
        state.username(),
        state.isPublic(),
        // A channel's subscribers are not shown to each other, only to its admins.
        state.members().size() <= ChatState.READ_MARKS_LIMIT && (state.kind() != ChatKind.CHANNEL || state.isAdmin(userId))
            ? state.memberIds()
            : List.of(),
        state.members().size(),
        state.roleOf(userId),
        state.lastMessageId(),
        state.pts(),
        state.readMarkOf(userId),
        state.createdAt());
  }

  /** Outsiders learn nothing, not even that the chat exists. */
  private static Rejection notFoundRejection() {
    return Rejection.of(ErrorCode.CHAT_NOT_FOUND, "chat not found");
  }

  @Override
  public EventHandler<ChatState, ChatEvent> eventHandler() {
    int window = settings.recentWindow();
    EventHandlerBuilder<ChatState, ChatEvent> builder = newEventHandlerBuilder();
    builder.forStateType(Empty.class).onEvent(ChatCreated.class, (state, e) -> created(e));
    builder
        .forStateType(Active.class)
        .onEvent(MessageSent.class, (state, e) -> withMessageSent(state, e, window))
        .onEvent(PostScheduled.class, (state, e) ->
            state.withScheduled(
                new ScheduledPost(e.scheduledId(), e.authorId(), e.clientMessageId(), e.content(), null, e.silent(),
                    e.replyToMessageId(), e.dueAt(), e.date(), null)))
        .onEvent(ScheduledPostEdited.class, (state, e) -> state.withScheduledEdited(e.scheduledId(), e.content(), e.dueAt(), e.date()))
        .onEvent(ScheduledPostCancelled.class, (state, e) -> state.withoutScheduled(e.scheduledId()))
        .onEvent(MessagesRead.class, (state, e) -> state.withRead(e.userId(), e.upToMessageId(), ChatUpdates.of(e), window))
        .onEvent(MembersJoined.class, (state, e) -> state.withJoined(e.userIds(), e.version(), ChatUpdates.of(e), window))
        .onEvent(MemberLeft.class, (state, e) -> state.withLeft(e.userId(), e.reason() == LeaveReason.BANNED, e.version(), ChatUpdates.of(e), window))
        .onEvent(UserBanned.class, (state, e) -> state.withBanned(e.userId(), true))
        .onEvent(UserUnbanned.class, (state, e) -> state.withBanned(e.userId(), false))
        .onEvent(RoleChanged.class, (state, e) -> state.withRole(e.userId(), e.role(), ChatUpdates.of(e), window))
        .onEvent(MessageEdited.class, (state, e) -> {
          var update = (ChatUpdate.MessageEditedUpdate) ChatUpdates.of(e);
          return state.withMessageChanged(e.messageId(), m -> update.message(), update, window);
        })
        .onEvent(MessageDeleted.class, (state, e) -> state.withMessageChanged(e.messageId(), Message::tombstone, ChatUpdates.of(e), window))
        .onEvent(ChatEdited.class, (state, e) -> state.withEdited(e.title(), e.username(), ChatUpdates.of(e), window))
        .onEvent(InviteCreated.class, (state, e) -> state.withInvite(e.token(), e.by(), true))
        .onEvent(InviteRevoked.class, (state, e) -> state.withInvite(e.token(), e.by(), false));
    return builder.build();
  }

  /** A {@link MessageSent} applied to the chat: the event handler's, and {@link ChatSamples}'. */
  static Active withMessageSent(Active state, MessageSent e, int window) {
    Active next = state.withMessage(ChatUpdates.of(e), window);
    return e.scheduledId() != null ? next.withoutScheduled(e.scheduledId()) : next;
  }

  static Active created(ChatCreated e) {
    Map<String, Role> roles = e.kind() == ChatKind.DIRECT ? Map.of() : Map.of(e.createdBy(), Role.OWNER);
    return new Active(
        e.chatId(), e.kind(), e.title(), e.username(), e.isPublic(), e.createdBy(), e.date(), MemberSet.of(e.memberIds()),
        roles, Map.of(), MemberSet.empty(), Map.of(), 1, 0, 0, RecentUpdates.empty(), false, List.of(), 0)
        .droppingReadMarksIfLarge();
  }
}
