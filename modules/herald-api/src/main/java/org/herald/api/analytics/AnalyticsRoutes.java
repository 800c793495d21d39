package org.herald.api.analytics;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.analytics.dto.AnalyticsDtos.AccountsResponse;
import org.herald.api.analytics.dto.AnalyticsDtos.ActiveUsersResponse;
import org.herald.api.analytics.dto.AnalyticsDtos.ChannelDailyResponse;
import org.herald.api.analytics.dto.AnalyticsDtos.ChatsResponse;
import org.herald.api.analytics.dto.AnalyticsDtos.MessagesResponse;
import org.herald.api.analytics.dto.AnalyticsDtos.Table;
import org.herald.api.analytics.dto.AnalyticsDtos.TopPostsResponse;
import org.herald.api.common.ApiException;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Caller;
import org.herald.api.common.Chats;
import org.herald.api.common.Csv;
import org.herald.api.common.Json;
import org.herald.api.common.Roles;
import org.herald.api.common.RouteSupport;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.chat.Role;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Rejection;
import org.herald.domain.user.PlatformRole;
import org.herald.projection.analytics.AnalyticsRepository;
import org.herald.projection.analytics.AnalyticsRepository.PostOrder;

/**
 * Statistics from the analytics read models, never from the journal: a group's or channel's
 * for its owner and admins (asked of the chat entity, which hides a private chat from
 * outsiders), the platform's for analysts and admins. Every call takes a range of whole UTC days
 * ({@code from}, {@code to}, inclusive; {@code to} defaults to today, {@code from} to 29 days
 * before {@code to}; at most {@value #MAX_DAYS} days) and answers JSON, or CSV for {@code format=csv} or {@code Accept: text/csv}.
 */
public final class AnalyticsRoutes extends RouteSupport {
  static final int DEFAULT_DAYS = 30;
  static final int MAX_DAYS = 366;
  static final int DEFAULT_POSTS = 10;
  static final int MAX_POSTS = 100;

  private final AnalyticsRepository analytics;
  private final Roles roles;
  private final Chats chats;
  private final Clock clock;

  public AnalyticsRoutes(
      Authenticator authenticator, ApiSettings settings, ActorSystem<?> system, AnalyticsRepository analytics, Roles roles, Clock clock) {
    super(authenticator, settings);
    this.analytics = analytics;
    this.roles = roles;
    this.chats = new Chats(ClusterSharding.get(system), settings.askTimeout());
    this.clock = clock;
  }

  /** What every analytics call is asked: the range, the format. */
  record Query(DateRange range, boolean csv) {}

  /** Whole UTC days, both ends included. */
  record DateRange(LocalDate from, LocalDate to) {
    String fromText() {
      return from.toString();
    }

    String toText() {
      return to.toString();
    }
  }

  public Route routes() {
    return pathPrefix(
        "analytics",
        () ->
            concat(
                path(
                    PathMatchers.segment("channels").slash(PathMatchers.segment()).slash("daily"),
                    chatId -> get(() -> authenticated(caller -> query(q -> respond(channelDaily(caller, chatId, q)))))),
                path(
                    PathMatchers.segment("channels").slash(PathMatchers.segment()).slash("posts"),
                    chatId ->
                        get(
                            () ->
                                authenticated(
                                    caller ->
                                        parameterOptional(
                                            "order",
                                            order ->
                                                parameterOptional(
                                                    "limit",
                                                    limit -> query(q -> respond(topPosts(caller, chatId, q, order, limit)))))))),
                pathPrefix(
                    "platform",
                    () ->
                        concat(
                            platform("messages", q -> analytics.messagesPerHour(q.range().from(), q.range().to())
                                .thenApply(hours -> MessagesResponse.of(q.range().fromText(), q.range().toText(), hours))),
                            platform("active-users", q -> analytics.activeUsers(q.range().from(), q.range().to())
                                .thenApply(days -> ActiveUsersResponse.of(q.range().fromText(), q.range().toText(), days))),
                            platform("accounts", q -> analytics.accountsCreated(q.range().from(), q.range().to())
                                .thenApply(days -> AccountsResponse.of(q.range().fromText(), q.range().toText(), days))),
                            platform("chats", q -> analytics.chatsCreated(q.range().from(), q.range().to())
                                .thenApply(days -> ChatsResponse.of(q.range().fromText(), q.range().toText(), days)))))));
  }

  /** A platform-wide table: analysts and admins only. */
  private Route platform(String name, Function<Query, CompletionStage<? extends Table>> table) {
    return path(
        name,
        () ->
            get(
                () ->
                    authenticated(
                        caller ->
                            query(
                                q ->
                                    respond(
                                        roles.require(caller, PlatformRole.ANALYST)
                                            .thenCompose(ok -> table.apply(q))
                                            .thenApply(t -> render(t, q.csv())))))));
  }

