package org.herald.domain.user;

import java.time.Instant;
import java.util.List;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.common.Rejection;

/** Answers of a user account. */
public sealed interface UserReply extends CborSerializable {

  record Registered(String userId, String sessionId, Instant createdAt) implements UserReply {}

  record SessionStarted(String userId, String sessionId, Instant createdAt) implements UserReply {}

  record Authenticated(String userId, String sessionId) implements UserReply {}

  record Credentials(String userId, String passwordHash) implements UserReply {}

  /** {@code roles}: the platform roles granted by command; configuration may grant more. */
  record Profile(String userId, String username, String displayName, java.util.Set<PlatformRole> roles)
      implements UserReply {
    public Profile {
      roles = roles == null ? java.util.Set.of() : java.util.Set.copyOf(roles);
    }

    public Profile(String userId, String username, String displayName) {
      this(userId, username, displayName, java.util.Set.of());
    }
  }

  record SessionInfo(String sessionId, String deviceName, Instant createdAt)
      implements CborSerializable {}

  record Sessions(List<SessionInfo> sessions) implements UserReply {
    public Sessions {
      sessions = List.copyOf(sessions);
    }
  }

  /** The chats the user is in, and the mutes: chatId → until (absent from the map: not muted; {@code Instant.MAX}: forever). */
  record ChatList(List<String> chatIds, java.util.Map<String, Instant> mutedUntil) implements UserReply {
    public ChatList {
      chatIds = List.copyOf(chatIds);
      mutedUntil = mutedUntil == null ? java.util.Map.of() : java.util.Map.copyOf(mutedUntil);
    }
  }

  record Ack() implements UserReply {}

  /**
   * For a new message: whether the user is in the chat and has muted it, whether some device of
   * theirs is connected now, and the push token of each device that has one.
   */
  record PushTargets(boolean member, boolean muted, boolean online, java.util.Map<String, String> tokens) implements UserReply {
    public PushTargets {
      tokens = java.util.Map.copyOf(tokens);
    }
  }

  record Rejected(Rejection rejection) implements UserReply {}
}
