package org.herald.api.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;

/**
 * Readiness check "the node is not stopping", a Pekko Management health check: from the first
 * phase of CoordinatedShutdown (SIGTERM, {@code HeraldNode.stop()}, a downed node) the node
 * answers 503 on {@code /ready}, before its public port unbinds and while it hands its shards
 * off and leaves the cluster, so balancers stop sending it traffic first.
 */
public final class ShutdownCheck implements Supplier<CompletionStage<Boolean>> {
  private final CoordinatedShutdown shutdown;

  public ShutdownCheck(ActorSystem system) {
    this.shutdown = CoordinatedShutdown.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return shutdown
        .getShutdownReason()
        .<CompletionStage<Boolean>>map(
            reason ->
                CompletableFuture.failedFuture(
                    new IllegalStateException("the node is shutting down (" + reason.getClass().getSimpleName().replace("$", "") + ")")))
        .orElseGet(() -> CompletableFuture.completedFuture(true));
  }
}
