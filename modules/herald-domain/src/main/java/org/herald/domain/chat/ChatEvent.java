package org.herald.domain.chat;

import java.time.Instant;
import java.util.List;
import org.herald.domain.common.CborSerializable;

/**
 * The journal schema of a chat. Every event carries what projections need without a lookup.
 * Names and packages are part of the schema: never rename or move them.
 */
public sealed interface ChatEvent extends CborSerializable {
  String chatId();

  /** The chat came into being with its first members; the creator is the owner of a group or channel. */
  record ChatCreated(
      String chatId, ChatKind kind, String title, String createdBy, List<String> memberIds, Instant date)
      implements ChatEvent {
    public ChatCreated {
      memberIds = List.copyOf(memberIds);
    }
  }

  /**
   * A message was accepted: {@code messageId} and {@code pts} are the next numbers of the chat.
   * Sending also moves the sender's read mark to this message.
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
      Instant date)
      implements ChatEvent {}

  /** {@code userId} read every message up to {@code upToMessageId}. */
  record MessagesRead(String chatId, String userId, long upToMessageId, long pts, Instant date)
      implements ChatEvent {}
}
