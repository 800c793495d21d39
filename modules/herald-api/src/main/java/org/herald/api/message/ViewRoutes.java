package org.herald.api.message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.common.ApiException;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Body;
import org.herald.api.common.Caller;
import org.herald.api.common.Chats;
import org.herald.api.common.Json;
import org.herald.api.common.RouteSupport;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Rejection;
import org.herald.domain.views.PostViews;
import org.herald.domain.views.ViewsCommand;

/**
 * {@code POST /v1/chats/{chatId}/views}: a client reports the posts it displayed. Each post's
 * counter is its own entity ({@link PostViews}), so a hot post never waits behind its chat; the
 * chat is asked only whether the caller may read it and how far its messages go.
 */
public final class ViewRoutes extends RouteSupport {
  /** At most this many posts per report, as on Telegram. */
  public static final int MAX_IDS = 100;

  private final Chats chats;
  private final ClusterSharding sharding;
  private final Duration timeout;

  public ViewRoutes(Authenticator authenticator, ApiSettings settings, Chats chats, ClusterSharding sharding) {
    super(authenticator, settings);
    this.chats = chats;
    this.sharding = sharding;
    this.timeout = settings.askTimeout();
  }

  public record ViewCount(long messageId, long views) {}

  public record ViewsResponse(List<ViewCount> views) {}

  public Route routes() {
    return path(
        PathMatchers.segment("chats").slash(PathMatchers.segment()).slash("views"),
        chatId -> post(() -> authenticated(caller -> jsonBody(body -> respond(report(caller, chatId, messageIds(body)))))));
  }

  private static List<Long> messageIds(Body body) {
    List<Long> ids = body.optionalLongList("messageIds").stream().distinct().toList();
    if (ids.isEmpty() || ids.size() > MAX_IDS) {
      throw ApiException.badRequest("messageIds must list 1-" + MAX_IDS + " message ids");
    }
    if (ids.stream().anyMatch(id -> id < 1)) {
      throw ApiException.badRequest("messageIds must be positive message ids");
    }
    return ids;
  }

  private CompletionStage<HttpResponse> report(Caller caller, String chatId, List<Long> ids) {
    return chats.ask(chatId, ChatReply.ChatView.class, replyTo -> new ChatCommand.GetChat(caller.userId(), replyTo))
        .thenCompose(
            chat -> {
              if (chat.kind() == ChatKind.DIRECT) {
                throw ApiException.of(
                    Rejection.of(ErrorCode.CHAT_KIND_MISMATCH, "views are counted in groups and channels, not direct chats"));
              }
              for (long id : ids) {
                if (id > chat.lastMessageId()) {
                  throw ApiException.of(
                      Rejection.onField(ErrorCode.MESSAGE_NOT_FOUND, "messageIds", "messageIds: " + id + " names no message of this chat"));
                }
              }
              List<CompletableFuture<ViewCount>> counted = new ArrayList<>(ids.size());
              for (long id : ids) {
                counted.add(
                    PostViews.ref(sharding, chatId, id)
                        .<ViewsCommand.Counted>ask(replyTo -> new ViewsCommand.RecordView(caller.userId(), replyTo), timeout)
                        .thenApply(c -> new ViewCount(id, c.views()))
                        .toCompletableFuture());
              }
              return CompletableFuture.allOf(counted.toArray(CompletableFuture[]::new))
                  .thenApply(done -> Json.ok(new ViewsResponse(counted.stream().map(CompletableFuture::join).toList())));
            });
  }
}
