package org.herald.domain.chat;

import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.MessagesRead;
import org.herald.domain.chat.ChatUpdate.MessageNew;
import org.herald.domain.chat.ChatUpdate.ReadUpTo;

/** The client-visible update each pts-numbered event stands for; one mapping for every reader. */
public final class ChatUpdates {
  private ChatUpdates() {}

  public static MessageNew of(MessageSent e) {
    return new MessageNew(
        e.chatId(),
        e.pts(),
        new Message(
            e.messageId(), e.senderId(), e.text(), e.date(), null, e.silent(), e.replyToMessageId()),
        e.clientMessageId());
  }

  public static ReadUpTo of(MessagesRead e) {
    return new ReadUpTo(e.chatId(), e.pts(), e.userId(), e.upToMessageId(), e.date());
  }
}
