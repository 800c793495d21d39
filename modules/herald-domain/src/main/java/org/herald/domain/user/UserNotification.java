package org.herald.domain.user;

import org.herald.domain.common.CborSerializable;

/** Announced to every node once durable; the nodes holding that user's sockets act on it. */
public sealed interface UserNotification extends CborSerializable {
  String userId();

  /** The user is now a member of {@code chatId}: sockets start following that chat. */
  record ChatAdded(String userId, String chatId) implements UserNotification {}

  /** The user is no longer a member of {@code chatId}: sockets stop following it. */
  record ChatRemoved(String userId, String chatId) implements UserNotification {}

  /**
   * The user moved their read mark in a chat whose reads are not numbered (a channel, a group
   * over 100 members): only the user's own devices are told, so their unread counts agree.
   */
  record OwnReadMark(String userId, String chatId, long upToMessageId) implements UserNotification {}

  /** The session ended: its sockets close at once, wherever they are. */
  record SessionRevoked(String userId, String sessionId) implements UserNotification {}
}
