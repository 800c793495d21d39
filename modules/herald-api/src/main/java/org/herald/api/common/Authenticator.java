package org.herald.api.common;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.api.account.Tokens;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserReply;

/**
 * Checks bearer tokens against the owning user entity on every request, so an ended session is
 * refused at once on every node: there is no cache to invalidate.
 */
public final class Authenticator {
  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public Authenticator(ClusterSharding sharding, Duration askTimeout) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
  }

  /**
   * The token of an {@code Authorization} header's {@code Bearer} credentials, or null for
   * another scheme or no header: what every request, and the updates upgrade read without
   * pekko-http, takes before {@code ?token=}.
   */
  public static String bearerToken(String authorization) {
    return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim()
        : null;
  }

  /** Completes with the caller, or fails with 401. */
  public CompletionStage<Caller> authenticate(String token) {
    Tokens.Presented presented = Tokens.parse(token);
    if (presented == null) {
      return CompletableFuture.failedFuture(ApiException.unauthorized("missing or malformed bearer token"));
    }
    return UserEntity.ref(sharding, presented.userId())
        .<UserReply>ask(
            replyTo -> new UserCommand.Authenticate(presented.sessionId(), presented.hash(), replyTo),
            askTimeout)
        .thenApply(
            reply -> {
              if (reply instanceof UserReply.Authenticated a) {
                return new Caller(a.userId(), a.sessionId());
              }
              throw ApiException.unauthorized("invalid or ended session token");
            });
  }
}
