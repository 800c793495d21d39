package org.herald.api.account;

import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.account.dto.AccountDtos.CreateAccountRequest;
import org.herald.api.account.dto.AccountDtos.LoginRequest;
import org.herald.api.account.dto.AccountDtos.SessionItem;
import org.herald.api.account.dto.AccountDtos.SessionResponse;
import org.herald.api.account.dto.AccountDtos.SessionToken;
import org.herald.api.account.dto.AccountDtos.SessionsResponse;
import org.herald.api.account.dto.AccountDtos.UserResponse;
import org.herald.api.common.ApiException;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Caller;
import org.herald.api.common.Handles;
import org.herald.api.common.Json;
import org.herald.api.common.RouteSupport;
import org.herald.domain.chat.MemberSet;
import org.herald.domain.common.Ids;
import org.herald.domain.common.Limits;
import org.herald.domain.handle.HandleEntity;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserReply;

/**
 * Accounts, device sessions and user look-ups. Account creation claims the username and phone
 * in the handle registry first (so a race between two nodes has one winner), then registers the
 * user; a failure after a claim releases it again.
 */
public final class AccountRoutes extends RouteSupport {
  private final ClusterSharding sharding;
  private final Handles handles;
  private final PasswordHasher hasher;
  private final Executor kdfExecutor;
  private final Duration askTimeout;

  public AccountRoutes(
      Authenticator authenticator,
      ApiSettings settings,
      ActorSystem<?> system,
      PasswordHasher hasher,
      Executor kdfExecutor) {
    super(authenticator, settings);
    this.sharding = ClusterSharding.get(system);
    this.handles = new Handles(system, settings.askTimeout());
    this.hasher = hasher;
    this.kdfExecutor = kdfExecutor;
    this.askTimeout = settings.askTimeout();
  }

  public Route routes() {
    return concat(
        path("accounts", () -> post(() -> jsonBody(body -> respond(createAccount(CreateAccountRequest.from(body)))))),
        pathPrefix(
            "sessions",
            () ->
                concat(
                    pathEnd(
                        () ->
                            concat(
                                post(() -> jsonBody(body -> respond(login(LoginRequest.from(body))))),
                                get(() -> authenticated(caller -> respond(listSessions(caller)))))),
                    path(
                        PathMatchers.segment(),
                        sessionId ->
                            delete(() -> authenticated(caller -> respond(endSession(caller, sessionId))))),
                    path(
                        PathMatchers.segment().slash("push"),
                        sessionId ->
                            concat(
                                put(() -> authenticated(caller -> jsonBody(body -> respond(setPushToken(caller, sessionId, pushToken(body)))))),
                                delete(() -> authenticated(caller -> ignoringBody(() -> respond(setPushToken(caller, sessionId, null))))))))),
        pathPrefix(
            "users",
            () ->
                authenticated(
                    caller ->
                        concat(
                            path(
                                PathMatchers.segment("by-username").slash(PathMatchers.segment()),
                                username -> get(() -> respond(userByUsername(username)))),
                            path(PathMatchers.segment(), userId -> get(() -> respond(user(userId))))))));
  }

