package org.herald.api.message;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.api.common.ApiException;
import org.herald.api.common.Caller;
import org.herald.api.message.dto.MessageDtos.SendMessageRequest;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.common.Ids;

/** Sending a message: one path for HTTP and the updates socket. */
public final class Messaging {
  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public Messaging(ClusterSharding sharding, Duration askTimeout) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
  }

  /** Completes once the message is durably in the journal; fails with the API error otherwise. */
  public CompletionStage<ChatReply.MessageAccepted> send(Caller caller, String chatId, SendMessageRequest req) {
    if (!Ids.isWellFormed(chatId)) {
      throw ApiException.notFound("chat not found");
    }
    return ChatEntity.ref(sharding, chatId)
        .<ChatReply>ask(
            replyTo ->
                new ChatCommand.SendMessage(
                    caller.userId(), req.clientMessageId(), req.text(), req.silent(), req.replyToMessageId(), replyTo),
            askTimeout)
        .thenApply(
            reply -> {
              if (reply instanceof ChatReply.MessageAccepted accepted) {
                return accepted;
              }
              throw unexpected(reply);
            });
  }

  /** A rejection becomes its API error; anything else is a bug and a 500. */
  public static RuntimeException unexpected(ChatReply reply) {
    if (reply instanceof ChatReply.Rejected r) {
      return ApiException.of(r.rejection());
    }
    return new IllegalStateException("unexpected reply " + reply);
  }
}
