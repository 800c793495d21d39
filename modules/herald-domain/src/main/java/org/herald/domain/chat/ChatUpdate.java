package org.herald.domain.chat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;
import org.herald.domain.chat.ChatEvent.LeaveReason;
import org.herald.domain.common.CborSerializable;

/**
 * One client-visible change of a chat, numbered by {@code pts}. It is what the chat's recent
 * window keeps, what {@code updates?afterPts=} returns and what the chat's topic carries to the
 * sockets of its members. Updates that carry a message always carry its current version: an
 * edit rewrites the earlier updates of that message, a deletion turns them into tombstones that
 * readers leave out, so superseded text is never served and a client catching up ends in the
 * same state as one that saw every update live.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ChatUpdate.MessageNew.class, name = "message.new"),
  @JsonSubTypes.Type(value = ChatUpdate.ReadUpTo.class, name = "read"),
  @JsonSubTypes.Type(value = ChatUpdate.MembersJoinedUpdate.class, name = "member.joined"),
  @JsonSubTypes.Type(value = ChatUpdate.MemberLeftUpdate.class, name = "member.left"),
  @JsonSubTypes.Type(value = ChatUpdate.RoleChangedUpdate.class, name = "role.changed"),
  @JsonSubTypes.Type(value = ChatUpdate.ChatEditedUpdate.class, name = "chat.edited"),
  @JsonSubTypes.Type(value = ChatUpdate.MessageEditedUpdate.class, name = "message.edited"),
  @JsonSubTypes.Type(value = ChatUpdate.MessageDeletedUpdate.class, name = "message.deleted")
})
public sealed interface ChatUpdate extends CborSerializable {
  /** Joins list at most this many user ids; a bulk add says only how many joined. */
  int LISTED_JOINS = 100;

  String chatId();

  long pts();

  Instant date();

  /** A message was sent. {@code senderId} and {@code clientMessageId} make sends idempotent. */
  record MessageNew(String chatId, long pts, Message message, String clientMessageId)
      implements ChatUpdate {
    @Override
    public Instant date() {
      return message.date();
    }
  }

  /** {@code userId} has read every message up to {@code upToMessageId}. */
  record ReadUpTo(String chatId, long pts, String userId, long upToMessageId, Instant date)
      implements ChatUpdate {}

  /** {@code count} users joined; {@code userIds} lists them when there are at most 100. */
  record MembersJoinedUpdate(String chatId, long pts, List<String> userIds, int count, String by, Instant date)
      implements ChatUpdate {
    public MembersJoinedUpdate {
      userIds = List.copyOf(userIds);
    }
  }

  /** A member went; once delivered, that user's sockets stop following the chat. */
  record MemberLeftUpdate(String chatId, long pts, String userId, String by, LeaveReason reason, Instant date)
      implements ChatUpdate {}

  record RoleChangedUpdate(String chatId, long pts, String userId, Role role, Instant date)
      implements ChatUpdate {}

  record ChatEditedUpdate(String chatId, long pts, String title, String username, Instant date)
      implements ChatUpdate {}

  /** A message's text changed; {@code message} is its new version, with {@code editDate}. */
  record MessageEditedUpdate(String chatId, long pts, Message message) implements ChatUpdate {
    @Override
    public Instant date() {
      return message.editDate() != null ? message.editDate() : message.date();
    }
  }

  /** A message was deleted for everyone. */
  record MessageDeletedUpdate(String chatId, long pts, long messageId, Instant date) implements ChatUpdate {}

  /** The message this update carries, or null. */
  static Message messageOf(ChatUpdate update) {
    if (update instanceof MessageNew m) {
      return m.message();
    } else if (update instanceof MessageEditedUpdate e) {
      return e.message();
    }
    return null;
  }

  /** The same update carrying {@code message} instead (its current version or tombstone). */
  static ChatUpdate withMessage(ChatUpdate update, Message message) {
    if (update instanceof MessageNew m) {
      return new MessageNew(m.chatId(), m.pts(), message, m.clientMessageId());
    } else if (update instanceof MessageEditedUpdate e) {
      return new MessageEditedUpdate(e.chatId(), e.pts(), message);
    }
    return update;
  }

  /** True for an update of a deleted message, which readers leave out. */
  static boolean isTombstone(ChatUpdate update) {
    Message m = messageOf(update);
    return m != null && m.deleted();
  }
}
