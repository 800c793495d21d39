package org.herald.projection.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.Message;
import org.herald.projection.common.Sql;

/** SQL of the history read model: writes on the projection's connection, reads on the JDBC dispatcher. */
public final class HistoryRepository {
  private final DataSource dataSource;
  private final Executor jdbcExecutor;

  public HistoryRepository(DataSource dataSource, Executor jdbcExecutor) {
    this.dataSource = dataSource;
    this.jdbcExecutor = jdbcExecutor;
  }

  static void insertMessage(Connection conn, String chatId, long pts, Message m) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO chat_messages (chat_id, message_id, pts, sender_id, text, sent_at, edited_at, silent,"
                + " reply_to_message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, chatId);
      ps.setLong(2, m.messageId());
      ps.setLong(3, pts);
      ps.setString(4, m.senderId());
      ps.setString(5, m.text());
      Sql.setInstant(ps, 6, m.date());
      Sql.setInstant(ps, 7, m.editDate());
      ps.setBoolean(8, m.silent());
      Sql.setLong(ps, 9, m.replyToMessageId());
      ps.executeUpdate();
    }
  }

  static void insertUpdate(Connection conn, ChatUpdate update, String kind, long seq) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("INSERT INTO chat_updates (chat_id, pts, kind, body, seq) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, update.chatId());
      ps.setLong(2, update.pts());
      ps.setString(3, kind);
      ps.setString(4, UpdateJson.write(update));
      ps.setLong(5, seq);
      ps.executeUpdate();
    }
  }

  /** Messages with {@code fromId <= messageId <= toId}, in order. */
  public CompletionStage<List<Message>> messages(String chatId, long fromId, long toId) {
    return Sql.query(
        dataSource,
        jdbcExecutor,
        "SELECT message_id, sender_id, text, sent_at, edited_at, silent, reply_to_message_id"
            + " FROM chat_messages WHERE chat_id = ? AND message_id BETWEEN ? AND ? ORDER BY message_id",
        ps -> {
          ps.setString(1, chatId);
          ps.setLong(2, fromId);
          ps.setLong(3, toId);
        },
        rs ->
            new Message(
                rs.getLong("message_id"),
                rs.getString("sender_id"),
                rs.getString("text"),
                Sql.getInstant(rs, "sent_at"),
                Sql.getInstant(rs, "edited_at"),
                rs.getBoolean("silent"),
                Sql.getLong(rs, "reply_to_message_id")));
  }

  /**
   * A chat's changes at journal positions in ({@code afterSeq}, {@code untilSeq}], in pts
   * order, at most {@code limit}.
   */
  public CompletionStage<List<ChatUpdate>> updatesBetween(String chatId, long afterSeq, long untilSeq, int limit) {
    return Sql.query(
        dataSource,
        jdbcExecutor,
        "SELECT body FROM chat_updates WHERE chat_id = ? AND seq > ? AND seq <= ? ORDER BY pts LIMIT ?",
        ps -> {
          ps.setString(1, chatId);
          ps.setLong(2, afterSeq);
          ps.setLong(3, untilSeq);
          ps.setInt(4, limit);
        },
        rs -> UpdateJson.read(rs.getString("body")));
  }

  /** Changes with {@code fromPts <= pts <= toPts}, in pts order. */
  public CompletionStage<List<ChatUpdate>> updates(String chatId, long fromPts, long toPts) {
    return Sql.query(
        dataSource,
        jdbcExecutor,
        "SELECT body FROM chat_updates WHERE chat_id = ? AND pts BETWEEN ? AND ? ORDER BY pts",
        ps -> {
          ps.setString(1, chatId);
          ps.setLong(2, fromPts);
          ps.setLong(3, toPts);
        },
        rs -> UpdateJson.read(rs.getString("body")));
  }
}
