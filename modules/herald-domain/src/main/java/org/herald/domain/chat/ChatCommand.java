package org.herald.domain.chat;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.herald.domain.common.CborSerializable;

/** What a chat accepts. Every command answers with a {@link ChatReply}. */
public sealed interface ChatCommand extends CborSerializable {
  ActorRef<ChatReply> replyTo();

  /**
   * Create the chat. For a direct chat, repeating it with the same two members answers the
   * existing chat, so "open a chat with X" is idempotent.
   */
  record CreateChat(
      ChatKind kind, String title, String createdBy, List<String> memberIds, ActorRef<ChatReply> replyTo)
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

  /** Move the reader's read mark forward to {@code upToMessageId}. */
  record MarkRead(String userId, long upToMessageId, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** The chat as {@code userId} sees it. */
  record GetChat(String userId, ActorRef<ChatReply> replyTo) implements ChatCommand {}

  /**
   * A page of history: with {@code afterId}, the first {@code limit} messages after it; without,
   * the last {@code limit} messages before {@code beforeId} (or the latest). 0 means "not given".
   */
  record GetHistory(
      String userId, long afterId, long beforeId, int limit, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}

  /** Changes after {@code afterPts}, at most {@code limit}. */
  record GetUpdates(String userId, long afterPts, int limit, ActorRef<ChatReply> replyTo)
      implements ChatCommand {}
}
