package org.herald.api.chat;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.api.common.ApiException;
import org.herald.domain.handle.HandleEntity;

/** @usernames of groups and channels: the same namespace, and the same registry, as users'. */
final class Handles {
  private final ClusterSharding sharding;
  private final ActorRef<HandleEntity.Reply> ignore;
  private final Duration timeout;

  Handles(ActorSystem<?> system, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.ignore = system.ignoreRef();
    this.timeout = timeout;
  }

  /** Claims {@code username} for {@code ownerId}; fails with 409 USERNAME_TAKEN. */
  CompletionStage<Void> claimUsername(String username, String ownerId) {
    return HandleEntity.ref(sharding, HandleEntity.usernameId(username))
        .<HandleEntity.Reply>ask(replyTo -> new HandleEntity.Claim(ownerId, replyTo), timeout)
        .thenApply(
            reply -> {
              if (reply instanceof HandleEntity.Rejected r) {
                throw ApiException.of(r.rejection());
              }
              return null;
            });
  }

  void release(String username, String ownerId) {
    HandleEntity.ref(sharding, HandleEntity.usernameId(username)).tell(new HandleEntity.Release(ownerId, ignore));
  }

  /** The owner of {@code username}, or null when it is free. */
  CompletionStage<String> owner(String username) {
    return HandleEntity.ref(sharding, HandleEntity.usernameId(username))
        .<HandleEntity.Reply>ask(HandleEntity.Resolve::new, timeout)
        .thenApply(reply -> reply instanceof HandleEntity.Owner o ? o.ownerId() : null);
  }
}
