package org.herald.api.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.common.ApiException;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Caller;
import org.herald.api.common.Json;
import org.herald.api.common.RouteSupport;
import org.herald.api.message.ContentOpener;
import org.herald.api.message.dto.MessageDtos;
import org.herald.api.message.dto.MessageDtos.UpdateDto;
import org.herald.projection.history.HistoryRepository;
import org.herald.projection.sync.SyncRepository;
import org.herald.projection.sync.SyncRepository.ChangedChat;

/**
 * Catch-up for a device that was offline, in the spirit of Telegram's updates.getDifference:
 * given the state it last saw, which chats changed, with their updates (or "too long: reload
 * this chat"), which it joined and which it left; paged, and cheap when few of many chats
 * changed. See docs/sync.md for the client's rules.
 */
public final class SyncRoutes extends RouteSupport {
  /** Updates returned per chat; a chat that moved on further is answered "too long". */
  public static final int UPDATES_PER_CHAT = 100;

  public static final int DEFAULT_CHATS = 100;
  public static final int MAX_CHATS = 500;

  private final SyncRepository sync;
  private final HistoryRepository history;

  private final ContentOpener opener;

  public SyncRoutes(
      Authenticator authenticator, ApiSettings settings, SyncRepository sync, HistoryRepository history, ContentOpener opener) {
    super(authenticator, settings);
    this.sync = sync;
    this.history = history;
    this.opener = opener;
  }

  public Route routes() {
    return pathPrefix(
        "updates",
        () ->
            concat(
                path("state", () -> get(() -> authenticated(caller -> respond(state())))),
                path(
                    "difference",
                    () ->
                        get(
                            () ->
                                authenticated(
                                    caller ->
                                        parameterOptional(
                                            "state",
                                            state ->
                                                parameterOptional(
                                                    "limit", limit -> respond(difference(caller, state, limit)))))))));
  }

  private CompletionStage<HttpResponse> state() {
    return SyncState.current(sync).thenApply(state -> Json.ok(Map.of("state", state)));
  }

  /** One chat of a difference. */
  record ChatDifference(String chatId, Long pts, List<UpdateDto> updates, Boolean tooLong, Boolean joined, Boolean left) {}

  record DifferenceResponse(List<ChatDifference> chats, String state, boolean more) {}

  private CompletionStage<HttpResponse> difference(Caller caller, Optional<String> stateParam, Optional<String> limitParam) {
    if (stateParam.isEmpty()) {
      throw ApiException.badRequest("state is required");
    }
    SyncState state = SyncState.decode(stateParam.get());
    int limit = boundedParam(limitParam, "limit", DEFAULT_CHATS, MAX_CHATS);
    CompletionStage<Long> target = state.paging() ? CompletableFuture.completedFuture(state.target()) : sync.watermark();
    return target.thenCompose(
        goal ->
            sync.changedChats(caller.userId(), state.since(), state.cursorPosition(), state.cursorChat(), (int) limit + 1)
                .thenCompose(
                    changed -> {
                      boolean more = changed.size() > limit;
                      List<ChangedChat> page = more ? changed.subList(0, (int) limit) : changed;
                      CompletionStage<List<ChatDifference>> chats = chatDifferences(page, state.since(), goal);
                      CompletionStage<List<ChatDifference>> departures =
                          state.paging()
                              ? CompletableFuture.completedFuture(List.of())
                              : sync.departures(caller.userId(), state.since())
                                  .thenApply(list -> list.stream().filter(d -> d.seq() <= goal).map(d -> new ChatDifference(d.chatId(), null, null, null, null, true)).toList());
                      return chats.thenCombine(
                          departures,
                          (c, d) -> {
                            List<ChatDifference> all = new ArrayList<>(d);
                            all.addAll(c);
                            SyncState next =
                                more
                                    ? new SyncState(state.since(), goal, page.get(page.size() - 1).position(), page.get(page.size() - 1).chatId())
                                    : SyncState.at(Math.max(goal, state.since()));
                            return Json.ok(new DifferenceResponse(all, next.encode(), more));
                          });
                    }));
  }

  /**
   * Each changed chat as of {@code goal}: joined within (since, goal] → "joined" (reload it);
   * otherwise its updates within (since, goal], or "too long". What happened only after the
   * goal is left for the next difference, so a quiet user's next difference is empty.
   */
  private CompletionStage<List<ChatDifference>> chatDifferences(List<ChangedChat> page, long since, long goal) {
    List<CompletableFuture<ChatDifference>> each = new ArrayList<>();
    for (ChangedChat chat : page) {
      if (chat.joinedSeq() > since) {
        if (chat.joinedSeq() <= goal) {
          each.add(CompletableFuture.completedFuture(new ChatDifference(chat.chatId(), chat.pts(), null, null, true, null)));
        }
        continue;
      }
      each.add(
          history
              .updatesBetween(chat.chatId(), since, goal, UPDATES_PER_CHAT + 1)
              .thenCompose(
                  updates -> {
                    if (updates.isEmpty()) {
                      return CompletableFuture.completedFuture((ChatDifference) null);
                    }
                    if (updates.size() > UPDATES_PER_CHAT) {
                      return CompletableFuture.completedFuture(new ChatDifference(chat.chatId(), chat.pts(), null, true, null, null));
                    }
                    return opener
                        .updates(updates)
                        .thenApply(open -> new ChatDifference(chat.chatId(), chat.pts(), open.stream().map(MessageDtos::update).toList(), null, null, null));
                  })
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(done -> each.stream().map(CompletableFuture::join).filter(java.util.Objects::nonNull).toList());
  }
}
