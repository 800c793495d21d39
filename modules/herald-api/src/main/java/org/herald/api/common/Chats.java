package org.herald.api.common;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.common.Ids;

/** Asks a chat entity and expects one kind of answer; a rejection becomes its API error. */
public final class Chats {
  private final ClusterSharding sharding;
  private final Duration timeout;

  public Chats(ClusterSharding sharding, Duration timeout) {
    this.sharding = sharding;
    this.timeout = timeout;
  }

  public <T extends ChatReply> CompletionStage<T> ask(
      String chatId, Class<T> expected, Function<ActorRef<ChatReply>, ChatCommand> command) {
    if (!Ids.isWellFormed(chatId)) {
      return CompletableFuture.failedFuture(ApiException.notFound("chat not found"));
    }
    return ChatEntity.ref(sharding, chatId)
        .<ChatReply>ask(command::apply, timeout)
        .thenApply(
            reply -> {
              if (expected.isInstance(reply)) {
                return expected.cast(reply);
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
