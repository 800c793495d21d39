package org.herald.domain.chat;

import java.time.Instant;
import java.util.List;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.common.Rejection;

/** Answers of a chat. */
public sealed interface ChatReply extends CborSerializable {

  /**
   * The chat as one user sees it; {@code myRole} is null for a non-member previewing a public
   * chat, and {@code memberIds} is listed only for chats of up to 100 members.
   */
  record ChatView(
      String chatId,
      ChatKind kind,
      String title,
      String username,
      boolean isPublic,
      List<String> memberIds,
      int memberCount,
      Role myRole,
      long lastMessageId,
      long pts,
      long myReadUpTo,
      Instant createdAt)
      implements ChatReply {
    public ChatView {
      memberIds = List.copyOf(memberIds);
    }
  }

  /** {@code created} is false when the chat already existed (direct chats are idempotent). */
  record ChatCreated(ChatView chat, boolean created) implements ChatReply {}

  /**
   * The message is durably in the journal. {@code repeated}: the send repeated a
   * {@code clientMessageId} the chat had already accepted, and is answered from its state with
   * nothing written (the API counts only new messages).
   */
  record MessageAccepted(long messageId, long pts, Instant date, boolean repeated) implements ChatReply {}

  /**
   * The answers to {@link ChatCommand.SendMessages}, one per send in its order: each a
   * {@link MessageAccepted} (the batch's new messages are all durable) or a {@link Rejected}.
   */
  record SendsAnswered(List<SendAnswer> answers) implements ChatReply {
    public SendsAnswered {
      answers = List.copyOf(answers);
    }

    public static SendsAnswered of(List<ChatReply> replies) {
      return new SendsAnswered(replies.stream().map(SendAnswer::of).toList());
    }

    /** The answer to the send at {@code index}: a {@link MessageAccepted} or a {@link Rejected}. */
    public ChatReply answer(int index) {
      SendAnswer a = answers.get(index);
      return a.accepted() != null ? a.accepted() : new Rejected(a.rejected());
    }
  }

  /** One send's answer in a {@link SendsAnswered}: exactly one of the two is set. */
  record SendAnswer(MessageAccepted accepted, Rejection rejected) {
    static SendAnswer of(ChatReply reply) {
      if (reply instanceof MessageAccepted a) {
        return new SendAnswer(a, null);
      }
      if (reply instanceof Rejected r) {
        return new SendAnswer(null, r.rejection());
      }
      throw new IllegalArgumentException("a send is answered by MessageAccepted or Rejected, not " + reply);
    }
  }

  /** The edit is durable; the previous version's key is being destroyed. */
  record MessageEdited(long messageId, long pts, Instant editDate) implements ChatReply {}

  /**
   * The message is older than the chat's recent window: ask again with the message as the
   * history read model holds it, once that read model has applied every change up to
   * {@code appliedPts} (the window holds every later change, so nothing newer is missed).
   */
  record MessageNeeded(long messageId, long appliedPts) implements ChatReply {}

  /** Done; nothing to report. */
  record Ack() implements ChatReply {}

  /**
   * The members that changed: users who joined or left, with the membership event's pts (0 when
   * nothing changed or the change is not numbered) and membership version. Each user's chat
   * index is updated from these ids and that version.
   */
  record MembershipChanged(List<String> joined, List<String> left, long pts, long version) implements ChatReply {
    public MembershipChanged {
      joined = List.copyOf(joined);
      left = List.copyOf(left);
    }
  }

  /** Live invite tokens. */
  record Invites(List<String> tokens) implements ChatReply {
    public Invites {
      tokens = List.copyOf(tokens);
    }
  }

  /**
   * Messages {@code fromId..toId} (inclusive) that the chat still holds in its recent window.
   * Messages below {@code windowFirstMessageId} are not in the window and come from the
   * {@code chat_messages} read model.
   */
  record History(List<Message> messages, long fromId, long toId, long windowFirstMessageId)
      implements ChatReply {
    public History {
      messages = List.copyOf(messages);
    }
  }

  /**
   * Changes with {@code fromPts <= pts <= toPts} held in the recent window; changes below
   * {@code windowFirstPts} come from the {@code chat_updates} read model. {@code pts} is the
   * chat's current pts.
   */
  record Updates(List<ChatUpdate> updates, long fromPts, long toPts, long windowFirstPts, long pts)
      implements ChatReply {
    public Updates {
      updates = List.copyOf(updates);
    }
  }

  /** A pending scheduled post (sealed). */
  record Scheduled(ScheduledPost post) implements ChatReply {}

  /** Pending scheduled posts, in due order (sealed). */
  record ScheduledList(List<ScheduledPost> posts) implements ChatReply {
    public ScheduledList {
      posts = List.copyOf(posts);
    }
  }

  /** The scheduled post is now message {@code messageId}. */
  record ScheduledPublished(long scheduledId, long messageId, long pts) implements ChatReply {}

  /** The scheduled post was published or cancelled before: nothing to do. */
  record ScheduleSettled(long scheduledId) implements ChatReply {}

  /** The scheduled post is not due before {@code dueAt} (its time was moved). */
  record ScheduleNotDue(long scheduledId, Instant dueAt) implements ChatReply {}

  record Rejected(Rejection rejection) implements ChatReply {}
}
