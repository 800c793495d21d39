package org.herald.domain.chat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import org.herald.domain.common.CborSerializable;

/**
 * One client-visible change of a chat, numbered by {@code pts}. It is what the chat's recent
 * window keeps, what {@code updates?afterPts=} returns and what the chat's topic carries to the
 * sockets of its members. Edits, deletions and member changes join this family as they land.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ChatUpdate.MessageNew.class, name = "message.new"),
  @JsonSubTypes.Type(value = ChatUpdate.ReadUpTo.class, name = "read")
})
public sealed interface ChatUpdate extends CborSerializable {
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
}
