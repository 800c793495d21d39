package org.herald.api.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import org.apache.pekko.actor.typed.ActorSystem;
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
import org.herald.api.common.Chats;
import org.herald.api.common.Users;
import org.herald.api.common.Handles;
import org.herald.api.common.Json;
import org.herald.api.common.RouteSupport;
import org.herald.api.sync.SyncState;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatIds;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.chat.Role;
import org.herald.domain.chat.MemberSet;
import org.herald.domain.common.Ids;
import org.herald.domain.common.Limits;
import org.herald.domain.user.UserChatIndex;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserReply;
import org.herald.projection.dialogs.Dialog;
import org.herald.projection.dialogs.DialogsRepository;
import org.herald.projection.history.HistoryRepository;
import org.herald.api.message.ContentOpener;
import org.herald.domain.chat.Message;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import org.herald.projection.sync.SyncRepository;

/**
 * Chats and the dialog list. Opening a direct chat creates the chat entity, then records the
 * chat in both members' user entities (which announces it to their sockets) before answering;
 * every step is idempotent, so a client that retries after a failure completes it.
 */
public final class ChatRoutes extends RouteSupport {
  private static final int MAX_DIALOGS = 5000;

  private final DialogsRepository dialogs;
  private final HistoryRepository history;
  private final ContentOpener opener;
  private final Chats chats;
  private final Users users;
  private final Handles handles;
  private final UserChatIndex index;
  private final SyncRepository sync;

  public ChatRoutes(
      Authenticator authenticator,
      ApiSettings settings,
      ActorSystem<?> system,
      DialogsRepository dialogs,
      SyncRepository sync,
      HistoryRepository history,
      ContentOpener opener) {
    super(authenticator, settings);
    this.sync = sync;
    this.dialogs = dialogs;
    this.history = history;
    this.opener = opener;
    Duration askTimeout = settings.askTimeout();
    this.chats = new Chats(ClusterSharding.get(system), askTimeout);
    this.users = new Users(ClusterSharding.get(system), askTimeout);
    this.handles = new Handles(system, askTimeout);
    this.index = new UserChatIndex(system, askTimeout);
  }

  public Route routes() {
    return concat(
        pathPrefix(
            "chats",
            () ->
                concat(
                    pathEnd(() -> post(() -> authenticated(caller -> jsonBody(body -> respond(create(caller, body)))))),
                    path(
                        PathMatchers.segment("by-username").slash(PathMatchers.segment()),
                        username -> get(() -> authenticated(caller -> respond(byUsername(caller, username))))),
                    path(
                        PathMatchers.segment(),
                        chatId ->
                            concat(
                                get(() -> authenticated(caller -> respond(chat(caller, chatId)))),
                                patch(() -> authenticated(caller -> jsonBody(body -> respond(edit(caller, chatId, body))))))),
                    path(
                        PathMatchers.segment().slash("mute"),
                        chatId ->
                            concat(
                                post(() -> authenticated(caller -> jsonBody(body -> respond(mute(caller, chatId, body))))),
                                delete(() -> authenticated(caller -> respond(unmute(caller, chatId)))))))),
        path(
            "dialogs",
            () ->
                get(
                    () ->
                        authenticated(
                            caller ->
                                parameterOptional(
                                    "limit", limit -> respond(dialogs(caller, boundedParam(limit, "limit", MAX_DIALOGS, MAX_DIALOGS))))))));
  }

  private CompletionStage<HttpResponse> create(Caller caller, Body body) {
    String kind = body.requiredString("kind");
    return switch (kind) {
      case "direct" -> createDirect(caller, body);
      case "group" -> createGroupOrChannel(caller, body, ChatKind.GROUP);
      case "channel" -> createGroupOrChannel(caller, body, ChatKind.CHANNEL);
      default -> throw ApiException.badRequest("kind must be one of direct, group, channel");
    };
  }

