package org.herald.api.message;

import java.util.concurrent.CompletionStage;
import org.herald.api.common.Caller;
import org.herald.api.common.Chats;
import org.herald.api.message.dto.MessageDtos.SendMessageRequest;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatReply;

/** Sending a message: one path for HTTP and the updates socket. */
public final class Messaging {
  private final Chats chats;

  public Messaging(Chats chats) {
    this.chats = chats;
  }

  /** Completes once the message is durably in the journal; fails with the API error otherwise. */
  public CompletionStage<ChatReply.MessageAccepted> send(Caller caller, String chatId, SendMessageRequest req) {
    return chats.ask(
        chatId,
        ChatReply.MessageAccepted.class,
        replyTo ->
            new ChatCommand.SendMessage(
                caller.userId(), req.clientMessageId(), req.text(), req.silent(), req.replyToMessageId(), replyTo));
  }
}
