package org.herald.projection.analytics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.common.UtcTime;
import org.herald.projection.common.Sql;

/**
 * SQL of the analytics read models (schema: V12__analytics.sql, documented in
 * docs/analytics.md): writes on the projection's connection, in its transaction; reads on the
 * JDBC dispatcher. Every read covers whole UTC days, {@code from} and {@code to} inclusive, and
 * answers one row per day (or hour) of the range, zeros included.
 */
public final class AnalyticsRepository {
  /** MAU: distinct users active in the 30 days ending on the day. */
  public static final int MAU_WINDOW_DAYS = 30;

  private final DataSource dataSource;
  private final Executor jdbcExecutor;

  public AnalyticsRepository(DataSource dataSource, Executor jdbcExecutor) {
    this.dataSource = dataSource;
    this.jdbcExecutor = jdbcExecutor;
  }

  // ---------------------------------------------------------------- writes (projection)

  static void chatCreated(AnalyticsTally tally, Instant date, ChatKind kind, int slice) {
    tally.increment("analytics_chats_created", new String[] {"day_utc", "chat_kind", "slice"},
        new Object[] {day(date), kindName(kind), slice}, "chats", 1);
  }

  static void messageSent(AnalyticsTally tally, Instant date, ChatKind kind, int slice) {
    tally.increment("analytics_messages_hourly", new String[] {"hour_utc", "chat_kind", "slice"},
        new Object[] {hour(date), kindName(kind), slice}, "messages", 1);
  }

  static void joined(AnalyticsTally tally, String chatId, Instant date, int users) {
    if (users > 0) {
      tally.increment("analytics_chat_daily", new String[] {"chat_id", "day_utc"}, new Object[] {chatId, day(date)}, "joins", users);
    }
  }

  static void left(AnalyticsTally tally, String chatId, Instant date) {
    tally.increment("analytics_chat_daily", new String[] {"chat_id", "day_utc"}, new Object[] {chatId, day(date)}, "leaves", 1);
  }

  static void chatMessage(AnalyticsTally tally, String chatId, Instant date) {
    tally.increment("analytics_chat_daily", new String[] {"chat_id", "day_utc"}, new Object[] {chatId, day(date)}, "messages", 1);
  }

  static void accountRegistered(Connection conn, Instant date) throws SQLException {
    Sql.increment(conn, "analytics_accounts_daily", new String[] {"day_utc"}, new Object[] {day(date)}, "accounts", 1);
  }

