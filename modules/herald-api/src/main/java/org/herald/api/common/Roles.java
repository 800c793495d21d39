package org.herald.api.common;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.domain.chat.MemberSet;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Limits;
import org.herald.domain.common.Rejection;
import org.herald.domain.user.PlatformRole;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserReply;

/**
 * Platform roles ({@code analyst}, {@code admin}): checking them for a caller, and granting or
 * revoking them by username. A user holds a role when the configuration names their username
 * ({@code herald.roles.analysts}, {@code herald.roles.admins}) or when it was granted by command
 * (kept in the user entity, so every node agrees at once). An admin passes analyst checks too.
 */
public final class Roles {
  /** Who granted a role when no API caller did (an operator's tool). */
  public static final String OPERATOR = "operator";

  private final Users users;
  private final Handles handles;
  private final Set<String> analysts;
  private final Set<String> admins;

  public Roles(Users users, Handles handles, Set<String> analysts, Set<String> admins) {
    this.users = users;
    this.handles = handles;
    this.analysts = lowerCase(analysts);
    this.admins = lowerCase(admins);
  }

  public static Roles fromConfig(ActorSystem<?> system, Duration askTimeout) {
    Config config = system.settings().config();
    return new Roles(
        new Users(ClusterSharding.get(system), askTimeout),
        new Handles(system, askTimeout),
        usernames(config, "herald.roles.analysts"),
        usernames(config, "herald.roles.admins"));
  }

  /** A list of usernames, or one comma-separated string (as the environment variables give it). */
  static Set<String> usernames(Config config, String path) {
    if (!config.hasPath(path)) {
      return Set.of();
    }
    List<String> names =
        config.getValue(path).valueType() == ConfigValueType.LIST
            ? config.getStringList(path)
            : Arrays.asList(config.getString(path).split(","));
    return lowerCase(names.stream().map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet()));
  }

  private static Set<String> lowerCase(Set<String> names) {
    return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Completes when the caller holds {@code required} (an admin also holds analyst); fails with
   * 403 {@code ROLE_REQUIRED}, whose message names the role, otherwise.
   */
  public CompletionStage<Void> require(Caller caller, PlatformRole required) {
    return rolesOf(caller.userId())
        .thenApply(
            held -> {
              if (held.stream().noneMatch(r -> r.satisfies(required))) {
                throw ApiException.of(
                    Rejection.of(ErrorCode.ROLE_REQUIRED, "this call needs the " + required.wireName() + " role"));
              }
              return null;
            });
  }

  /**
   * Every role the user holds: granted by command, or by configuration, which names user ids
   * ({@code u…}) or usernames. A configured username counts only while the handle registry says
   * this user owns it (a profile's name alone could be stale); a username configured before its
   * account exists goes to whoever registers it first, so configure user ids or register the
   * account first (README, "Configuration").
   */
  public CompletionStage<Set<PlatformRole>> rolesOf(String userId) {
    return users.ask(userId, UserCommand.GetProfile::new)
        .thenCompose(
            reply -> {
              UserReply.Profile profile = (UserReply.Profile) reply;
              Set<PlatformRole> held = EnumSet.noneOf(PlatformRole.class);
              held.addAll(profile.roles());
              String id = userId.toLowerCase(Locale.ROOT);
              if (analysts.contains(id)) {
                held.add(PlatformRole.ANALYST);
              }
              if (admins.contains(id)) {
                held.add(PlatformRole.ADMIN);
              }
              String username = profile.username() == null ? null : profile.username().toLowerCase(Locale.ROOT);
              boolean byName = username != null && (analysts.contains(username) || admins.contains(username));
              if (!byName) {
                return java.util.concurrent.CompletableFuture.completedFuture(held);
              }
              return handles.usernameOwner(username)
                  .thenApply(
                      owner -> {
                        if (userId.equals(owner)) {
                          if (analysts.contains(username)) {
                            held.add(PlatformRole.ANALYST);
                          }
                          if (admins.contains(username)) {
                            held.add(PlatformRole.ADMIN);
                          }
                        }
                        return held;
                      });
            });
  }

  /**
   * Grants ({@code grant} true) or revokes the role named {@code role} of the user named
   * {@code username}; {@code by} is recorded in the event. Idempotent. Fails with 400 naming
   * {@code role} for an unknown role, 404 naming {@code username} for an unknown user. Roles
   * given by configuration stay whatever is revoked here.
   */
  public CompletionStage<Void> grant(String username, String role, boolean grant, String by) {
    PlatformRole platformRole = PlatformRole.fromWire(role);
    if (platformRole == null) {
      return CompletableFuture.failedFuture(
          ApiException.of(Rejection.onField(ErrorCode.INVALID_FIELD, "role", "role must be analyst or admin")));
    }
    ApiException unknown =
        ApiException.of(Rejection.onField(ErrorCode.USER_NOT_FOUND, "username", "username names no user"));
    if (!Limits.isValidUsername(username)) {
      return CompletableFuture.failedFuture(unknown);
    }
    return handles
        .usernameOwner(username)
        .thenCompose(
            owner -> {
              if (owner == null || !MemberSet.isUserId(owner)) {
                throw unknown;
              }
              return users.ask(
                  owner,
                  replyTo ->
                      grant
                          ? new UserCommand.GrantRole(platformRole, by, replyTo)
                          : new UserCommand.RevokeRole(platformRole, by, replyTo));
            })
        .thenApply(ack -> null);
  }
}
