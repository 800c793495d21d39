package org.herald.domain.chat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.herald.domain.chat.ChatUpdate.MessageNew;
import org.herald.domain.common.CborSerializable;

/** Immutable state of a chat: {@link Empty} until created, then {@link Active}. */
public sealed interface ChatState extends CborSerializable {

  /** The chat does not exist. */
  record Empty() implements ChatState {}

  /** A member, their role and how far they have read. */
  record Member(String userId, Role role, long readUpTo, Instant joinedAt)
      implements CborSerializable {
    Member withReadUpTo(long messageId) {
      return new Member(userId, role, Math.max(readUpTo, messageId), joinedAt);
    }
  }

  /**
   * A chat that exists. {@code lastMessageId} and {@code pts} are the last numbers handed out;
   * {@code recent} holds the last updates, for read-your-writes history, catch-up and
   * idempotent sends.
   */
  record Active(
      String chatId,
      ChatKind kind,
      String title,
      String createdBy,
      Instant createdAt,
      Map<String, Member> members,
      long lastMessageId,
      long pts,
      RecentUpdates recent)
      implements ChatState {

    public Active {
      members = Map.copyOf(members);
    }

    public boolean isMember(String userId) {
      return members.containsKey(userId);
    }

    public List<String> memberIds() {
      return members.keySet().stream().sorted().toList();
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
      Map<String, Member> next = members;
      Member sender = members.get(update.message().senderId());
      if (sender != null) {
        next = new HashMap<>(members);
        next.put(sender.userId(), sender.withReadUpTo(update.message().messageId()));
      }
      return new Active(
          chatId,
          kind,
          title,
          createdBy,
          createdAt,
          next,
          update.message().messageId(),
          update.pts(),
          recent.append(update, window));
    }

    Active withRead(ChatUpdate.ReadUpTo update, int window) {
      Map<String, Member> next = new HashMap<>(members);
      Member reader = members.get(update.userId());
      if (reader != null) {
        next.put(reader.userId(), reader.withReadUpTo(update.upToMessageId()));
      }
      return new Active(
          chatId,
          kind,
          title,
          createdBy,
          createdAt,
          next,
          lastMessageId,
          update.pts(),
          recent.append(update, window));
    }
  }
}
