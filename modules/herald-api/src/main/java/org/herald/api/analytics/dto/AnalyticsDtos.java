package org.herald.api.analytics.dto;

import java.util.List;
import org.herald.api.common.Json;
import org.herald.projection.analytics.AnalyticsRepository;

/**
 * Bodies of the analytics calls. Each is a table: JSON by default, or CSV with the same columns
 * ({@link #header()} and {@link #rows()}). Days are ISO dates in UTC, hours ISO times in UTC.
 */
public final class AnalyticsDtos {
  private AnalyticsDtos() {}

  /** A table that can also be written as CSV. */
  public interface Table {
    List<String> header();

    List<List<Object>> rows();
  }

  public record ChannelDayDto(String day, long joins, long leaves, long subscribers, long posts, long views) {
    static ChannelDayDto of(AnalyticsRepository.ChatDay d) {
      return new ChannelDayDto(d.day().toString(), d.joins(), d.leaves(), d.members(), d.messages(), d.views());
    }
  }

  /** {@code GET /v1/analytics/channels/{chatId}/daily}. */
  public record ChannelDailyResponse(String chatId, String from, String to, List<ChannelDayDto> days) implements Table {
    public static ChannelDailyResponse of(String chatId, String from, String to, List<AnalyticsRepository.ChatDay> days) {
      return new ChannelDailyResponse(chatId, from, to, days.stream().map(ChannelDayDto::of).toList());
    }

    @Override
    public List<String> header() {
      return List.of("day", "joins", "leaves", "subscribers", "posts", "views");
    }

    @Override
    public List<List<Object>> rows() {
      return days.stream().map(d -> List.<Object>of(d.day(), d.joins(), d.leaves(), d.subscribers(), d.posts(), d.views())).toList();
    }
  }

  public record PostDto(long messageId, String date, long views) {}

  /** {@code GET /v1/analytics/channels/{chatId}/posts}. */
  public record TopPostsResponse(String chatId, String from, String to, String order, List<PostDto> posts) implements Table {
    public static TopPostsResponse of(String chatId, String from, String to, String order, List<AnalyticsRepository.Post> posts) {
      return new TopPostsResponse(
          chatId, from, to, order, posts.stream().map(p -> new PostDto(p.messageId(), Json.time(p.postedAt()), p.views())).toList());
    }

    @Override
    public List<String> header() {
      return List.of("messageId", "date", "views");
    }

    @Override
    public List<List<Object>> rows() {
      return posts.stream().map(p -> List.<Object>of(p.messageId(), p.date(), p.views())).toList();
    }
  }

  public record HourDto(String hour, long direct, long group, long channel, long total) {}

  /** {@code GET /v1/analytics/platform/messages}. */
  public record MessagesResponse(String from, String to, List<HourDto> hours) implements Table {
    public static MessagesResponse of(String from, String to, List<AnalyticsRepository.HourByKind> hours) {
      return new MessagesResponse(
          from,
          to,
          hours.stream()
              .map(h -> new HourDto(Json.time(h.hour()), h.counts().direct(), h.counts().group(), h.counts().channel(), h.counts().total()))
              .toList());
    }

    @Override
    public List<String> header() {
      return List.of("hour", "direct", "group", "channel", "total");
    }

    @Override
    public List<List<Object>> rows() {
      return hours.stream().map(h -> List.<Object>of(h.hour(), h.direct(), h.group(), h.channel(), h.total())).toList();
    }
  }

  public record ActiveDayDto(String day, long dau, long mau) {}

  /** {@code GET /v1/analytics/platform/active-users}: {@code mau} counts the {@code mauWindowDays} days ending on each day. */
  public record ActiveUsersResponse(String from, String to, int mauWindowDays, List<ActiveDayDto> days) implements Table {
    public static ActiveUsersResponse of(String from, String to, List<AnalyticsRepository.ActiveDay> days) {
      return new ActiveUsersResponse(
          from,
          to,
          AnalyticsRepository.MAU_WINDOW_DAYS,
          days.stream().map(d -> new ActiveDayDto(d.day().toString(), d.dau(), d.mau())).toList());
    }

    @Override
    public List<String> header() {
      return List.of("day", "dau", "mau");
    }

    @Override
    public List<List<Object>> rows() {
      return days.stream().map(d -> List.<Object>of(d.day(), d.dau(), d.mau())).toList();
    }
  }

  public record AccountsDayDto(String day, long accounts) {}

  /** {@code GET /v1/analytics/platform/accounts}. */
  public record AccountsResponse(String from, String to, List<AccountsDayDto> days) implements Table {
    public static AccountsResponse of(String from, String to, List<AnalyticsRepository.DayCount> days) {
      return new AccountsResponse(from, to, days.stream().map(d -> new AccountsDayDto(d.day().toString(), d.count())).toList());
    }

    @Override
    public List<String> header() {
      return List.of("day", "accounts");
    }

    @Override
    public List<List<Object>> rows() {
      return days.stream().map(d -> List.<Object>of(d.day(), d.accounts())).toList();
    }
  }

  public record ChatsDayDto(String day, long direct, long group, long channel, long total) {}

  /** {@code GET /v1/analytics/platform/chats}. */
  public record ChatsResponse(String from, String to, List<ChatsDayDto> days) implements Table {
    public static ChatsResponse of(String from, String to, List<AnalyticsRepository.DayByKind> days) {
      return new ChatsResponse(
          from,
          to,
          days.stream()
              .map(d -> new ChatsDayDto(d.day().toString(), d.counts().direct(), d.counts().group(), d.counts().channel(), d.counts().total()))
              .toList());
    }

    @Override
    public List<String> header() {
      return List.of("day", "direct", "group", "channel", "total");
    }

    @Override
    public List<List<Object>> rows() {
      return days.stream().map(d -> List.<Object>of(d.day(), d.direct(), d.group(), d.channel(), d.total())).toList();
    }
  }
}
