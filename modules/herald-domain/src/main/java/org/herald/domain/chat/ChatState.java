package org.herald.domain.chat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.herald.domain.chat.ChatUpdate.MessageNew;
import org.herald.domain.common.CborSerializable;

/** Immutable state of a chat: {@link Empty} until created, then {@link Active}. */
public sealed interface ChatState extends CborSerializable {

  /**
   * Read marks are kept in the entity only for chats up to this size: they serve the forward-only
   * rule and, later, read receipts of direct chats and small groups. Larger chats keep marks in
   * the read model only, so a message never touches per-member state.
   */
  int READ_MARKS_LIMIT = 100;

  /** The chat does not exist. */
  record Empty() implements ChatState {}

  /**
   * A chat that exists. {@code members} holds every member compactly (a million cost ~16 MB);
   * {@code roles} only the members above plain membership (owner, admins); {@code readMarks}
   * the read marks of chats up to {@link #READ_MARKS_LIMIT} members. {@code lastMessageId} and
   * {@code pts} are the last numbers handed out; {@code recent} holds the last updates, for
   * read-your-writes history, catch-up and idempotent sends.
   */
  record Active(
      String chatId,
      ChatKind kind,
      String title,
      String createdBy,
      Instant createdAt,
      MemberSet members,
      Map<String, Role> roles,
      Map<String, Long> readMarks,
      long lastMessageId,
      long pts,
      RecentUpdates recent)
      implements ChatState {

    public Active {
      roles = Map.copyOf(roles);
      readMarks = Map.copyOf(readMarks);
    }

    public boolean isMember(String userId) {
      return members.contains(userId);
    }

    /** The member's role, or null for a non-member. */
    public Role roleOf(String userId) {
      return !isMember(userId) ? null : roles.getOrDefault(userId, Role.MEMBER);
    }

    /** The member's read mark as the entity knows it (0 when it does not track marks). */
    public long readMarkOf(String userId) {
      return readMarks.getOrDefault(userId, 0L);
    }

    public boolean tracksReadMarks() {
      return members.size() <= READ_MARKS_LIMIT;
    }

    /** Member ids, sorted; only for small chats (callers check the size first). */
    public List<String> memberIds() {
      return members.toList().stream().sorted().toList();
    }

    /** The answer already given to this sender's {@code clientMessageId}, if still remembered. */
    public MessageNew findSent(String senderId, String clientMessageId) {
      for (int i = 0; i < recent.size(); i++) {
        if (recent.fromNewest(i) instanceof MessageNew m
            && clientMessageId.equals(m.clientMessageId())
            && senderId.equals(m.message().senderId())) {
          return m;
        }
      }
      return null;
    }

    /** The smallest messageId such that it and every later message are in {@code recent}. */
    public long windowFirstMessageId() {
      for (int i = 0; i < recent.size(); i++) {
        if (recent.get(i) instanceof MessageNew m) {
          return m.message().messageId();
        }
      }
      return lastMessageId + 1;
    }

    /** The smallest pts such that it and every later change are in {@code recent}. */
    public long windowFirstPts() {
      return recent.isEmpty() ? pts + 1 : recent.first().pts();
    }

    Active withMessage(MessageNew update, int window) {
      String sender = update.message().senderId();
      Map<String, Long> marks = withMark(sender, update.message().messageId());
      return new Active(
          chatId, kind, title, createdBy, createdAt, members, roles, marks,
          update.message().messageId(), update.pts(), recent.append(update, window));
    }

    Active withRead(ChatUpdate.ReadUpTo update, int window) {
      Map<String, Long> marks = withMark(update.userId(), update.upToMessageId());
      return new Active(
          chatId, kind, title, createdBy, createdAt, members, roles, marks,
          lastMessageId, update.pts(), recent.append(update, window));
    }

    private Map<String, Long> withMark(String userId, long messageId) {
      if (!tracksReadMarks() || !isMember(userId) || readMarkOf(userId) >= messageId) {
        return readMarks;
      }
      Map<String, Long> next = new HashMap<>(readMarks);
      next.put(userId, messageId);
      return next;
    }
  }
}
