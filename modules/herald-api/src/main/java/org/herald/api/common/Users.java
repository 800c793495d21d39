package org.herald.api.common;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.domain.chat.MemberSet;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserReply;

/** Asks user entities; a rejection becomes its API error. */
public final class Users {
  private final ClusterSharding sharding;
  private final Duration timeout;

  public Users(ClusterSharding sharding, Duration timeout) {
    this.sharding = sharding;
    this.timeout = timeout;
  }

  public CompletionStage<UserReply> ask(String userId, Function<ActorRef<UserReply>, UserCommand> command) {
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
  public CompletionStage<Void> requireAll(List<String> userIds, String field) {
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
