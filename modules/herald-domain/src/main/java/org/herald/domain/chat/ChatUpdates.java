package org.herald.domain.chat;

import org.herald.domain.chat.ChatEvent.ChatEdited;
import org.herald.domain.chat.ChatEvent.MemberLeft;
import org.herald.domain.chat.ChatEvent.MessageDeleted;
import org.herald.domain.chat.ChatEvent.MessageEdited;
import org.herald.domain.chat.ChatEvent.MembersJoined;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.MessagesRead;
import org.herald.domain.chat.ChatEvent.RoleChanged;
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
            e.messageId(), e.senderId(), e.text(), e.date(), null, e.silent(), e.replyToMessageId(), e.content(), false,
            e.fromScheduled()),
        e.clientMessageId());
  }

  private static ReadUpTo readUpTo(MessagesRead e) {
    return new ReadUpTo(e.chatId(), e.pts(), e.userId(), e.upToMessageId(), e.date());
  }

  /** The update a pts-numbered event stands for, or null for events clients do not see. */
  public static ChatUpdate of(ChatEvent event) {
    if (event instanceof MessageSent e) {
      return of(e);
    } else if (event instanceof MessagesRead e && e.pts() > 0) {
      return readUpTo(e);
    } else if (event instanceof MembersJoined e && e.pts() > 0) {
      var listed = e.userIds().size() <= ChatUpdate.LISTED_JOINS ? e.userIds() : java.util.List.<String>of();
      return new ChatUpdate.MembersJoinedUpdate(e.chatId(), e.pts(), listed, e.userIds().size(), e.by(), e.date());
    } else if (event instanceof MemberLeft e && e.pts() > 0) {
      return new ChatUpdate.MemberLeftUpdate(e.chatId(), e.pts(), e.userId(), e.by(), e.reason(), e.date());
    } else if (event instanceof RoleChanged e) {
      return new ChatUpdate.RoleChangedUpdate(e.chatId(), e.pts(), e.userId(), e.role(), e.date());
    } else if (event instanceof MessageEdited e) {
      return new ChatUpdate.MessageEditedUpdate(
          e.chatId(),
          e.pts(),
          new Message(e.messageId(), e.senderId(), null, e.sentAt(), e.editDate(), e.silent(), e.replyToMessageId(), e.content(), false, false));
    } else if (event instanceof MessageDeleted e) {
      return new ChatUpdate.MessageDeletedUpdate(e.chatId(), e.pts(), e.messageId(), e.date());
    } else if (event instanceof ChatEdited e) {
      return new ChatUpdate.ChatEditedUpdate(e.chatId(), e.pts(), e.title(), e.username(), e.date());
    } else {
      return null;
    }
  }
}