  static void channelPost(Connection conn, String chatId, long messageId, Instant date) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("INSERT INTO analytics_channel_posts (chat_id, message_id, posted_at) VALUES (?, ?, ?)")) {
      ps.setString(1, chatId);
      ps.setLong(2, messageId);
      Sql.setInstant(ps, 3, date);
      ps.executeUpdate();
    }
  }

  static void channelPostDeleted(Connection conn, String chatId, long messageId) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM analytics_channel_posts WHERE chat_id = ? AND message_id = ?")) {
      ps.setString(1, chatId);
      ps.setLong(2, messageId);
      ps.executeUpdate();
    }
  }

  /**
   * Marks the user active on the event's day. A user's events reach several projection
   * instances (one per tag of the chats they use, and the users projection), so two may insert
   * the same row at once: the loser's insert is undone to a savepoint and counts as done.
   */
  static void active(Connection conn, Instant date, String userId) throws SQLException {
    active(conn, day(date), userId);
  }

  /**
   * As above, for a day; true if the row was there before this call. A row found is committed
   * (the caller marks each user and day once per transaction) and is never deleted, so it may be
   * remembered; a row this call inserted may still be rolled back with its transaction.
   */
  static boolean active(Connection conn, LocalDate day, String userId) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM analytics_active_users WHERE day_utc = ? AND user_id = ?")) {
      ps.setObject(1, day);
      ps.setString(2, userId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return true;
        }
      }
    }
    Sql.insertUnlessPresent(conn, "INSERT INTO analytics_active_users (day_utc, user_id) VALUES (?, ?)", day, userId);
    return false;
  }

  static LocalDate day(Instant instant) {
    return UtcTime.day(instant);
  }

  private static OffsetDateTime hour(Instant instant) {
    return UtcTime.offsetDateTime(instant.truncatedTo(ChronoUnit.HOURS));
  }

  private static String kindName(ChatKind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  // ---------------------------------------------------------------- reads (API)

  /** A group's or channel's day: members who came and went, members at its end, messages, views. */
  public record ChatDay(LocalDate day, long joins, long leaves, long members, long messages, long views) {}

  /** A channel post with its views so far. */
  public record Post(long messageId, Instant postedAt, long views) {}

  /** A count for each chat kind. */
  public record ByKind(long direct, long group, long channel) {
    static final ByKind NONE = new ByKind(0, 0, 0);

    public long total() {
      return direct + group + channel;
    }

    ByKind plus(String kind, long n) {
      return switch (kind) {
        case "direct" -> new ByKind(direct + n, group, channel);
        case "group" -> new ByKind(direct, group + n, channel);
        case "channel" -> new ByKind(direct, group, channel + n);
        default -> this;
      };
    }
  }

  public record HourByKind(Instant hour, ByKind counts) {}

  public record DayByKind(LocalDate day, ByKind counts) {}

  public record DayCount(LocalDate day, long count) {}

  /** Daily and monthly active users: {@code mau} counts the {@value #MAU_WINDOW_DAYS} days ending on {@code day}. */
  public record ActiveDay(LocalDate day, long dau, long mau) {}

  /** How top posts are ordered. */
  public enum PostOrder {
    VIEWS,
    DATE
  }

  /**
   * One row per day of {@code from..to}; {@code members} is the running total, starting from
   * every join and leave before {@code from}.
   */
  public CompletionStage<List<ChatDay>> chatDaily(String chatId, LocalDate from, LocalDate to) {
    return Sql.async(
        jdbcExecutor,
        () -> {
          try (Connection conn = dataSource.getConnection()) {
            long members;
            try (PreparedStatement ps =
                conn.prepareStatement(
                    "SELECT COALESCE(SUM(joins - leaves), 0) FROM analytics_chat_daily WHERE chat_id = ? AND day_utc < ?")) {
              ps.setString(1, chatId);
              ps.setObject(2, from);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                members = rs.getLong(1);
              }
            }
            Map<LocalDate, long[]> counts = new HashMap<>();
            try (PreparedStatement ps =
                conn.prepareStatement(
                    "SELECT day_utc, joins, leaves, messages FROM analytics_chat_daily WHERE chat_id = ? AND day_utc BETWEEN ? AND ?")) {
              bindChatRange(ps, chatId, from, to);
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  counts.put(rs.getObject(1, LocalDate.class), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                }
              }
            }
            Map<LocalDate, Long> views = new HashMap<>();
            try (PreparedStatement ps =
                conn.prepareStatement("SELECT day_utc, views FROM chat_views_daily WHERE chat_id = ? AND day_utc BETWEEN ? AND ?")) {
              bindChatRange(ps, chatId, from, to);
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  views.put(rs.getObject(1, LocalDate.class), rs.getLong(2));
                }
              }
            }
            List<ChatDay> days = new ArrayList<>();
            for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
              long[] c = counts.getOrDefault(d, new long[3]);
              members += c[0] - c[1];
              days.add(new ChatDay(d, c[0], c[1], members, c[2], views.getOrDefault(d, 0L)));
            }
            return days;
          }
        });
  }

  private static void bindChatRange(PreparedStatement ps, String chatId, LocalDate from, LocalDate to) throws SQLException {
    ps.setString(1, chatId);
    ps.setObject(2, from);
    ps.setObject(3, to);
  }

  /** A channel's posts of {@code from..to}, most viewed (or newest) first; ties newest first. */
  public CompletionStage<List<Post>> topPosts(String chatId, LocalDate from, LocalDate to, PostOrder order, int limit) {
    String orderBy = order == PostOrder.VIEWS ? "views DESC, p.message_id DESC" : "p.message_id DESC";
    return Sql.query(
        dataSource,
        jdbcExecutor,
        "SELECT p.message_id, p.posted_at, COALESCE(v.views, 0) AS views FROM analytics_channel_posts p"
            + " LEFT JOIN message_views v ON v.chat_id = p.chat_id AND v.message_id = p.message_id"
            + " WHERE p.chat_id = ? AND p.posted_at >= ? AND p.posted_at < ? ORDER BY " + orderBy + " LIMIT ?",
        ps -> {
          ps.setString(1, chatId);
          Sql.setInstant(ps, 2, start(from));
          Sql.setInstant(ps, 3, start(to.plusDays(1)));
          ps.setInt(4, limit);
        },
        rs -> new Post(rs.getLong("message_id"), Sql.getInstant(rs, "posted_at"), rs.getLong("views")));
  }

  /** Messages per UTC hour of {@code from..to}, by chat kind: 24 rows a day. */
  public CompletionStage<List<HourByKind>> messagesPerHour(LocalDate from, LocalDate to) {
    return Sql.query(
            dataSource,
            jdbcExecutor,
            "SELECT hour_utc, chat_kind, SUM(messages) AS n FROM analytics_messages_hourly"
                + " WHERE hour_utc >= ? AND hour_utc < ? GROUP BY hour_utc, chat_kind",
            ps -> {
              Sql.setInstant(ps, 1, start(from));
              Sql.setInstant(ps, 2, start(to.plusDays(1)));
            },
            rs -> Map.entry(Sql.getInstant(rs, "hour_utc"), Map.entry(rs.getString("chat_kind"), rs.getLong("n"))))
        .thenApply(
            rows -> {
              Map<Instant, ByKind> byHour = new HashMap<>();
              rows.forEach(r -> byHour.merge(r.getKey(), ByKind.NONE.plus(r.getValue().getKey(), r.getValue().getValue()), AnalyticsRepository::sum));
              List<HourByKind> hours = new ArrayList<>();
              for (Instant h = start(from); h.isBefore(start(to.plusDays(1))); h = h.plus(1, ChronoUnit.HOURS)) {
                hours.add(new HourByKind(h, byHour.getOrDefault(h, ByKind.NONE)));
              }
              return hours;
            });
  }

  /** Chats created per UTC day of {@code from..to}, by kind. */
  public CompletionStage<List<DayByKind>> chatsCreated(LocalDate from, LocalDate to) {
    return Sql.query(
            dataSource,
            jdbcExecutor,
            "SELECT day_utc, chat_kind, SUM(chats) AS n FROM analytics_chats_created WHERE day_utc BETWEEN ? AND ?"
                + " GROUP BY day_utc, chat_kind",
            ps -> {
              ps.setObject(1, from);
              ps.setObject(2, to);
            },
            rs -> Map.entry(rs.getObject("day_utc", LocalDate.class), Map.entry(rs.getString("chat_kind"), rs.getLong("n"))))
        .thenApply(
            rows -> {
              Map<LocalDate, ByKind> byDay = new HashMap<>();
              rows.forEach(r -> byDay.merge(r.getKey(), ByKind.NONE.plus(r.getValue().getKey(), r.getValue().getValue()), AnalyticsRepository::sum));
              List<DayByKind> days = new ArrayList<>();
              for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
                days.add(new DayByKind(d, byDay.getOrDefault(d, ByKind.NONE)));
              }
              return days;
            });
  }

  /** Accounts registered per UTC day of {@code from..to}. */
  public CompletionStage<List<DayCount>> accountsCreated(LocalDate from, LocalDate to) {
    return Sql.query(
            dataSource,
            jdbcExecutor,
            "SELECT day_utc, accounts FROM analytics_accounts_daily WHERE day_utc BETWEEN ? AND ?",
            ps -> {
              ps.setObject(1, from);
              ps.setObject(2, to);
            },
            rs -> Map.entry(rs.getObject("day_utc", LocalDate.class), rs.getLong("accounts")))
        .thenApply(
            rows -> {
              Map<LocalDate, Long> byDay = new HashMap<>();
              rows.forEach(r -> byDay.put(r.getKey(), r.getValue()));
              List<DayCount> days = new ArrayList<>();
              for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
                days.add(new DayCount(d, byDay.getOrDefault(d, 0L)));
              }
              return days;
            });
  }

  /**
   * DAU and MAU for each day of {@code from..to}: one query per day over the
   * {@value #MAU_WINDOW_DAYS} days ending on it (an index range of the primary key). Its cost
   * grows with the active users of those days; the range is capped by the API.
   */
  public CompletionStage<List<ActiveDay>> activeUsers(LocalDate from, LocalDate to) {
    return Sql.async(
        jdbcExecutor,
        () -> {
          try (Connection conn = dataSource.getConnection();
              PreparedStatement ps =
                  conn.prepareStatement(
                      "SELECT COUNT(DISTINCT user_id), COALESCE(SUM(CASE WHEN day_utc = ? THEN 1 ELSE 0 END), 0)"
                          + " FROM analytics_active_users WHERE day_utc BETWEEN ? AND ?")) {
            List<ActiveDay> days = new ArrayList<>();
            for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
              ps.setObject(1, d);
              ps.setObject(2, d.minusDays(MAU_WINDOW_DAYS - 1));
              ps.setObject(3, d);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                days.add(new ActiveDay(d, rs.getLong(2), rs.getLong(1)));
              }
            }
            return days;
          }
        });
  }

  private static ByKind sum(ByKind a, ByKind b) {
    return new ByKind(a.direct() + b.direct(), a.group() + b.group(), a.channel() + b.channel());
  }

  private static Instant start(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
