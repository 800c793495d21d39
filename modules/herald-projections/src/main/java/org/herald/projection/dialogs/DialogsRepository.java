package org.herald.projection.dialogs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.herald.domain.chat.ChatEvent.ChatCreated;
import org.herald.domain.chat.ChatEvent.ChatEdited;
import org.herald.domain.chat.ChatEvent.MemberLeft;
import org.herald.domain.chat.ChatEvent.MembersJoined;
import org.herald.domain.chat.ChatEvent.RoleChanged;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.MessagesRead;
import org.herald.domain.chat.Message;
import org.herald.domain.chat.ChatEvent.MessageDeleted;
import org.herald.domain.chat.ChatEvent.MessageEdited;
import org.herald.domain.content.Sealed;
import org.herald.projection.common.Sql;

/** SQL of the dialogs read model: writes on the projection's connection, reads on the JDBC dispatcher. */
public final class DialogsRepository {
  private static final String MOVE_READ_MARK =
      "UPDATE dialog_members SET read_up_to = ? WHERE user_id = ? AND chat_id = ? AND read_up_to < ?";

  private final DataSource dataSource;
  private final Executor jdbcExecutor;

  public DialogsRepository(DataSource dataSource, Executor jdbcExecutor) {
    this.dataSource = dataSource;
    this.jdbcExecutor = jdbcExecutor;
  }

