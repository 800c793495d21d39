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
 * sockets of its members. Edits and deletions join this family as they land.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ChatUpdate.MessageNew.class, name = "message.new"),
  @JsonSubTypes.Type(value = ChatUpdate.ReadUpTo.class, name = "read"),
  @JsonSubTypes.Type(value = ChatUpdate.MembersJoinedUpdate.class, name = "member.joined"),
  @JsonSubTypes.Type(value = ChatUpdate.MemberLeftUpdate.class, name = "member.left"),
  @JsonSubTypes.Type(value = ChatUpdate.RoleChangedUpdate.class, name = "role.changed"),
  @JsonSubTypes.Type(value = ChatUpdate.ChatEditedUpdate.class, name = "chat.edited")
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
}
