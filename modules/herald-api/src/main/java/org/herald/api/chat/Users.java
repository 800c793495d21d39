package org.herald.api.chat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.api.common.ApiException;
import org.herald.domain.chat.MemberSet;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserReply;

/** Asks user entities on behalf of chat routes. */
final class Users {
  private final ClusterSharding sharding;
  private final Duration timeout;

  Users(ClusterSharding sharding, Duration timeout) {
    this.sharding = sharding;
    this.timeout = timeout;
  }

  CompletionStage<UserReply> ask(String userId, Function<ActorRef<UserReply>, UserCommand> command) {
    return UserEntity.ref(sharding, userId)
        .<UserReply>ask(command::apply, timeout)
        .thenApply(
            reply -> {
              if (reply instanceof UserReply.Rejected r) {
                throw ApiException.of(r.rejection());
              }
              return reply;
            });
  }

  /** Completes when every id names an existing user; a 404 names the first that does not. */
  CompletionStage<Void> requireAll(List<String> userIds, String field) {
    CompletableFuture<?>[] checks =
        userIds.stream()
            .map(
                id -> {
                  if (!MemberSet.isUserId(id)) {
                    return CompletableFuture.failedFuture(ApiException.notFound(field + " names no user: " + id));
                  }
                  return UserEntity.ref(sharding, id)
                      .<UserReply>ask(UserCommand.GetProfile::new, timeout)
                      .thenAccept(
                          reply -> {
                            if (!(reply instanceof UserReply.Profile)) {
                              throw ApiException.notFound(field + " names no user: " + id);
                            }
                          })
                      .toCompletableFuture();
                })
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(checks);
  }
}
