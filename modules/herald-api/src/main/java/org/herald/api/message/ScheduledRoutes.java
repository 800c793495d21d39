package org.herald.api.message;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Caller;
import org.herald.api.common.Chats;
import org.herald.api.common.Json;
import org.herald.api.common.RouteSupport;
import org.herald.api.message.dto.MessageDtos.EditScheduledRequest;
import org.herald.api.message.dto.MessageDtos.ScheduledListResponse;
import org.herald.api.message.dto.MessageDtos.ScheduledPostDto;
import org.herald.api.message.dto.MessageDtos.SendMessageRequest;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatReply;

/**
 * Scheduled posts: {@code POST …/messages} with {@code scheduleAt} schedules (see
 * {@link MessageRoutes}); {@code GET …/scheduled} lists the pending ones, {@code PATCH} and
 * {@code DELETE …/scheduled/{scheduledId}} change or cancel one until it fires. The chat entity
 * holds them (sealed) and the scheduler publishes them; see ARCHITECTURE.md.
 */
public final class ScheduledRoutes extends RouteSupport {
  private final Chats chats;
  private final ContentOpener opener;

  public ScheduledRoutes(Authenticator authenticator, ApiSettings settings, Chats chats, ContentOpener opener) {
    super(authenticator, settings);
    this.chats = chats;
    this.opener = opener;
  }

  public Route routes() {
    return pathPrefix(
        PathMatchers.segment("chats").slash(PathMatchers.segment()),
        chatId ->
            concat(
                path("scheduled", () -> get(() -> authenticated(caller -> respond(list(caller, chatId))))),
                path(
                    PathMatchers.segment("scheduled").slash(PathMatchers.segment()),
                    id ->
                        concat(
                            patch(() -> authenticated(caller -> jsonBody(body -> respond(edit(caller, chatId, positiveId(id, "scheduledId"), EditScheduledRequest.from(body)))))),
                            delete(() -> authenticated(caller -> ignoringBody(() -> respond(cancel(caller, chatId, positiveId(id, "scheduledId"))))))))));
  }

  /** Called by {@link MessageRoutes} for a send with {@code scheduleAt}: 201 with the pending post. */
  CompletionStage<HttpResponse> schedule(Caller caller, String chatId, SendMessageRequest req) {
    return chats.ask(chatId, ChatReply.Scheduled.class,
            replyTo -> new ChatCommand.SchedulePost(
                caller.userId(), req.clientMessageId(), req.text(), req.silent(), req.replyToMessageId(), req.scheduleAt(), replyTo))
        .thenCompose(s -> opened(chatId, s.post()))
        .thenApply(Json::created);
  }

  private CompletionStage<HttpResponse> list(Caller caller, String chatId) {
    return chats.ask(chatId, ChatReply.ScheduledList.class, replyTo -> new ChatCommand.ListScheduled(caller.userId(), replyTo))
        .thenCompose(l -> opener.scheduled(chatId, l.posts()))
        .thenApply(posts -> Json.ok(new ScheduledListResponse(posts.stream().map(ScheduledPostDto::of).toList())));
  }

  private CompletionStage<HttpResponse> edit(Caller caller, String chatId, long scheduledId, EditScheduledRequest req) {
    return chats.ask(chatId, ChatReply.Scheduled.class,
            replyTo -> new ChatCommand.EditScheduled(caller.userId(), scheduledId, req.text(), req.scheduleAt(), replyTo))
        .thenCompose(s -> opened(chatId, s.post()))
        .thenApply(Json::ok);
  }

  private CompletionStage<HttpResponse> cancel(Caller caller, String chatId, long scheduledId) {
    return chats.ask(chatId, ChatReply.Ack.class, replyTo -> new ChatCommand.CancelScheduled(caller.userId(), scheduledId, replyTo))
        .thenApply(ack -> Json.noContent());
  }

  private CompletionStage<ScheduledPostDto> opened(String chatId, org.herald.domain.chat.ScheduledPost post) {
    return opener.scheduled(chatId, java.util.List.of(post)).thenApply(l -> ScheduledPostDto.of(l.get(0)));
  }
}
