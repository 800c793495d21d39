package org.herald.projection.dialogs;

import java.time.Instant;
import org.herald.domain.chat.Message;

/**
 * One row of a user's dialog list. {@code lastMessage} is null in a chat without messages, or
 * when the previewed message was deleted (readers then look up the latest one left);
 * {@code peerUserId} is the other member of a direct chat; {@code role} is the user's role.
 */
public record Dialog(
    String chatId,
    String kind,
    String title,
    String username,
    String peerUserId,
    String role,
    long lastMessageId,
    long readUpTo,
    long pts,
    Instant lastActivityAt,
    Message lastMessage) {

  /** The same row previewing {@code message} (opened, or the latest left after a deletion). */
  public Dialog withLastMessage(Message message) {
    return new Dialog(chatId, kind, title, username, peerUserId, role, lastMessageId, readUpTo, pts, lastActivityAt, message);
  }

  /** Unread messages, derived: nothing is written per member per message. */
  public long unreadCount() {
    return Math.max(0, lastMessageId - readUpTo);
  }
}
