package org.herald.api.message;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.common.ApiException;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Caller;
import org.herald.api.common.Chats;
import org.herald.api.common.Json;
import org.herald.api.common.RouteSupport;
import org.herald.api.message.dto.MessageDtos.EditMessageRequest;
import org.herald.api.message.dto.MessageDtos.EditedResponse;
import org.herald.api.message.dto.MessageDtos.MessagesResponse;
import org.herald.api.message.dto.MessageDtos.SendMessageRequest;
import org.herald.api.message.dto.MessageDtos.SentResponse;
import org.herald.api.message.dto.MessageDtos.UpdatesResponse;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.chat.ChatIds;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.Message;
import org.herald.projection.views.ViewsProjection;
import org.herald.domain.common.Limits;
import org.herald.projection.history.HistoryRepository;

/**
 * Messages of a chat: send, history, read marks and per-chat catch-up. History and updates come
 * from the chat entity's recent window (read-your-writes) and, for older pages, from the history
 * read model.
 */
public final class MessageRoutes extends RouteSupport {
  private final Chats chats;
  private final Messaging messaging;
  private final HistoryRepository history;
  private final ContentOpener opener;
  private final ScheduledRoutes scheduled;
  private final ViewsProjection.Repository views;

  public MessageRoutes(
      Authenticator authenticator,
      ApiSettings settings,
      Chats chats,
      Messaging messaging,
      HistoryRepository history,
      ContentOpener opener,
      ScheduledRoutes scheduled,
      ViewsProjection.Repository views) {
    super(authenticator, settings);
    this.chats = chats;
    this.messaging = messaging;
    this.history = history;
    this.opener = opener;
    this.scheduled = scheduled;
    this.views = views;
  }

  public Route routes() {
    return pathPrefix(
        PathMatchers.segment("chats").slash(PathMatchers.segment()),
        chatId ->
            concat(
                path(
                    "messages",
                    () ->
                        concat(
                            post(
                                () ->
                                    extract(
                                        // When the request arrived: the send latency starts here.
                                        ctx -> System.nanoTime(),
                                        received ->
                                            authenticated(
                                                caller ->
                                                    jsonBody(body -> respond(send(caller, chatId, SendMessageRequest.from(body), received)))))),
                            get(
                                () ->
                                    authenticated(
                                        caller ->
                                            parameterOptional(
                                                "afterId",
                                                afterId ->
                                                    parameterOptional(
                                                        "beforeId",
                                                        beforeId ->
                                                            parameterOptional(
                                                                "limit",
                                                                limit ->
                                                                    respond(
                                                                        history(
                                                                            caller,
                                                                            chatId,
                                                                            longParam(afterId, "afterId", 0),
                                                                            longParam(beforeId, "beforeId", 0),
                                                                            boundedParam(limit, "limit", Limits.DEFAULT_HISTORY_PAGE, Limits.MAX_HISTORY_PAGE)))))))))),
                path(
                    PathMatchers.segment("messages").slash(PathMatchers.segment()),
                    messageId ->
                        concat(
                            patch(() -> authenticated(caller -> jsonBody(body -> respond(edit(caller, chatId, positiveId(messageId, "messageId"), EditMessageRequest.from(body)))))),
                            delete(() -> authenticated(caller -> ignoringBody(() -> respond(delete(caller, chatId, positiveId(messageId, "messageId")))))))),
                path("read", () -> post(() -> authenticated(caller -> jsonBody(body -> respond(read(caller, chatId, body.requiredLong("upToMessageId"))))))),
                path(
                    "updates",
                    () ->
                        get(
                            () ->
                                authenticated(
                                    caller ->
                                        parameterOptional(
                                            "afterPts",
                                            afterPts ->
                                                parameterOptional(
                                                    "limit",
                                                    limit ->
                                                        respond(
                                                            updates(
                                                                caller,
                                                                chatId,
                                                                longParam(afterPts, "afterPts", 0),
                                                                boundedParam(limit, "limit", Limits.DEFAULT_UPDATES_PAGE, Limits.MAX_UPDATES_PAGE))))))))));
  }

  private CompletionStage<HttpResponse> send(Caller caller, String chatId, SendMessageRequest req, long receivedNanos) {
    if (req.scheduleAt() != null) {
      return scheduled.schedule(caller, chatId, req);
    }
    return messaging
        .send(caller, chatId, req, Messaging.Transport.HTTP, receivedNanos)
        .thenApply(a -> Json.created(new SentResponse(a.messageId(), a.pts(), Json.time(a.date()))));
  }

