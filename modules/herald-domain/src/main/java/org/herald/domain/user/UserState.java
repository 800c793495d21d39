package org.herald.domain.user;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.herald.domain.common.CborSerializable;

/** Immutable state of a user account: {@link Empty} until registered, then {@link Active}. */
public sealed interface UserState extends CborSerializable {

  /** No account with this id exists. */
  record Empty() implements UserState {}

  /** One open device session. */
  /** A device session; {@code pushToken} (v2) is where its push notifications go, or null. */
  record Session(String sessionId, String deviceName, String tokenHash, Instant createdAt, String pushToken)
      implements CborSerializable {
    public Session(String sessionId, String deviceName, String tokenHash, Instant createdAt) {
      this(sessionId, deviceName, tokenHash, createdAt, null);
    }

    Session withPushToken(String token) {
      return new Session(sessionId, deviceName, tokenHash, createdAt, token);
    }
  }

  /** A registered account. */
  record Active(
      String userId,
      String username,
      String phone,
      String displayName,
      String passwordHash,
      Instant createdAt,
      Map<String, Session> sessions,
      Map<String, Long> chats,
      Map<String, Long> leftChats,
      Map<String, Instant> mutes,
      Set<PlatformRole> roles)
      implements UserState {

    /**
     * {@code chats}: the chats the user is in, with the membership version that put them there;
     * {@code leftChats}: the version of the last leave of chats the user left, so a late join
     * notice never resurrects a chat the user has since left. {@code roles}: the platform roles
     * granted by command.
     */
    public Active {
      sessions = Map.copyOf(sessions);
      chats = chats == null ? Map.of() : Map.copyOf(chats);
      leftChats = leftChats == null ? Map.of() : Map.copyOf(leftChats);
      mutes = mutes == null ? Map.of() : Map.copyOf(mutes);
      // Added with platform roles: snapshots taken before have none.
      roles = roles == null ? Set.of() : Set.copyOf(roles);
    }

    /** The latest membership version the index knows for {@code chatId}. */
    public long knownVersion(String chatId) {
      return Math.max(chats.getOrDefault(chatId, -1L), leftChats.getOrDefault(chatId, -1L));
    }

    /** Constant-time comparison, so response timing reveals nothing about the stored hash. */
    public boolean tokenMatches(String sessionId, String tokenHash) {
      Session s = sessions.get(sessionId);
      return s != null
          && MessageDigest.isEqual(
              s.tokenHash().getBytes(StandardCharsets.US_ASCII),
              tokenHash.getBytes(StandardCharsets.US_ASCII));
    }

    public List<Session> sessionsByAge() {
      List<Session> list = new ArrayList<>(sessions.values());
      list.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
      return list;
    }

    Active withSession(Session session) {
      Map<String, Session> next = new HashMap<>(sessions);
      next.put(session.sessionId(), session);
      return new Active(
          userId, username, phone, displayName, passwordHash, createdAt, next, chats, leftChats, mutes, roles);
    }

    Active withPushToken(String sessionId, String token) {
      Session session = sessions.get(sessionId);
      return session == null ? this : withSession(session.withPushToken(token));
    }

    Active withoutSession(String sessionId) {
      Map<String, Session> next = new HashMap<>(sessions);
      next.remove(sessionId);
      return new Active(
          userId, username, phone, displayName, passwordHash, createdAt, next, chats, leftChats, mutes, roles);
    }

    Active withChat(String chatId, long version) {
      Map<String, Long> in = new HashMap<>(chats);
      in.put(chatId, version);
      Map<String, Long> left = leftChats;
      if (left.containsKey(chatId)) {
        left = new HashMap<>(left);
        left.remove(chatId);
      }
      return new Active(userId, username, phone, displayName, passwordHash, createdAt, sessions, in, left, mutes, roles);
    }

    Active withoutChat(String chatId, long version) {
      Map<String, Long> in = new HashMap<>(chats);
      in.remove(chatId);
      Map<String, Long> left = new HashMap<>(leftChats);
      left.put(chatId, version);
      Map<String, Instant> nextMutes = new HashMap<>(mutes);
      nextMutes.remove(chatId);
      return new Active(userId, username, phone, displayName, passwordHash, createdAt, sessions, in, left, nextMutes, roles);
    }

    Active withRole(PlatformRole role, boolean granted) {
      Set<PlatformRole> next = new HashSet<>(roles);
      if (granted) {
        next.add(role);
      } else {
        next.remove(role);
      }
      return new Active(userId, username, phone, displayName, passwordHash, createdAt, sessions, chats, leftChats, mutes, next);
    }

    /** {@code until} null unmutes; {@code Instant.MAX} mutes forever. */
    Active withMute(String chatId, Instant until) {
      Map<String, Instant> next = new HashMap<>(mutes);
      if (until == null) {
        next.remove(chatId);
      } else {
        next.put(chatId, until);
      }
      return new Active(userId, username, phone, displayName, passwordHash, createdAt, sessions, chats, leftChats, next, roles);
    }
  }
}
