package org.herald.api.chat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.chat.dto.ChatDtos.ChatResponse;
import org.herald.api.chat.dto.ChatDtos.DialogDto;
import org.herald.api.chat.dto.ChatDtos.DialogsResponse;
import org.herald.api.common.ApiException;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Body;
import org.herald.api.common.Caller;
import org.herald.api.common.Json;
import org.herald.api.common.RouteSupport;
import org.herald.api.message.Messaging;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatIds;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.common.Ids;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserReply;
import org.herald.projection.dialogs.DialogsRepository;

/**
 * Chats and the dialog list. Opening a direct chat creates the chat entity, then records the
 * chat in both members' user entities (which announces it to their sockets) before answering;
 * every step is idempotent, so a client that retries after a failure completes it.
 */
public final class ChatRoutes extends RouteSupport {
  private static final int MAX_DIALOGS = 5000;

  private final ClusterSharding sharding;
  private final DialogsRepository dialogs;
  private final Duration askTimeout;

  public ChatRoutes(
      Authenticator authenticator, ApiSettings settings, ClusterSharding sharding, DialogsRepository dialogs) {
    super(authenticator, settings);
    this.sharding = sharding;
    this.dialogs = dialogs;
    this.askTimeout = settings.askTimeout();
  }

  public Route routes() {
    return concat(
        pathPrefix(
            "chats",
            () ->
                concat(
                    pathEnd(() -> post(() -> authenticated(caller -> jsonBody(body -> respond(create(caller, body)))))),
                    path(PathMatchers.segment(), chatId -> get(() -> authenticated(caller -> respond(chat(caller, chatId))))))),
        path(
            "dialogs",
            () ->
                get(
                    () ->
                        authenticated(
                            caller ->
                                parameterOptional(
                                    "limit", limit -> respond(dialogs(caller, dialogLimit(limit))))))));
  }

  private static int dialogLimit(Optional<String> value) {
    long limit = longParam(value, "limit", MAX_DIALOGS);
    if (limit < 1 || limit > MAX_DIALOGS) {
      throw ApiException.badRequest("limit must be between 1 and " + MAX_DIALOGS);
    }
    return (int) limit;
  }

  private CompletionStage<HttpResponse> create(Caller caller, Body body) {
    String kind = body.requiredString("kind");
    if (!kind.equals("direct")) {
      if (kind.equals("group") || kind.equals("channel")) {
        throw ApiException.badRequest("kind '" + kind + "' is not available yet; use kind 'direct'");
      }
      throw ApiException.badRequest("kind must be one of direct, group, channel");
    }
    String peerId = body.requiredString("userId");
    if (!Ids.isWellFormed(peerId)) {
      throw ApiException.notFound("userId names no user");
    }
    if (peerId.equals(caller.userId())) {
      throw ApiException.badRequest("userId must be another user than yourself");
    }
    String chatId = ChatIds.direct(caller.userId(), peerId);
    return UserEntity.ref(sharding, peerId)
        .<UserReply>ask(UserCommand.GetProfile::new, askTimeout)
        .thenCompose(
            profile -> {
              if (!(profile instanceof UserReply.Profile)) {
                throw ApiException.notFound("userId names no user");
              }
              return ChatEntity.ref(sharding, chatId)
                  .<ChatReply>ask(
                      replyTo ->
                          new ChatCommand.CreateChat(
                              ChatKind.DIRECT, null, null, false, caller.userId(), List.of(caller.userId(), peerId), replyTo),
                      askTimeout);
            })
        .thenCompose(
            reply -> {
              if (!(reply instanceof ChatReply.ChatCreated created)) {
                throw Messaging.unexpected(reply);
              }
              return recordChat(caller.userId(), chatId)
                  .thenCombine(recordChat(peerId, chatId), (a, b) -> created);
            })
        .thenApply(
            created -> {
              ChatResponse body1 = ChatResponse.of(created.chat(), caller.userId());
              return created.created() ? Json.created(body1) : Json.ok(body1);
            });
  }

  private CompletionStage<Void> recordChat(String userId, String chatId) {
    return UserEntity.ref(sharding, userId)
        .<UserReply>ask(replyTo -> new UserCommand.RecordChat(chatId, 1, replyTo), askTimeout)
        .thenApply(
            reply -> {
              if (reply instanceof UserReply.Ack) {
                return null;
              }
              throw new IllegalStateException("could not record chat " + chatId + " for " + userId + ": " + reply);
            });
  }

  private CompletionStage<HttpResponse> chat(Caller caller, String chatId) {
    if (!Ids.isWellFormed(chatId)) {
      return CompletableFuture.failedFuture(ApiException.notFound("chat not found"));
    }
    return ChatEntity.ref(sharding, chatId)
        .<ChatReply>ask(replyTo -> new ChatCommand.GetChat(caller.userId(), replyTo), askTimeout)
        .thenApply(
            reply -> {
              if (reply instanceof ChatReply.ChatView v) {
                return Json.ok(ChatResponse.of(v, caller.userId()));
              }
              throw Messaging.unexpected(reply);
            });
  }

  private CompletionStage<HttpResponse> dialogs(Caller caller, int limit) {
    return dialogs
        .dialogsOf(caller.userId(), limit)
        .thenApply(list -> Json.ok(new DialogsResponse(list.stream().map(DialogDto::of).toList())));
  }
}
