package org.herald.projection.dialogs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.herald.domain.chat.ChatEvent.ChatCreated;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.MessagesRead;
import org.herald.domain.chat.Message;
import org.herald.projection.common.Sql;

/** SQL of the dialogs read model: writes on the projection's connection, reads on the JDBC dispatcher. */
public final class DialogsRepository {
  private final DataSource dataSource;
  private final Executor jdbcExecutor;

  public DialogsRepository(DataSource dataSource, Executor jdbcExecutor) {
    this.dataSource = dataSource;
    this.jdbcExecutor = jdbcExecutor;
  }

  static void chatCreated(Connection conn, ChatCreated e) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO dialog_chats (chat_id, kind, title, created_at, last_message_id, pts, last_activity_at)"
                + " VALUES (?, ?, ?, ?, 0, 0, ?)")) {
      ps.setString(1, e.chatId());
      ps.setString(2, e.kind().name().toLowerCase(Locale.ROOT));
      ps.setString(3, e.title());
      Sql.setInstant(ps, 4, e.date());
      Sql.setInstant(ps, 5, e.date());
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO dialog_members (user_id, chat_id, peer_user_id, read_up_to, joined_at)"
                + " VALUES (?, ?, ?, 0, ?)")) {
      for (String member : e.memberIds()) {
        String peer = null;
        if (e.memberIds().size() == 2 && e.kind() == ChatKind.DIRECT) {
          peer = e.memberIds().get(0).equals(member) ? e.memberIds().get(1) : e.memberIds().get(0);
        }
        ps.setString(1, member);
        ps.setString(2, e.chatId());
        ps.setString(3, peer);
        Sql.setInstant(ps, 4, e.date());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  static void messageSent(Connection conn, MessageSent e) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE dialog_chats SET last_message_id = ?, last_message_pts = ?, last_message_sender = ?,"
                + " last_message_text = ?, last_message_date = ?, last_message_silent = ?,"
                + " last_message_reply_to = ?, pts = ?, last_activity_at = ? WHERE chat_id = ?")) {
      ps.setLong(1, e.messageId());
      ps.setLong(2, e.pts());
      ps.setString(3, e.senderId());
      ps.setString(4, e.text());
      Sql.setInstant(ps, 5, e.date());
      ps.setBoolean(6, e.silent());
      Sql.setLong(ps, 7, e.replyToMessageId());
      ps.setLong(8, e.pts());
      Sql.setInstant(ps, 9, e.date());
      ps.setString(10, e.chatId());
      ps.executeUpdate();
    }
    moveReadMark(conn, e.chatId(), e.senderId(), e.messageId());
  }

  static void messagesRead(Connection conn, MessagesRead e) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("UPDATE dialog_chats SET pts = ? WHERE chat_id = ?")) {
      ps.setLong(1, e.pts());
      ps.setString(2, e.chatId());
      ps.executeUpdate();
    }
    moveReadMark(conn, e.chatId(), e.userId(), e.upToMessageId());
  }

  private static void moveReadMark(Connection conn, String chatId, String userId, long upTo)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE dialog_members SET read_up_to = ? WHERE user_id = ? AND chat_id = ? AND read_up_to < ?")) {
      ps.setLong(1, upTo);
      ps.setString(2, userId);
      ps.setString(3, chatId);
      ps.setLong(4, upTo);
      ps.executeUpdate();
    }
  }

  /** A user's dialogs, most recent activity first. */
  public CompletionStage<List<Dialog>> dialogsOf(String userId, int limit) {
    return Sql.query(
        dataSource,
        jdbcExecutor,
        "SELECT c.chat_id, c.kind, c.title, c.last_message_id, c.last_message_sender,"
            + " c.last_message_text, c.last_message_date, c.last_message_silent,"
            + " c.last_message_reply_to, c.pts, c.last_activity_at, m.peer_user_id, m.read_up_to"
            + " FROM dialog_members m JOIN dialog_chats c ON c.chat_id = m.chat_id"
            + " WHERE m.user_id = ? ORDER BY c.last_activity_at DESC, c.chat_id LIMIT ?",
        ps -> {
          ps.setString(1, userId);
          ps.setInt(2, limit);
        },
        rs -> {
          long lastId = rs.getLong("last_message_id");
          Message last =
              lastId == 0
                  ? null
                  : new Message(
                      lastId,
                      rs.getString("last_message_sender"),
                      rs.getString("last_message_text"),
                      Sql.getInstant(rs, "last_message_date"),
                      null,
                      rs.getBoolean("last_message_silent"),
                      Sql.getLong(rs, "last_message_reply_to"));
          return new Dialog(
              rs.getString("chat_id"),
              rs.getString("kind"),
              rs.getString("title"),
              rs.getString("peer_user_id"),
              lastId,
              rs.getLong("read_up_to"),
              rs.getLong("pts"),
              Sql.getInstant(rs, "last_activity_at"),
              last);
        });
  }
}
