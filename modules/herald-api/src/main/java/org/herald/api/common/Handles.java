package org.herald.api.common;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.domain.handle.HandleEntity;

/**
 * The handle registry as routes use it: claiming, releasing and resolving @usernames (one
 * namespace for users, groups and channels) and phone numbers. Ids are
 * {@link HandleEntity#usernameId} or {@link HandleEntity#phoneId}.
 */
public final class Handles {
  private final ClusterSharding sharding;
  private final ActorRef<HandleEntity.Reply> ignore;
  private final Duration timeout;

  public Handles(ActorSystem<?> system, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.ignore = system.ignoreRef();
    this.timeout = timeout;
  }

  /** Claims the handle for {@code ownerId}; fails with 409 USERNAME_TAKEN or PHONE_TAKEN. */
  public CompletionStage<Void> claim(String handleId, String ownerId) {
    return HandleEntity.ref(sharding, handleId)
        .<HandleEntity.Reply>ask(replyTo -> new HandleEntity.Claim(ownerId, replyTo), timeout)
        .thenApply(
            reply -> {
              if (reply instanceof HandleEntity.Rejected r) {
                throw ApiException.of(r.rejection());
              }
              return null;
            });
  }

  public CompletionStage<Void> claimUsername(String username, String ownerId) {
    return claim(HandleEntity.usernameId(username), ownerId);
  }

  /** Gives the handle up, fire-and-forget: a release that is lost leaves the name with its owner. */
  public void release(String handleId, String ownerId) {
    HandleEntity.ref(sharding, handleId).tell(new HandleEntity.Release(ownerId, ignore));
  }

  public void releaseUsername(String username, String ownerId) {
    release(HandleEntity.usernameId(username), ownerId);
  }

  /** The owner of the handle, or null when it is free. */
  public CompletionStage<String> owner(String handleId) {
    return HandleEntity.ref(sharding, handleId)
        .<HandleEntity.Reply>ask(HandleEntity.Resolve::new, timeout)
        .thenApply(reply -> reply instanceof HandleEntity.Owner o ? o.ownerId() : null);
  }

  public CompletionStage<String> usernameOwner(String username) {
    return owner(HandleEntity.usernameId(username));
  }
}
