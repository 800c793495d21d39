package org.herald.api.chat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.chat.dto.ChatDtos.ChatResponse;
import org.herald.api.common.ApiException;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Body;
import org.herald.api.common.Caller;
import org.herald.api.common.Chats;
import org.herald.api.common.Users;
import org.herald.api.common.Json;
import org.herald.api.common.RouteSupport;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.chat.Role;
import org.herald.domain.common.Ids;
import org.herald.domain.user.UserChatIndex;

/**
 * Membership of groups and channels: adding and joining, invite links, leaving, removing and
 * banning, roles and ownership. Every change is decided by the chat entity; the route then
 * records it in the members' chat indexes (see {@link UserChatIndex}) before answering.
 */
public final class MemberRoutes extends RouteSupport {
  /** At most this many users per bulk add request. */
  public static final int MAX_BULK_ADD = 1000;

  private final Chats chats;
  private final Users users;
  private final UserChatIndex index;

  public MemberRoutes(Authenticator authenticator, ApiSettings settings, ActorSystem<?> system) {
    super(authenticator, settings);
    Duration timeout = settings.askTimeout();
    this.chats = new Chats(ClusterSharding.get(system), timeout);
    this.users = new Users(ClusterSharding.get(system), timeout);
    this.index = new UserChatIndex(system, timeout);
  }

  public Route routes() {
    return pathPrefix(
        "chats",
        () ->
            concat(
                path("join", () -> post(() -> authenticated(caller -> jsonBody(body -> respond(joinByInvite(caller, body)))))),
                pathPrefix(PathMatchers.segment(), this::chatRoutes)));
  }

  private Route chatRoutes(String chatId) {
    return concat(
        path("members", () -> post(() -> authenticated(caller -> jsonBody(body -> respond(addOrJoin(caller, chatId, body)))))),
        path(
            PathMatchers.segment("members").slash(PathMatchers.segment()),
            userId ->
                delete(() -> authenticated(caller -> parameterOptional("ban", ban -> respond(remove(caller, chatId, userId, flag(ban))))))),
        path(
            PathMatchers.segment("members").slash(PathMatchers.segment()).slash("role"),
            userId -> put(() -> authenticated(caller -> jsonBody(body -> respond(setRole(caller, chatId, userId, body)))))),
        path("leave", () -> post(() -> ignoringBody(() -> authenticated(caller -> respond(leave(caller, chatId)))))),
        path("owner", () -> post(() -> authenticated(caller -> jsonBody(body -> respond(transfer(caller, chatId, body)))))),
        path(
            "bans",
            () -> post(() -> authenticated(caller -> jsonBody(body -> respond(remove(caller, chatId, body.requiredString("userId"), true)))))),
        path(
            PathMatchers.segment("bans").slash(PathMatchers.segment()),
            userId -> delete(() -> authenticated(caller -> respond(unban(caller, chatId, userId))))),
        path(
            "invites",
            () ->
                concat(
                    post(() -> ignoringBody(() -> authenticated(caller -> respond(createInvite(caller, chatId))))),
                    get(() -> authenticated(caller -> respond(listInvites(caller, chatId)))))),
        path(
            PathMatchers.segment("invites").slash(PathMatchers.segment()),
            token -> delete(() -> authenticated(caller -> respond(revokeInvite(caller, chatId, token))))));
  }