  /**
   * Edits or deletes: the chat decides from its recent window; for an older message it asks for
   * the read model's copy, and the command is repeated with it.
   */
  private <T extends ChatReply> CompletionStage<T> changeMessage(
      String chatId, long messageId, Class<T> expected, java.util.function.BiFunction<Message, org.apache.pekko.actor.typed.ActorRef<ChatReply>, ChatCommand> command) {
    return chats.ask(chatId, ChatReply.class, replyTo -> command.apply(null, replyTo))
        .thenCompose(
            reply -> {
              if (expected.isInstance(reply)) {
                return CompletableFuture.completedFuture(expected.cast(reply));
              }
              if (!(reply instanceof ChatReply.MessageNeeded needed)) {
                throw Chats.unexpected(reply);
              }
              return history
                  .message(chatId, messageId, needed.appliedPts())
                  .thenApply(known -> known.orElseThrow(MessageRoutes::projectionBehind))
                  .thenCompose(known -> chats.ask(chatId, expected, replyTo -> command.apply(known, replyTo)));
            });
  }

  private CompletionStage<HttpResponse> edit(Caller caller, String chatId, long messageId, EditMessageRequest req) {
    return changeMessage(chatId, messageId, ChatReply.MessageEdited.class,
            (known, replyTo) -> new ChatCommand.EditMessage(caller.userId(), messageId, req.text(), known, replyTo))
        .thenApply(e -> Json.ok(new EditedResponse(e.messageId(), e.pts(), Json.time(e.editDate()))));
  }

  private CompletionStage<HttpResponse> delete(Caller caller, String chatId, long messageId) {
    return changeMessage(chatId, messageId, ChatReply.Ack.class,
            (known, replyTo) -> new ChatCommand.DeleteMessage(caller.userId(), messageId, known, replyTo))
        .thenApply(ack -> Json.noContent());
  }

  private CompletionStage<HttpResponse> read(Caller caller, String chatId, long upTo) {
    if (upTo < 0) {
      throw ApiException.badRequest("upToMessageId must not be negative");
    }
    return chats.ask(chatId, ChatReply.Ack.class, replyTo -> new ChatCommand.MarkRead(caller.userId(), upTo, replyTo))
        .thenApply(ack -> Json.noContent());
  }

  private CompletionStage<HttpResponse> history(Caller caller, String chatId, long afterId, long beforeId, int limit) {
    return chats.ask(chatId, ChatReply.History.class, replyTo -> new ChatCommand.GetHistory(caller.userId(), afterId, beforeId, limit, replyTo))
        .thenCompose(
            h ->
                withColdPart(h.fromId(), h.toId(), h.windowFirstMessageId(), h.messages(),
                      (from, to) -> history.messages(chatId, from, to))
                  .thenCompose(all -> opener.messages(chatId, all))
                  .thenCompose(all -> viewsOf(chatId, all.stream().map(Message::messageId).toList())
                      .thenApply(counts -> Json.ok(MessagesResponse.of(all, counts)))));
  }

  private CompletionStage<HttpResponse> updates(Caller caller, String chatId, long afterPts, int limit) {
    return chats.ask(chatId, ChatReply.Updates.class, replyTo -> new ChatCommand.GetUpdates(caller.userId(), afterPts, limit, replyTo))
        .thenCompose(
            u ->
                withColdPart(u.fromPts(), u.toPts(), u.windowFirstPts(), u.updates(),
                      (from, to) -> history.updates(chatId, from, to))
                  .thenCompose(opener::updates)
                  .thenCompose(all -> viewsOf(chatId, all.stream().map(ChatUpdate::messageOf).filter(java.util.Objects::nonNull).map(Message::messageId).toList())
                      .thenApply(counts -> Json.ok(UpdatesResponse.of(all, u.pts(), counts)))));
  }

  /** The counted views of these posts; null (not shown) in direct chats. */
  private CompletionStage<java.util.Map<Long, Long>> viewsOf(String chatId, List<Long> messageIds) {
    if (!ChatIds.countsViews(chatId)) {
      return CompletableFuture.completedFuture(null);
    }
    return views.views(chatId, messageIds);
  }

  /**
   * The page {@code from..to} (numbers without gaps): the part below the entity's window comes
   * from the history read model, the rest from the entity. A cold part with holes means the
   * projection is behind, and the client is asked to retry rather than shown a gap.
   */
  private static <T> CompletionStage<List<T>> withColdPart(
      long from, long to, long windowFirst, List<T> warm, BiFunction<Long, Long, CompletionStage<List<T>>> cold) {
    long coldTo = Math.min(to, windowFirst - 1);
    if (from > coldTo) {
      return CompletableFuture.completedFuture(warm);
    }
    return cold.apply(from, coldTo)
        .thenApply(
            rows -> {
              if (rows.size() < coldTo - from + 1) {
                throw projectionBehind();
              }
              List<T> all = new ArrayList<>(rows);
              all.addAll(warm);
              return all;
            });
  }

  /** Older pages come from the history read model, which has not caught up yet. */
  private static ApiException projectionBehind() {
    return ApiException.unavailable("older history is still being indexed; retry shortly", 1);
  }
}
