package org.herald.domain.user;

import java.time.Instant;
import org.herald.domain.common.CborSerializable;

/**
 * The journal schema of a user account. Names and packages are part of the schema.
 * {@link UserRegistered} and {@link SessionOpened} are tagged {@code users} (the analytics
 * projection reads them); the rest are not tagged.
 */
public sealed interface UserEvent extends CborSerializable {

  /** The account was created. {@code username} and {@code phone} may each be null, not both. */
  record UserRegistered(
      String userId,
      String username,
      String phone,
      String displayName,
      String passwordHash,
      Instant date)
      implements UserEvent {}

  /** A device session was opened; only the SHA-256 of its token is kept. */
  record SessionOpened(String sessionId, String deviceName, String tokenHash, Instant date)
      implements UserEvent {}

  /** A device session was ended; its token is refused from now on. */
  record SessionEnded(String sessionId, Instant date) implements UserEvent {}

  /**
   * The user became a member of a chat, at the chat's membership {@code version} (added in v2;
   * absent: 0, ordered before any versioned change).
   */
  record ChatRecorded(String chatId, Instant date, Long version) implements UserEvent {
    public ChatRecorded {
      if (version == null) {
        version = 0L;
      }
    }
  }

  /** Notifications of a chat are muted until {@code until} (null: forever). */
  record ChatMuted(String chatId, Instant until, Instant date) implements UserEvent {}

  /** A chat is unmuted. */
  record ChatUnmuted(String chatId, Instant date) implements UserEvent {}

  /** The user is no longer a member of a chat, as of the chat's membership {@code version}. */
  record ChatForgotten(String chatId, long version, Instant date) implements UserEvent {}

  /** A device registered where its push notifications go ({@code pushToken}), or cleared it (null). */
  record PushTokenSet(String sessionId, String pushToken, Instant date) implements UserEvent {}

  /**
   * The platform role {@code role} was granted; {@code by} is the granting admin's userId, or
   * {@code operator} for a grant made outside the API.
   */
  record RoleGranted(PlatformRole role, String by, Instant date) implements UserEvent {}

  /** The platform role {@code role} was revoked; {@code by} as in {@link RoleGranted}. */
  record RoleRevoked(PlatformRole role, String by, Instant date) implements UserEvent {}
}
