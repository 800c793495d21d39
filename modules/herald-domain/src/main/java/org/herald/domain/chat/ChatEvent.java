package org.herald.domain.chat;

import java.time.Instant;
import java.util.List;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.content.Sealed;

/**
 * The journal schema of a chat. Every event carries what projections need without a lookup.
 * Names and packages are part of the schema: never rename or move them. A {@code pts} of 0
 * marks a change that is not numbered for clients (a channel's subscribers joining or leaving:
 * a million subscribers must not see each other come and go).
 */
public sealed interface ChatEvent extends CborSerializable {
  String chatId();

  /**
   * The chat came into being with its first members; the creator owns a group or channel.
   * {@code username} and {@code isPublic} were added in v2 (absent: no username, private).
   */
  record ChatCreated(
      String chatId,
      ChatKind kind,
      String title,
      String createdBy,
      List<String> memberIds,
      Instant date,
      String username,
      Boolean isPublic)
      implements ChatEvent {
    public ChatCreated {
      memberIds = List.copyOf(memberIds);
      if (isPublic == null) {
        isPublic = false;
      }
    }
  }

  /**
   * A message was accepted: {@code messageId} and {@code pts} are the next numbers of the chat.
   * Sending also moves the sender's read mark to this message. Since v2 the text is in
   * {@code content}, sealed under the message's own data key, and {@code text} is null (v1
   * events carry {@code text} in the clear and no {@code content}). {@code scheduledId} (v3) names
   * the scheduled post this message published (null for an ordinary send); that post's own
   * sealed copy is destroyed once the message is durable.
   */
  record MessageSent(
      String chatId,
      long messageId,
      long pts,
      String senderId,
      String clientMessageId,
      String text,
      boolean silent,
      Long replyToMessageId,
      Instant date,
      Sealed content,
      Long scheduledId)
      implements ChatEvent {
    public boolean fromScheduled() {
      return scheduledId != null;
    }
  }

  /**
   * {@code authorId} scheduled a post for {@code dueAt}. Its text is sealed under its own data
   * key, bound to the chat and the scheduled id; it is not a message yet: no messageId, no pts.
   */
  record PostScheduled(
      String chatId,
      long scheduledId,
      String authorId,
      String clientMessageId,
      Sealed content,
      boolean silent,
      Long replyToMessageId,
      Instant dueAt,
      Instant date)
      implements ChatEvent {}

  /**
   * {@code by} changed a pending scheduled post: {@code content} is the new text (null when the
   * text stayed; then {@code supersededKeyId} is null too) and {@code dueAt} its time.
   */
  record ScheduledPostEdited(
      String chatId, long scheduledId, String by, Sealed content, String supersededKeyId, Instant dueAt, Instant date)
      implements ChatEvent {}

  /** Why a scheduled post will never be published. */
  enum ScheduleCancelReason {
    /** Its author or an admin cancelled it. */
    CANCELLED,
    /** At its time, its author could no longer post in the chat. */
    AUTHOR_CANNOT_POST,
    /** At its time, its text could not be opened (its key was gone). */
    CONTENT_LOST
  }

  /** A pending scheduled post was dropped; its key {@code shreddedKeyId} is destroyed. */
  record ScheduledPostCancelled(
      String chatId, long scheduledId, String by, ScheduleCancelReason reason, String shreddedKeyId, Instant date)
      implements ChatEvent {}

  /**
   * {@code by} replaced the text of message {@code messageId} with {@code content}, sealed under
   * a fresh data key. The key of the previous version, {@code supersededKeyId}, is destroyed:
   * earlier versions can never be read again. The message's sender, date, silent flag and reply
   * target are repeated so readers need no lookup.
   */
  record MessageEdited(
      String chatId,
      long messageId,
      long pts,
      String by,
      String senderId,
      Instant sentAt,
      boolean silent,
      Long replyToMessageId,
      Sealed content,
      String supersededKeyId,
      Instant editDate)
      implements ChatEvent {}

  /**
   * {@code by} deleted message {@code messageId} for everyone. The key of its current version,
   * {@code shreddedKeyId}, is destroyed, so its text is unrecoverable from every copy.
   */
  record MessageDeleted(String chatId, long messageId, long pts, String by, String shreddedKeyId, Instant date)
      implements ChatEvent {}

  /** {@code userId} read every message up to {@code upToMessageId}. */
  record MessagesRead(String chatId, String userId, long upToMessageId, long pts, Instant date)
      implements ChatEvent {}

  /** How members came in. */
  enum JoinMethod {
    ADDED,
    JOINED,
    INVITE_LINK
  }

  /**
   * Users became members: added by an admin ({@code by}), or joining themselves. {@code version}
   * counts the chat's membership changes (creation is 1), so each user's chat index applies
   * joins and leaves in order however late they arrive.
   */
  record MembersJoined(
      String chatId, List<String> userIds, String by, JoinMethod via, long pts, long version, Instant date)
      implements ChatEvent {
    public MembersJoined {
      userIds = List.copyOf(userIds);
    }
  }

  /** Why a member went. */
  enum LeaveReason {
    LEFT,
    REMOVED,
    BANNED
  }

  /** A member left, was removed, or was banned ({@code by} is who acted); see {@link MembersJoined} for {@code version}. */
  record MemberLeft(String chatId, String userId, String by, LeaveReason reason, long pts, long version, Instant date)
      implements ChatEvent {}

  /** A user who is not a member was banned: they cannot join until unbanned. */
  record UserBanned(String chatId, String userId, String by, Instant date) implements ChatEvent {}

  /** A ban was lifted. */
  record UserUnbanned(String chatId, String userId, String by, Instant date) implements ChatEvent {}

  /** A member's role changed (promoted to admin, demoted, or made owner). */
  record RoleChanged(String chatId, String userId, Role role, String by, long pts, Instant date)
      implements ChatEvent {}

  /** The title or the @username changed; both carry their new value (username may be null). */
  record ChatEdited(String chatId, String title, String username, String by, long pts, Instant date)
      implements ChatEvent {}

  /** An admin created an invite link; its token lets a user join a private chat. */
  record InviteCreated(String chatId, String token, String by, Instant date) implements ChatEvent {}

  /** An invite link was revoked. */
  record InviteRevoked(String chatId, String token, String by, Instant date) implements ChatEvent {}
}