  private CompletionStage<HttpResponse> createAccount(CreateAccountRequest req) {
    String userId = Ids.newUserId();
    String sessionId = Ids.newSessionId();
    Tokens.Issued token = Tokens.issue(userId, sessionId);
    List<String> claimed = new ArrayList<>();
    return CompletableFuture.supplyAsync(() -> hasher.hash(req.password()), kdfExecutor)
        .thenCompose(hash -> claim(req.username() == null ? null : HandleEntity.usernameId(req.username()), userId, claimed)
            .thenCompose(x -> claim(req.phone() == null ? null : HandleEntity.phoneId(req.phone()), userId, claimed))
            .thenCompose(
                x ->
                    UserEntity.ref(sharding, userId)
                        .<UserReply>ask(
                            replyTo ->
                                new UserCommand.Register(
                                    req.username(),
                                    req.phone(),
                                    req.displayName(),
                                    hash,
                                    new UserCommand.NewSession(sessionId, req.deviceName(), token.hash()),
                                    replyTo),
                            askTimeout)))
        .thenApply(
            reply -> {
              if (reply instanceof UserReply.Registered r) {
                return Json.created(new SessionResponse(r.userId(), new SessionToken(r.sessionId(), token.token())));
              }
              throw unexpected(reply);
            })
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                claimed.forEach(handle -> handles.release(handle, userId));
              }
            });
  }

  private CompletionStage<Void> claim(String handleId, String userId, List<String> claimed) {
    if (handleId == null) {
      return CompletableFuture.completedFuture(null);
    }
    return handles
        .claim(handleId, userId)
        .thenRun(
            () -> {
              synchronized (claimed) {
                claimed.add(handleId);
              }
            });
  }

  private CompletionStage<HttpResponse> login(LoginRequest req) {
    String login = req.login();
    String handleId;
    if (Limits.isValidPhone(login)) {
      handleId = HandleEntity.phoneId(Limits.canonicalPhone(login));
    } else if (Limits.isValidUsername(login.startsWith("@") ? login.substring(1) : login)) {
      handleId = HandleEntity.usernameId(login.startsWith("@") ? login.substring(1) : login);
    } else {
      return CompletableFuture.failedFuture(invalidLogin());
    }
    return resolve(handleId)
        .thenCompose(
            userId ->
                UserEntity.ref(sharding, userId)
                    .<UserReply>ask(UserCommand.GetCredentials::new, askTimeout))
        .thenComposeAsync(
            reply -> {
              if (!(reply instanceof UserReply.Credentials c)) {
                throw invalidLogin();
              }
              if (!hasher.verify(req.password(), c.passwordHash())) {
                throw invalidLogin();
              }
              String sessionId = Ids.newSessionId();
              Tokens.Issued token = Tokens.issue(c.userId(), sessionId);
              return UserEntity.ref(sharding, c.userId())
                  .<UserReply>ask(
                      replyTo ->
                          new UserCommand.OpenSession(
                              new UserCommand.NewSession(sessionId, req.deviceName(), token.hash()), replyTo),
                      askTimeout)
                  .thenApply(
                      started -> {
                        if (started instanceof UserReply.SessionStarted s) {
                          return Json.created(
                              new SessionResponse(s.userId(), new SessionToken(s.sessionId(), token.token())));
                        }
                        throw unexpected(started);
                      });
            },
            kdfExecutor);
  }

  private static ApiException invalidLogin() {
    return ApiException.unauthorized("login or password is wrong");
  }

  /** The owner of a handle; a free handle fails with {@link #invalidLogin()}. */
  private CompletionStage<String> resolve(String handleId) {
    return handles
        .owner(handleId)
        .thenApply(
            owner -> {
              if (owner == null) {
                throw invalidLogin();
              }
              return owner;
            });
  }

  private CompletionStage<HttpResponse> listSessions(Caller caller) {
    return user(caller.userId(), UserCommand.ListSessions::new)
        .thenApply(
            reply -> {
              if (reply instanceof UserReply.Sessions s) {
                List<SessionItem> items = new ArrayList<>();
                for (UserReply.SessionInfo info : s.sessions()) {
                  items.add(
                      new SessionItem(
                          info.sessionId(),
                          info.deviceName(),
                          Json.time(info.createdAt()),
                          info.sessionId().equals(caller.sessionId())));
                }
                return Json.ok(new SessionsResponse(items));
              }
              throw unexpected(reply);
            });
  }

  /** The gateway's address of one device: opaque to Herald, 1-512 printable characters. */
  private static String pushToken(org.herald.api.common.Body body) {
    String token = body.requiredString("token");
    if (token.isEmpty() || token.length() > 512 || !token.chars().allMatch(c -> c > 32 && c < 127)) {
      throw ApiException.badRequest("token must be 1-512 printable ASCII characters without spaces");
    }
    return token;
  }

  /**
   * Sets or (null) clears where the calling device gets push notifications: a device speaks for
   * itself only, so {@code sessionId} must be the caller's own session.
   */
  private CompletionStage<HttpResponse> setPushToken(Caller caller, String sessionId, String token) {
    if (!sessionId.equals(caller.sessionId())) {
      throw ApiException.notFound("sessionId must name the calling device's own session");
    }
    return user(caller.userId(), replyTo -> new UserCommand.SetPushToken(sessionId, token, replyTo))
        .thenApply(
            reply -> {
              if (reply instanceof UserReply.Ack) {
                return Json.noContent();
              }
              throw unexpected(reply);
            });
  }

  private CompletionStage<HttpResponse> endSession(Caller caller, String sessionId) {
    return user(caller.userId(), replyTo -> new UserCommand.EndSession(sessionId, replyTo))
        .thenApply(
            reply -> {
              if (reply instanceof UserReply.Ack) {
                return Json.noContent();
              }
              throw unexpected(reply);
            });
  }

  private CompletionStage<HttpResponse> user(String userId) {
    if (!Ids.isWellFormed(userId)) {
      return CompletableFuture.failedFuture(ApiException.notFound("no user with this userId"));
    }
    return user(userId, UserCommand.GetProfile::new)
        .thenApply(
            reply -> {
              if (reply instanceof UserReply.Profile p) {
                return Json.ok(new UserResponse(p.userId(), p.username(), p.displayName()));
              }
              throw unexpected(reply);
            });
  }

  private CompletionStage<HttpResponse> userByUsername(String username) {
    if (!Limits.isValidUsername(username)) {
      return CompletableFuture.failedFuture(ApiException.notFound("no user with this username"));
    }
    return handles
        .usernameOwner(username)
        .thenCompose(
            owner -> {
              if (owner != null && MemberSet.isUserId(owner)) {
                return user(owner);
              }
              throw ApiException.notFound("no user with this username");
            });
  }

  private CompletionStage<UserReply> user(
      String userId,
      Function<ActorRef<UserReply>, UserCommand> command) {
    return UserEntity.ref(sharding, userId).ask(command::apply, askTimeout);
  }

  /** A rejection becomes its API error; anything else is a bug and a 500. */
  static RuntimeException unexpected(UserReply reply) {
    if (reply instanceof UserReply.Rejected r) {
      return ApiException.of(r.rejection());
    }
    return new IllegalStateException("unexpected reply " + reply);
  }
}
