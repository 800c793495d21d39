package org.herald.projection.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.herald.domain.chat.ChatEntity;
import org.herald.projection.common.Sql;
import org.herald.projection.dialogs.DialogsProjection;
import org.herald.projection.history.HistoryProjection;

/**
 * What a user's devices need to catch up: positions in the journal (orderings) and the chats,
 * memberships and updates past a position. Reads the dialogs and history read models.
 */
public final class SyncRepository {
  private static final long SAMPLE_INTERVAL_MS = 250;

  private final DataSource dataSource;
  private final Executor jdbcExecutor;
  private final java.time.Duration commitLag;
  /** (time, newest journal position) samples, to know the newest position of a while ago. */
  private final java.util.concurrent.ConcurrentLinkedDeque<long[]> samples = new java.util.concurrent.ConcurrentLinkedDeque<>();

  public SyncRepository(DataSource dataSource, Executor jdbcExecutor, java.time.Duration commitLag) {
    this.dataSource = dataSource;
    this.jdbcExecutor = jdbcExecutor;
    this.commitLag = commitLag;
  }

  /** A chat that changed for the user: its pts, and the position that put it in the answer. */
  public record ChangedChat(String chatId, long pts, long changedSeq, long joinedSeq) {
    public long position() {
      return Math.max(changedSeq, joinedSeq);
    }
  }

  /** A chat the user left, and when. */
  public record Departure(String chatId, long seq) {}

  /**
   * The journal position up to which both read models hold every event, so a device that has
   * applied everything up to it misses nothing later. Per tag and projection: a projection that
   * has caught up with its tag's newest event does not hold the position back; one that is
   * behind holds it at its offset. The journal's newest position is taken as it was
   * {@code commitLag} ago: a write that was still committing then (orderings are handed out
   * before commit) cannot slip in below the position.
   */
  public CompletionStage<Long> watermark() {
    return Sql.async(
        jdbcExecutor,
        () -> {
          try (Connection conn = dataSource.getConnection()) {
            long[] newest = newestPositions(conn);
            long now = System.currentTimeMillis();
            sample(now, newest[0]);
            long settled = settledPosition(now - commitLag.toMillis());
            Map<String, Long> offsets = offsets(conn);
            long watermark = settled;
            for (int t = 0; t < ChatEntity.TAGS.size(); t++) {
              String tag = ChatEntity.TAGS.get(t);
              long lastTagged = newest[t + 1];
              for (String projection : List.of(DialogsProjection.NAME, HistoryProjection.NAME)) {
                long offset = offsets.getOrDefault(projection + "|" + tag, 0L);
                if (offset < lastTagged) {
                  watermark = Math.min(watermark, offset);
                }
              }
            }
            return watermark;
          }
        });
  }

  /** Keeps at most a few samples a second, however often the watermark is asked for. */
  private void sample(long now, long newest) {
    long[] last = samples.peekLast();
    if (last == null || now - last[0] >= SAMPLE_INTERVAL_MS) {
      samples.addLast(new long[] {now, newest});
    }
  }

  /**
   * The newest journal position sampled at or before {@code cutoff} (0 when none is that old);
   * older samples are dropped, as the newest of them says more.
   */
  private long settledPosition(long cutoff) {
    long[] latestOld = null;
    for (long[] sample : samples) {
      if (sample[0] <= cutoff) {
        if (latestOld != null) {
          samples.remove(latestOld);
        }
        latestOld = sample;
      }
    }
    return latestOld == null ? 0 : latestOld[1];
  }

  /**
   * In one round trip: the journal's newest position, then each tag's newest event (through the
   * index on {@code event_tag(tag, event_id)}), in {@link ChatEntity#TAGS} order.
   */
  private static long[] newestPositions(Connection conn) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT (SELECT MAX(\"ordering\") FROM \"event_journal\")");
    for (int i = 0; i < ChatEntity.TAGS.size(); i++) {
      sql.append(", (SELECT MAX(\"event_id\") FROM \"event_tag\" WHERE \"tag\" = ?)");
    }
    try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
      for (int i = 0; i < ChatEntity.TAGS.size(); i++) {
        ps.setString(i + 1, ChatEntity.TAGS.get(i));
      }
      long[] positions = new long[ChatEntity.TAGS.size() + 1];
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          for (int i = 0; i < positions.length; i++) {
            positions[i] = rs.getLong(i + 1);
          }
        }
      }
      return positions;
    }
  }

  private static Map<String, Long> offsets(Connection conn) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT \"projection_name\", \"projection_key\", \"current_offset\" FROM \"pekko_projection_offset_store\""
                + " WHERE \"projection_name\" IN (?, ?)")) {
      ps.setString(1, DialogsProjection.NAME);
      ps.setString(2, HistoryProjection.NAME);
      Map<String, Long> offsets = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          offsets.put(rs.getString(1) + "|" + rs.getString(2), Long.parseLong(rs.getString(3)));
        }
      }
      return offsets;
    }
  }

  /**
   * The user's chats that changed, or that the user joined, after {@code since}, ordered by that
   * position, starting after the cursor ({@code afterPosition}, {@code afterChat}).
   */
  public CompletionStage<List<ChangedChat>> changedChats(
      String userId, long since, long afterPosition, String afterChat, int limit) {
    return Sql.query(
        dataSource,
        jdbcExecutor,
        "SELECT c.chat_id, c.pts, c.changed_seq, m.joined_seq FROM dialog_members m JOIN dialog_chats c ON c.chat_id = m.chat_id"
            + " WHERE m.user_id = ? AND (c.changed_seq > ? OR m.joined_seq > ?)"
            + " AND (GREATEST(c.changed_seq, m.joined_seq) > ? OR (GREATEST(c.changed_seq, m.joined_seq) = ? AND c.chat_id > ?))"
            + " ORDER BY GREATEST(c.changed_seq, m.joined_seq), c.chat_id LIMIT ?",
        ps -> {
          ps.setString(1, userId);
          ps.setLong(2, since);
          ps.setLong(3, since);
          ps.setLong(4, afterPosition);
          ps.setLong(5, afterPosition);
          ps.setString(6, afterChat);
          ps.setInt(7, limit);
        },
        rs -> new ChangedChat(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
  }

  /** Chats the user left after {@code since} and is not in again. */
  public CompletionStage<List<Departure>> departures(String userId, long since) {
    return Sql.query(
        dataSource,
        jdbcExecutor,
        "SELECT d.chat_id, d.seq FROM dialog_departures d WHERE d.user_id = ? AND d.seq > ?"
            + " AND NOT EXISTS (SELECT 1 FROM dialog_members m WHERE m.user_id = d.user_id AND m.chat_id = d.chat_id)"
            + " ORDER BY d.seq",
        ps -> {
          ps.setString(1, userId);
          ps.setLong(2, since);
        },
        rs -> new Departure(rs.getString(1), rs.getLong(2)));
  }
}