  /** Parses {@code from}, {@code to}, {@code format} and the Accept header; a bad value is a 400 naming it. */
  private Route query(Function<Query, Route> inner) {
    return parameterOptional(
        "from",
        from ->
            parameterOptional(
                "to",
                to ->
                    parameterOptional(
                        "format",
                        format ->
                            optionalHeaderValueByName(
                                "Accept",
                                accept -> {
                                  Query q;
                                  try {
                                    q = new Query(range(from, to, LocalDate.now(clock.withZone(ZoneOffset.UTC))), csv(format, accept));
                                  } catch (ApiException e) {
                                    return respond(CompletableFuture.failedFuture(e));
                                  }
                                  return inner.apply(q);
                                }))));
  }

  static DateRange range(Optional<String> fromParam, Optional<String> toParam, LocalDate today) {
    LocalDate to = date(toParam, "to");
    LocalDate from = date(fromParam, "from");
    if (to == null) {
      to = today;
    }
    if (from == null) {
      from = to.minusDays(DEFAULT_DAYS - 1);
    }
    if (from.isAfter(to)) {
      throw invalid("from", "from must not be after to");
    }
    if (ChronoUnit.DAYS.between(from, to) + 1 > MAX_DAYS) {
      throw invalid("from", "from and to span at most " + MAX_DAYS + " days");
    }
    return new DateRange(from, to);
  }

  private static LocalDate date(Optional<String> value, String field) {
    if (value.isEmpty() || value.get().isEmpty()) {
      return null;
    }
    LocalDate date;
    try {
      date = LocalDate.parse(value.get());
    } catch (DateTimeParseException e) {
      throw invalid(field, field + " must be a date as YYYY-MM-DD (UTC)");
    }
    if (date.getYear() < 1970 || date.getYear() > 9999) {
      throw invalid(field, field + " must be a date between 1970-01-01 and 9999-12-31");
    }
    return date;
  }

  static boolean csv(Optional<String> format, Optional<String> accept) {
    if (format.isPresent() && !format.get().isEmpty()) {
      return switch (format.get().toLowerCase(Locale.ROOT)) {
        case "csv" -> true;
        case "json" -> false;
        default -> throw invalid("format", "format must be json or csv");
      };
    }
    return accept.map(a -> a.toLowerCase(Locale.ROOT).contains("text/csv")).orElse(false);
  }

  private static ApiException invalid(String field, String message) {
    return ApiException.of(Rejection.onField(ErrorCode.INVALID_FIELD, field, message));
  }

  private static HttpResponse render(Table table, boolean csv) {
    return csv ? Csv.ok(table.header(), table.rows()) : Json.ok(table);
  }

  /**
   * The chat as the caller sees it, if the caller owns or administers it: a private chat the
   * caller is not in is 404 (from the entity), a chat they only read 403 ADMIN_REQUIRED.
   */
  private CompletionStage<ChatReply.ChatView> administered(Caller caller, String chatId) {
    return chats.ask(chatId, ChatReply.ChatView.class, replyTo -> new ChatCommand.GetChat(caller.userId(), replyTo))
        .thenApply(
            view -> {
              if (view.kind() == ChatKind.DIRECT) {
                throw ApiException.of(
                    Rejection.onField(ErrorCode.CHAT_KIND_NOT_SUPPORTED, "chatId", "statistics are kept for groups and channels, not direct chats"));
              }
              if (view.myRole() != Role.OWNER && view.myRole() != Role.ADMIN) {
                throw ApiException.of(Rejection.of(ErrorCode.ADMIN_REQUIRED, "statistics are for the chat's owner and admins"));
              }
              return view;
            });
  }

  private CompletionStage<HttpResponse> channelDaily(Caller caller, String chatId, Query q) {
    return administered(caller, chatId)
        .thenCompose(view -> analytics.chatDaily(chatId, q.range().from(), q.range().to()))
        .thenApply(days -> render(ChannelDailyResponse.of(chatId, q.range().fromText(), q.range().toText(), days), q.csv()));
  }

  private CompletionStage<HttpResponse> topPosts(Caller caller, String chatId, Query q, Optional<String> orderParam, Optional<String> limitParam) {
    PostOrder order;
    int limit;
    try {
      String orderName = orderParam.filter(o -> !o.isEmpty()).orElse("views");
      order =
          switch (orderName) {
            case "views" -> PostOrder.VIEWS;
            case "date" -> PostOrder.DATE;
            default -> throw invalid("order", "order must be views or date");
          };
      long parsed = longParam(limitParam, "limit", DEFAULT_POSTS);
      if (parsed < 1 || parsed > MAX_POSTS) {
        throw invalid("limit", "limit must be between 1 and " + MAX_POSTS);
      }
      limit = (int) parsed;
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    return administered(caller, chatId)
        .thenApply(
            view -> {
              if (view.kind() != ChatKind.CHANNEL) {
                throw ApiException.of(Rejection.onField(ErrorCode.CHAT_KIND_NOT_SUPPORTED, "chatId", "top posts are kept for channels"));
              }
              return view;
            })
        .thenCompose(view -> analytics.topPosts(chatId, q.range().from(), q.range().to(), order, limit))
        .thenApply(
            posts ->
                render(
                    TopPostsResponse.of(chatId, q.range().fromText(), q.range().toText(), order.name().toLowerCase(Locale.ROOT), posts),
                    q.csv()));
  }
}