  private CompletionStage<HttpResponse> createGroupOrChannel(Caller caller, Body body, ChatKind kind) {
    String title = body.requiredString("title");
    String username = body.optionalString("username");
    boolean isPublic = body.optionalBoolean("public", username != null);
    if (username != null && !Limits.isValidUsername(username)) {
      throw ApiException.badRequest("username must be 5-32 characters of A-Z, a-z, 0-9 and _, starting with a letter");
    }
    if (username != null && !isPublic) {
      throw ApiException.badRequest("username is for public chats: set public to true or leave username out");
    }
    List<String> memberIds = body.optionalStringList("memberIds");
    if (kind == ChatKind.CHANNEL && !memberIds.isEmpty()) {
      throw ApiException.badRequest("memberIds: channels start with their owner; subscribers join or are added");
    }
    String chatId = ChatIds.newId(kind);
    List<String> members = new ArrayList<>(new LinkedHashSet<>(memberIds));
    members.remove(caller.userId());
    return users.requireAll(members, "memberIds")
        .thenCompose(ok -> username == null ? CompletableFuture.completedFuture(null) : handles.claimUsername(username, chatId))
        .thenCompose(
            ok ->
                chats.ask(
                    chatId,
                    ChatReply.ChatCreated.class,
                    replyTo -> new ChatCommand.CreateChat(kind, title, username, isPublic, caller.userId(), memberIds(caller, members), replyTo)))
        .thenCompose(
            created ->
                index.update(chatId, memberIds(caller, members), List.of(), 1)
                    .thenApply(done -> Json.created(ChatResponse.of(created.chat(), caller.userId()))))
        .whenComplete(
            (ok, failure) -> {
              if (username != null && refused(failure)) {
                handles.releaseUsername(username, chatId);
              }
            });
  }

  /**
   * True when a request definitely did not take effect (a client error), so a name claimed for
   * it may be released. After a timeout or an outage the chat may have taken the name: it stays.
   */
  private static boolean refused(Throwable failure) {
    Throwable t = failure;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof ApiException e && e.status().intValue() / 100 == 4;
  }

  private static List<String> memberIds(Caller caller, List<String> others) {
    List<String> all = new ArrayList<>();
    all.add(caller.userId());
    all.addAll(others);
    return all;
  }

  private CompletionStage<HttpResponse> byUsername(Caller caller, String username) {
    if (!Limits.isValidUsername(username)) {
      return CompletableFuture.failedFuture(ApiException.notFound("no chat with this username"));
    }
    return handles
        .usernameOwner(username)
        .thenCompose(
            owner -> {
              if (owner == null || MemberSet.isUserId(owner)) {
                throw ApiException.notFound("no chat with this username");
              }
              return chat(caller, owner);
            });
  }

  private CompletionStage<HttpResponse> edit(Caller caller, String chatId, Body body) {
    String title = body.optionalString("title");
    boolean changeUsername = body.has("username") || body.isExplicitNull("username");
    String username = body.optionalString("username");
    if (title == null && !changeUsername) {
      throw ApiException.badRequest("title or username is required");
    }
    if (username != null && !Limits.isValidUsername(username)) {
      throw ApiException.badRequest("username must be 5-32 characters of A-Z, a-z, 0-9 and _, starting with a letter");
    }
    return chats.ask(chatId, ChatReply.ChatView.class, replyTo -> new ChatCommand.GetChat(caller.userId(), replyTo))
        .thenCompose(
            before -> {
              if (changeUsername && username != null && !before.isPublic()) {
                throw ApiException.badRequest("username is for public chats");
              }
              // Only an admin's edit claims a name (anyone else is refused by the chat anyway).
              boolean admin = before.myRole() == Role.OWNER || before.myRole() == Role.ADMIN;
              boolean claims = admin && changeUsername && username != null && !username.equalsIgnoreCase(String.valueOf(before.username()));
              CompletionStage<Void> claimed = claims ? handles.claimUsername(username, chatId) : CompletableFuture.completedFuture(null);
              return claimed
                  .thenCompose(ok -> chats.ask(chatId, ChatReply.Ack.class, replyTo -> new ChatCommand.EditChat(caller.userId(), title, changeUsername, username, replyTo)))
                  .whenComplete(
                      (ack, failure) -> {
                        if (claims && refused(failure)) {
                          handles.releaseUsername(username, chatId);
                        } else if (failure == null && changeUsername && before.username() != null
                            && !before.username().equalsIgnoreCase(String.valueOf(username))) {
                          handles.releaseUsername(before.username(), chatId);
                        }
                      })
                  .thenCompose(ack -> chat(caller, chatId));
            });
  }

