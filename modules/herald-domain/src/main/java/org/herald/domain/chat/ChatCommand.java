package org.herald.domain.chat;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.herald.domain.common.CborSerializable;

/** What a chat accepts. Every command answers with a {@link ChatReply}. */
public sealed interface ChatCommand extends CborSerializable {
  ActorRef<ChatReply> replyTo();

  /**
   * Create the chat. For a direct chat, repeating it with the same two members answers the
   * existing chat, so "open a chat with X" is idempotent. For a group or channel the creator
   * becomes its owner; {@code username} must already be claimed for {@code chatId}.
   */
  record CreateChat(
      ChatKind kind,
      String title,
      String username,
      boolean isPublic,
      String createdBy,
      List<String> memberIds,
      ActorRef<ChatReply> replyTo)
      implements ChatCommand {
    public CreateChat {
      memberIds = List.copyOf(memberIds);
    }
  }

  /** Send a message; a repeated {@code clientMessageId} from the same sender answers the first. */
  record SendMessage(
      String senderId,
      String clientMessageId,
      String text,
      boolean silent,
      Long replyToMessageId,
      ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /**
   * Sends that waited for the chat together (a node's API holds a chat's further sends while one
   * is being written, {@code SendBatching}): handled in this order as if sent one by one, their
   * new messages written as one atomic write, answered in order by one
   * {@link ChatReply.SendsAnswered}. The sends' own {@code replyTo} is not used (null).
   */
  record SendMessages(java.util.List<SendMessage> sends, ActorRef<ChatReply> replyTo) implements ChatCommand {
    public SendMessages {
      if (sends.isEmpty()) {
        throw new IllegalArgumentException("a batch of sends needs at least one send");
      }
      sends = java.util.List.copyOf(sends);
    }
  }

  /**
   * Replace the text of a message. {@code known} is the message as the history read model holds
   * it, given only when the chat answered {@link ChatReply.MessageNeeded} (the message is older
   * than the chat's recent window); null otherwise.
   */
  record EditMessage(String actorId, long messageId, String text, Message known, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** Delete a message for everyone; {@code known} as for {@link EditMessage}. */
  record DeleteMessage(String actorId, long messageId, Message known, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** Internal: fresh data keys for the chat's next messages arrived. Never sent from outside. */
  record KeysIssued(java.util.List<org.herald.domain.content.ContentKey> keys) implements ChatCommand {
    @Override
    public ActorRef<ChatReply> replyTo() {
      return null;
    }
  }

  /** Internal: the key table could not issue keys. */
  record KeysFailed(String reason) implements ChatCommand {
    @Override
    public ActorRef<ChatReply> replyTo() {
      return null;
    }
  }

  /**
   * Schedule a post for {@code dueAt} instead of sending it; a repeated {@code clientMessageId}
   * from the same author, while that post is pending, answers the pending post.
   */
  record SchedulePost(
      String authorId,
      String clientMessageId,
      String text,
      boolean silent,
      Long replyToMessageId,
      java.time.Instant dueAt,
      ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** Change a pending scheduled post's text and/or time (null: unchanged). */
  record EditScheduled(String actorId, long scheduledId, String text, java.time.Instant dueAt, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** Cancel a pending scheduled post. */
  record CancelScheduled(String actorId, long scheduledId, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /** The pending scheduled posts the caller may see (sealed; the reader opens them). */
  record ListScheduled(String actorId, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /**
   * From the scheduler: publish the scheduled post if it is due. Idempotent: a post already
   * published or cancelled answers {@link ChatReply.ScheduleSettled} and changes nothing.
   */
  record PublishScheduled(long scheduledId, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /**
   * Internal: the scheduled post's key was looked up; {@code text} is its opened text, null
   * when the key no longer exists.
   */
  record ScheduledOpened(long scheduledId, String keyId, String text, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** Move the reader's read mark forward to {@code upToMessageId}. */
  record MarkRead(String userId, long upToMessageId, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** The chat as {@code userId} sees it. */
  record GetChat(String userId, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /**
   * A page of history: with {@code afterId} (0 or more; 0 is "from the first message"), the first
   * {@code limit} messages after it; without ({@link #LATEST}), the last {@code limit} messages
   * before {@code beforeId} (0: not given, the latest).
   */
  record GetHistory(
      String userId, long afterId, long beforeId, int limit, ActorRef<ChatReply> replyTo)
      implements ChatCommand {
    /** {@code afterId} not given: the page ending at {@code beforeId} or the latest message. */
    public static final long LATEST = -1;
  }

  /** Changes after {@code afterPts}, at most {@code limit}. */
  record GetUpdates(String userId, long afterPts, int limit, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** An admin adds users (who exist: the caller checked) to a group or channel. */
  record AddMembers(String actorId, List<String> userIds, ActorRef<ChatReply> replyTo) implements ChatCommand {
    public AddMembers {
      userIds = List.copyOf(userIds);
    }
  }

  /** A user joins a public chat, or a private one with a live invite token; idempotent. */
  record Join(String userId, String inviteToken, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /** A member leaves. The owner must hand ownership over first. */
  record Leave(String userId, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /** An admin removes a member; with {@code ban}, the user cannot come back until unbanned. */
  record RemoveMember(String actorId, String userId, boolean ban, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** An admin lifts a ban. */
  record Unban(String actorId, String userId, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /** Promote a member to admin (owner or admin) or demote an admin (owner only). */
  record SetRole(String actorId, String userId, Role role, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /** The owner hands ownership to another member and becomes an admin. */
  record TransferOwnership(String actorId, String userId, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /**
   * An admin changes the title and/or the username. {@code username} is the new one (already
   * claimed for this chat) when {@code changeUsername}; null then removes it.
   */
  record EditChat(
      String actorId, String title, boolean changeUsername, String username, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** An admin creates an invite link with the given random token. */
  record CreateInvite(String actorId, String token, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /** An admin revokes an invite link. */
  record RevokeInvite(String actorId, String token, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /** An admin lists the live invite tokens. */
  record ListInvites(String actorId, ActorRef<ChatReply> replyTo) implements ChatCommand {}
}
