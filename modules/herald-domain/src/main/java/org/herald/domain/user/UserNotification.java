package org.herald.domain.user;

import org.herald.domain.common.CborSerializable;

/** Announced to every node once durable; the nodes holding that user's sockets act on it. */
public sealed interface UserNotification extends CborSerializable {
  String userId();

  /** The user is now a member of {@code chatId}: sockets start following that chat. */
  record ChatAdded(String userId, String chatId) implements UserNotification {}

  /** The user is no longer a member of {@code chatId}: sockets stop following it. */
  record ChatRemoved(String userId, String chatId) implements UserNotification {}

  /** The session ended: its sockets close at once, wherever they are. */
  record SessionRevoked(String userId, String sessionId) implements UserNotification {}
}