  private CompletionStage<HttpResponse> mute(Caller caller, String chatId, Body body) {
    String until = body.optionalString("until");
    Instant untilInstant;
    try {
      untilInstant = until == null ? null : Instant.parse(until);
    } catch (java.time.format.DateTimeParseException e) {
      throw ApiException.badRequest("until must be an ISO-8601 UTC time such as 2026-11-21T10:15:30.123Z");
    }
    return users.ask(caller.userId(), replyTo -> new UserCommand.MuteChat(chatId, untilInstant, replyTo))
        .thenApply(ack -> Json.noContent());
  }

  private CompletionStage<HttpResponse> unmute(Caller caller, String chatId) {
    return users.ask(caller.userId(), replyTo -> new UserCommand.UnmuteChat(chatId, replyTo))
        .thenApply(ack -> Json.noContent());
  }

  private CompletionStage<HttpResponse> createDirect(Caller caller, Body body) {
    String peerId = body.requiredString("userId");
    if (!Ids.isWellFormed(peerId)) {
      throw ApiException.notFound("userId names no user");
    }
    if (peerId.equals(caller.userId())) {
      throw ApiException.badRequest("userId must be another user than yourself");
    }
    String chatId = ChatIds.direct(caller.userId(), peerId);
    List<String> members = List.of(caller.userId(), peerId);
    return users.requireAll(List.of(peerId), "userId")
        .thenCompose(
            ok ->
                chats.ask(
                    chatId,
                    ChatReply.ChatCreated.class,
                    replyTo -> new ChatCommand.CreateChat(ChatKind.DIRECT, null, null, false, caller.userId(), members, replyTo)))
        .thenCompose(created -> index.update(chatId, members, List.of(), 1).thenApply(done -> created))
        .thenApply(
            created -> {
              ChatResponse response = ChatResponse.of(created.chat(), caller.userId());
              return created.created() ? Json.created(response) : Json.ok(response);
            });
  }

  private CompletionStage<HttpResponse> chat(Caller caller, String chatId) {
    return chats.ask(chatId, ChatReply.ChatView.class, replyTo -> new ChatCommand.GetChat(caller.userId(), replyTo))
        .thenApply(view -> Json.ok(ChatResponse.of(view, caller.userId())));
  }

  /**
   * The read model's rows, with each chat's mute setting from the user's own entity, and the
   * sync state to start differences from (taken first: every change at or below it is in rows).
   */
  private CompletionStage<HttpResponse> dialogs(Caller caller, int limit) {
    Instant now = Instant.now();
    return SyncState.current(sync)
        .thenCompose(
            state ->
                users.ask(caller.userId(), UserCommand.ListChats::new)
                    .thenCombine(
                        dialogs.dialogsOf(caller.userId(), limit).thenCompose(this::withOpenPreviews),
                        (reply, list) -> {
                          var mutes = ((UserReply.ChatList) reply).mutedUntil();
                          return Json.ok(
                              new DialogsResponse(
                                  list.stream().map(d -> DialogDto.of(d, mutes.get(d.chatId()), now)).toList(), state));
                        }));
  }

  /**
   * Each dialog's preview, opened with one key lookup for the page. A dialog whose previewed
   * message was deleted (or changed while this ran) previews the latest message left, from the
   * history read model: one query per such dialog, which is rare.
   */
  private CompletionStage<List<Dialog>> withOpenPreviews(List<Dialog> list) {
    List<String> chatIds = list.stream().map(Dialog::chatId).toList();
    return opener
        .eachOrNull(chatIds, list.stream().map(Dialog::lastMessage).toList())
        .thenCompose(
            previews -> {
              List<CompletableFuture<Dialog>> each = new ArrayList<>(list.size());
              for (int i = 0; i < list.size(); i++) {
                Dialog d = list.get(i);
                Message preview = previews.get(i);
                CompletionStage<Message> shown =
                    preview != null || d.lastMessageId() == 0
                        ? CompletableFuture.completedFuture(preview)
                        : history.latestMessage(d.chatId())
                            .thenCompose(m -> opener.eachOrNull(List.of(d.chatId()), java.util.Collections.singletonList(m)))
                            .thenApply(opened -> opened.get(0));
                each.add(shown.thenApply(d::withLastMessage).toCompletableFuture());
              }
              return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                  .thenApply(done -> each.stream().map(CompletableFuture::join).toList());
            });
  }

}
