package org.herald.domain.chat;

import org.herald.domain.common.Ids;

/**
 * Chat ids, which carry their kind: a direct chat's id is derived from its two members,
 * ordered, so the same two users always reach the same single entity (no lookup table, no race
 * on creation); groups are {@code g…} and channels {@code c…} with 80 random bits. Nodes that
 * only hold an id (the updates hub) can tell a channel from it.
 */
public final class ChatIds {
  private ChatIds() {}

  public static String newId(ChatKind kind) {
    return switch (kind) {
      case GROUP -> "g" + Ids.random(16);
      case CHANNEL -> "c" + Ids.random(16);
      case DIRECT -> throw new IllegalArgumentException("a direct chat's id is derived from its members");
    };
  }

  /** The kind a chat id names, or null for an id no chat can have. */
  public static ChatKind kindOf(String chatId) {
    if (chatId.startsWith("d-")) {
      return ChatKind.DIRECT;
    }
    if (chatId.startsWith("g")) {
      return ChatKind.GROUP;
    }
    if (chatId.startsWith("c")) {
      return ChatKind.CHANNEL;
    }
    return null;
  }

  public static boolean isChannel(String chatId) {
    return chatId.startsWith("c");
  }

  /** Groups and channels count views of their posts; direct chats have read receipts instead. */
  public static boolean countsViews(String chatId) {
    return !chatId.startsWith("d-");
  }

  public static String direct(String userA, String userB) {
    return userA.compareTo(userB) < 0 ? "d-" + userA + "-" + userB : "d-" + userB + "-" + userA;
  }
}