  private static boolean flag(Optional<String> value) {
    if (value.isEmpty()) {
      return false;
    }
    return switch (value.get()) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw ApiException.badRequest("ban must be true or false");
    };
  }

  /** {@code {"userId"}} or {@code {"userIds": [...]}} adds (admins); {@code {}} or {@code {"inviteToken"}} joins. */
  private CompletionStage<HttpResponse> addOrJoin(Caller caller, String chatId, Body body) {
    String userId = body.optionalString("userId");
    if (userId != null && body.has("userIds")) {
      throw ApiException.badRequest("give userId or userIds, not both");
    }
    List<String> userIds = userId != null ? List.of(userId) : body.optionalStringList("userIds");
    if (body.has("userIds") && userIds.isEmpty()) {
      throw ApiException.badRequest("userIds must not be empty");
    }
    if (userIds.size() > MAX_BULK_ADD) {
      throw ApiException.badRequest("userIds: at most " + MAX_BULK_ADD + " users per request");
    }
    if (!userIds.isEmpty() && !(userIds.size() == 1 && userIds.get(0).equals(caller.userId()))) {
      List<String> adding = userIds;
      return users.requireAll(adding, userId != null ? "userId" : "userIds")
          .thenCompose(ok -> chats.ask(chatId, ChatReply.MembershipChanged.class, replyTo -> new ChatCommand.AddMembers(caller.userId(), adding, replyTo)))
          .thenCompose(change -> index.update(chatId, change.joined(), change.left(), change.version()))
          .thenApply(done -> Json.noContent());
    }
    return join(caller, chatId, body.optionalString("inviteToken")).thenApply(change -> Json.noContent());
  }

  private CompletionStage<ChatReply.MembershipChanged> join(Caller caller, String chatId, String inviteToken) {
    return chats.ask(chatId, ChatReply.MembershipChanged.class, replyTo -> new ChatCommand.Join(caller.userId(), inviteToken, replyTo))
        .thenCompose(change -> index.update(chatId, change.joined(), change.left(), change.version()).thenApply(done -> change));
  }

  /** Invite tokens are {@code <chatId>.<secret>}: the link itself says which chat it opens. */
  private CompletionStage<HttpResponse> joinByInvite(Caller caller, Body body) {
    String token = body.requiredString("inviteToken");
    int dot = token.indexOf('.');
    String chatId = dot > 0 ? token.substring(0, dot) : "";
    if (!Ids.isWellFormed(chatId)) {
      throw new ApiException(
          org.apache.pekko.http.javadsl.model.StatusCodes.NOT_FOUND, "NOT_FOUND", "inviteToken is invalid or was revoked", "INVITE_INVALID", null);
    }
    return join(caller, chatId, token)
        .thenCompose(change -> chats.ask(chatId, ChatReply.ChatView.class, replyTo -> new ChatCommand.GetChat(caller.userId(), replyTo)))
        .thenApply(view -> Json.ok(ChatResponse.of(view, caller.userId())));
  }

  private CompletionStage<HttpResponse> leave(Caller caller, String chatId) {
    return chats.ask(chatId, ChatReply.MembershipChanged.class, replyTo -> new ChatCommand.Leave(caller.userId(), replyTo))
        .thenCompose(change -> index.update(chatId, change.joined(), change.left(), change.version()))
        .thenApply(done -> Json.noContent());
  }

  private CompletionStage<HttpResponse> remove(Caller caller, String chatId, String userId, boolean ban) {
    return chats.ask(chatId, ChatReply.MembershipChanged.class, replyTo -> new ChatCommand.RemoveMember(caller.userId(), userId, ban, replyTo))
        .thenCompose(change -> index.update(chatId, change.joined(), change.left(), change.version()))
        .thenApply(done -> Json.noContent());
  }

  private CompletionStage<HttpResponse> unban(Caller caller, String chatId, String userId) {
    return chats.ask(chatId, ChatReply.Ack.class, replyTo -> new ChatCommand.Unban(caller.userId(), userId, replyTo))
        .thenApply(ack -> Json.noContent());
  }

  private CompletionStage<HttpResponse> setRole(Caller caller, String chatId, String userId, Body body) {
    Role role =
        switch (body.requiredString("role")) {
          case "admin" -> Role.ADMIN;
          case "member" -> Role.MEMBER;
          default -> throw ApiException.badRequest("role must be admin or member (ownership is transferred with POST …/owner)");
        };
    return chats.ask(chatId, ChatReply.Ack.class, replyTo -> new ChatCommand.SetRole(caller.userId(), userId, role, replyTo))
        .thenApply(ack -> Json.noContent());
  }

  private CompletionStage<HttpResponse> transfer(Caller caller, String chatId, Body body) {
    String userId = body.requiredString("userId");
    return chats.ask(chatId, ChatReply.Ack.class, replyTo -> new ChatCommand.TransferOwnership(caller.userId(), userId, replyTo))
        .thenApply(ack -> Json.noContent());
  }

  private CompletionStage<HttpResponse> createInvite(Caller caller, String chatId) {
    String token = chatId + "." + Ids.random(22);
    return chats.ask(chatId, ChatReply.Invites.class, replyTo -> new ChatCommand.CreateInvite(caller.userId(), token, replyTo))
        .thenApply(invites -> Json.created(Map.of("inviteToken", token)));
  }

  private CompletionStage<HttpResponse> listInvites(Caller caller, String chatId) {
    return chats.ask(chatId, ChatReply.Invites.class, replyTo -> new ChatCommand.ListInvites(caller.userId(), replyTo))
        .thenApply(invites -> Json.ok(Map.of("invites", invites.tokens().stream().map(t -> Map.of("inviteToken", t)).toList())));
  }

  private CompletionStage<HttpResponse> revokeInvite(Caller caller, String chatId, String token) {
    return chats.ask(chatId, ChatReply.Ack.class, replyTo -> new ChatCommand.RevokeInvite(caller.userId(), token, replyTo))
        .thenApply(ack -> Json.noContent());
  }
}