  static void chatCreated(Connection conn, ChatCreated e) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO dialog_chats (chat_id, kind, title, username, is_public, created_at, last_message_id, pts,"
                + " last_activity_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?)")) {
      ps.setString(1, e.chatId());
      ps.setString(2, e.kind().name().toLowerCase(Locale.ROOT));
      ps.setString(3, e.title());
      ps.setString(4, e.username());
      ps.setBoolean(5, e.isPublic());
      Sql.setInstant(ps, 6, e.date());
      Sql.setInstant(ps, 7, e.date());
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO dialog_members (user_id, chat_id, peer_user_id, read_up_to, joined_at, role)"
                + " VALUES (?, ?, ?, 0, ?, ?)")) {
      for (String member : e.memberIds()) {
        String peer = null;
        if (e.memberIds().size() == 2 && e.kind() == ChatKind.DIRECT) {
          peer = e.memberIds().get(0).equals(member) ? e.memberIds().get(1) : e.memberIds().get(0);
        }
        ps.setString(1, member);
        ps.setString(2, e.chatId());
        ps.setString(3, peer);
        Sql.setInstant(ps, 4, e.date());
        ps.setString(5, e.kind() != ChatKind.DIRECT && member.equals(e.createdBy()) ? "owner" : "member");
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * New members start with everything before their arrival read: joining a busy group or a
   * channel does not flood the dialog list with unread counts.
   */
  static void membersJoined(Connection conn, MembersJoined e) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO dialog_members (user_id, chat_id, peer_user_id, read_up_to, joined_at, role)"
                + " SELECT ?, chat_id, NULL, last_message_id, ?, 'member' FROM dialog_chats WHERE chat_id = ?")) {
      int batched = 0;
      for (String member : e.userIds()) {
        ps.setString(1, member);
        Sql.setInstant(ps, 2, e.date());
        ps.setString(3, e.chatId());
        ps.addBatch();
        if (++batched % 1000 == 0) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
    setPts(conn, e.chatId(), e.pts());
  }

  static void memberLeft(Connection conn, MemberLeft e) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM dialog_members WHERE user_id = ? AND chat_id = ?")) {
      ps.setString(1, e.userId());
      ps.setString(2, e.chatId());
      ps.executeUpdate();
    }
    setPts(conn, e.chatId(), e.pts());
  }

  static void roleChanged(Connection conn, RoleChanged e) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("UPDATE dialog_members SET role = ? WHERE user_id = ? AND chat_id = ?")) {
      ps.setString(1, e.role().name().toLowerCase(Locale.ROOT));
      ps.setString(2, e.userId());
      ps.setString(3, e.chatId());
      ps.executeUpdate();
    }
    setPts(conn, e.chatId(), e.pts());
  }

  static void chatEdited(Connection conn, ChatEdited e) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("UPDATE dialog_chats SET title = ?, username = ?, pts = ? WHERE chat_id = ?")) {
      ps.setString(1, e.title());
      ps.setString(2, e.username());
      ps.setLong(3, e.pts());
      ps.setString(4, e.chatId());
      ps.executeUpdate();
    }
  }

  /** Records the journal position of a chat's numbered change. */
  static void markChanged(Connection conn, String chatId, long seq) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("UPDATE dialog_chats SET changed_seq = ? WHERE chat_id = ? AND changed_seq < ?")) {
      ps.setLong(1, seq);
      ps.setString(2, chatId);
      ps.setLong(3, seq);
      ps.executeUpdate();
    }
  }

  /** Records the journal position at which users became members. */
  static void markJoined(Connection conn, String chatId, java.util.List<String> userIds, long seq) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("UPDATE dialog_members SET joined_seq = ? WHERE user_id = ? AND chat_id = ?")) {
      int batched = 0;
      for (String userId : userIds) {
        ps.setLong(1, seq);
        ps.setString(2, userId);
        ps.setString(3, chatId);
        ps.addBatch();
        if (++batched % 1000 == 0) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
  }

  /** Remembers that a user left a chat, so a device that was offline learns it. */
  static void markDeparted(Connection conn, String chatId, String userId, long seq) throws SQLException {
    try (PreparedStatement del = conn.prepareStatement("DELETE FROM dialog_departures WHERE user_id = ? AND chat_id = ?");
        PreparedStatement ins = conn.prepareStatement("INSERT INTO dialog_departures (user_id, chat_id, seq) VALUES (?, ?, ?)")) {
      del.setString(1, userId);
      del.setString(2, chatId);
      del.executeUpdate();
      ins.setString(1, userId);
      ins.setString(2, chatId);
      ins.setLong(3, seq);
      ins.executeUpdate();
    }
  }

  /** Moves the chat's pts forward; 0 (a change not numbered for clients) leaves it. */
  private static void setPts(Connection conn, String chatId, long pts) throws SQLException {
    if (pts <= 0) {
      return;
    }
    try (PreparedStatement ps = conn.prepareStatement("UPDATE dialog_chats SET pts = ? WHERE chat_id = ?")) {
      ps.setLong(1, pts);
      ps.setString(2, chatId);
      ps.executeUpdate();
    }
  }

  /**
   * A run of consecutive {@code MessageSent} events of one group, folded to what they leave
   * behind and written at once: each chat's last message (its row update sets every preview
   * column from the message and the position to the larger, so only the chat's last send
   * counts) and each sender's highest read mark (moved only forward). Applying the run one
   * event at a time ends in the same rows; folded, a group of sends to a few busy chats costs two
   * JDBC batches of one statement per chat and per sender instead of two statements per message.
   * Whoever handles a group writes the run before any other event, so every other event sees the
   * rows of the sends before it.
   */
  static final class SendRun {
    private record Sent(MessageSent event, long seq) {}

    private record Reader(String chatId, String userId) {}

    private final Map<String, Sent> lastByChat = new LinkedHashMap<>();
    private final Map<Reader, Long> readMarks = new LinkedHashMap<>();

    /** {@code seq} is the message's journal position, recorded as the chat's last change. */
    void add(MessageSent e, long seq) {
      lastByChat.put(e.chatId(), new Sent(e, seq));
      readMarks.merge(new Reader(e.chatId(), e.senderId()), e.messageId(), Math::max);
    }

    /** Writes the run and empties it. */
    void write(Connection conn) throws SQLException {
      if (lastByChat.isEmpty()) {
        return;
      }
      try (PreparedStatement ps =
          conn.prepareStatement(
              "UPDATE dialog_chats SET last_message_id = ?, last_message_pts = ?, last_message_sender = ?,"
                  + " last_message_text = ?, last_message_date = ?, last_message_silent = ?,"
                  + " last_message_reply_to = ?, pts = ?, last_activity_at = ?, last_message_content = ?,"
                  + " last_message_edited_at = NULL, changed_seq = GREATEST(changed_seq, ?) WHERE chat_id = ?")) {
        for (Sent sent : lastByChat.values()) {
          MessageSent e = sent.event();
          ps.setLong(1, e.messageId());
          ps.setLong(2, e.pts());
          ps.setString(3, e.senderId());
          ps.setString(4, e.text());
          Sql.setInstant(ps, 5, e.date());
          ps.setBoolean(6, e.silent());
          Sql.setLong(ps, 7, e.replyToMessageId());
          ps.setLong(8, e.pts());
          Sql.setInstant(ps, 9, e.date());
          ps.setString(10, Sql.encoded(e.content()));
          ps.setLong(11, sent.seq());
          ps.setString(12, e.chatId());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps = conn.prepareStatement(MOVE_READ_MARK)) {
        for (Map.Entry<Reader, Long> mark : readMarks.entrySet()) {
          setReadMark(ps, mark.getKey().chatId(), mark.getKey().userId(), mark.getValue());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      lastByChat.clear();
      readMarks.clear();
    }
  }

  /** An edit of the message the dialog previews replaces the preview's (sealed) text. */
  static void messageEdited(Connection conn, MessageEdited e) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE dialog_chats SET last_message_content = ?, last_message_text = NULL, last_message_edited_at = ?"
                + " WHERE chat_id = ? AND last_message_id = ? AND last_message_date IS NOT NULL")) {
      ps.setString(1, Sql.encoded(e.content()));
      Sql.setInstant(ps, 2, e.editDate());
      ps.setString(3, e.chatId());
      ps.setLong(4, e.messageId());
      ps.executeUpdate();
    }
    setPts(conn, e.chatId(), e.pts());
  }

  /**
   * Deleting the previewed message empties the preview; readers then show the latest message
   * left (from the history read model). Unread counts still count by message ids.
   */
  static void messageDeleted(Connection conn, MessageDeleted e) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE dialog_chats SET last_message_content = NULL, last_message_text = NULL, last_message_date = NULL,"
                + " last_message_sender = NULL, last_message_edited_at = NULL, last_message_reply_to = NULL"
                + " WHERE chat_id = ? AND last_message_id = ?")) {
      ps.setString(1, e.chatId());
      ps.setLong(2, e.messageId());
      ps.executeUpdate();
    }
    setPts(conn, e.chatId(), e.pts());
  }

  static void messagesRead(Connection conn, MessagesRead e) throws SQLException {
    setPts(conn, e.chatId(), e.pts());
    moveReadMark(conn, e.chatId(), e.userId(), e.upToMessageId());
  }

  private static void moveReadMark(Connection conn, String chatId, String userId, long upTo)
      throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(MOVE_READ_MARK)) {
      setReadMark(ps, chatId, userId, upTo);
      ps.executeUpdate();
    }
  }

  private static void setReadMark(PreparedStatement ps, String chatId, String userId, long upTo) throws SQLException {
    ps.setLong(1, upTo);
    ps.setString(2, userId);
    ps.setString(3, chatId);
    ps.setLong(4, upTo);
  }

  /** A user's dialogs, most recent activity first. */
  public CompletionStage<List<Dialog>> dialogsOf(String userId, int limit) {
    return Sql.query(
        dataSource,
        jdbcExecutor,
        "SELECT c.chat_id, c.kind, c.title, c.last_message_id, c.last_message_sender,"
            + " c.last_message_text, c.last_message_date, c.last_message_silent,"
            + " c.last_message_reply_to, c.pts, c.last_activity_at, c.username, m.peer_user_id, m.read_up_to, m.role,"
            + " c.last_message_content, c.last_message_edited_at"
            + " FROM dialog_members m JOIN dialog_chats c ON c.chat_id = m.chat_id"
            + " WHERE m.user_id = ? ORDER BY c.last_activity_at DESC, c.chat_id LIMIT ?",
        ps -> {
          ps.setString(1, userId);
          ps.setInt(2, limit);
        },
        rs -> {
          long lastId = rs.getLong("last_message_id");
          // No date: the previewed message was deleted; the reader looks up the latest one left.
          Message last =
              lastId == 0 || Sql.getInstant(rs, "last_message_date") == null
                  ? null
                  : new Message(
                      lastId,
                      rs.getString("last_message_sender"),
                      rs.getString("last_message_text"),
                      Sql.getInstant(rs, "last_message_date"),
                      Sql.getInstant(rs, "last_message_edited_at"),
                      rs.getBoolean("last_message_silent"),
                      Sql.getLong(rs, "last_message_reply_to"),
                      Sealed.decode(rs.getString("last_message_content")),
                      false,
                      false);
          return new Dialog(
              rs.getString("chat_id"),
              rs.getString("kind"),
              rs.getString("title"),
              rs.getString("username"),
              rs.getString("peer_user_id"),
              rs.getString("role"),
              lastId,
              rs.getLong("read_up_to"),
              rs.getLong("pts"),
              Sql.getInstant(rs, "last_activity_at"),
              last);
        });
  }
}
