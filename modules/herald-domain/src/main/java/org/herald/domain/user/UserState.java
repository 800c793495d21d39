package org.herald.domain.user;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.herald.domain.common.CborSerializable;

/** Immutable state of a user account: {@link Empty} until registered, then {@link Active}. */
public sealed interface UserState extends CborSerializable {

  /** No account with this id exists. */
  record Empty() implements UserState {}

  /** One open device session. */
  record Session(String sessionId, String deviceName, String tokenHash, Instant createdAt)
      implements CborSerializable {}

  /** A registered account. */
  record Active(
      String userId,
      String username,
      String phone,
      String displayName,
      String passwordHash,
      Instant createdAt,
      Map<String, Session> sessions,
      Set<String> chatIds)
      implements UserState {

    public Active {
      sessions = Map.copyOf(sessions);
      chatIds = Set.copyOf(chatIds);
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
          userId, username, phone, displayName, passwordHash, createdAt, next, chatIds);
    }

    Active withoutSession(String sessionId) {
      Map<String, Session> next = new HashMap<>(sessions);
      next.remove(sessionId);
      return new Active(
          userId, username, phone, displayName, passwordHash, createdAt, next, chatIds);
    }

    Active withChat(String chatId) {
      Set<String> next = new LinkedHashSet<>(chatIds);
      next.add(chatId);
      return new Active(
          userId, username, phone, displayName, passwordHash, createdAt, sessions, next);
    }
  }
}
