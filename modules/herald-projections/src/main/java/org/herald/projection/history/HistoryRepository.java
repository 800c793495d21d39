package org.herald.projection.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.Message;
import org.herald.domain.content.Sealed;
import org.herald.projection.common.Sql;

/** SQL of the history read model: writes on the projection's connection, reads on the JDBC dispatcher. */
public final class HistoryRepository {
  private final DataSource dataSource;
  private final Executor jdbcExecutor;

  public HistoryRepository(DataSource dataSource, Executor jdbcExecutor) {
    this.dataSource = dataSource;
    this.jdbcExecutor = jdbcExecutor;
  }

  /**
   * The writes of one group of events, on the group's connection and transaction. New rows are
   * sent as one JDBC batch per table (one round trip each instead of one per row) at {@link
   * #flush}, or before {@link #replaceMessage} reads rows that may be among them.
   */
  static final class Writes implements AutoCloseable {
    private final Connection conn;
    private PreparedStatement messages;
    private PreparedStatement updates;
    private int pendingMessages;
    private int pendingUpdates;
    private final boolean fullMessageNewRows;

    Writes(Connection conn, boolean fullMessageNewRows) {
      this.conn = conn;
      this.fullMessageNewRows = fullMessageNewRows;
    }

    void message(String chatId, long pts, Message m) throws SQLException {
      if (messages == null) {
        messages =
            conn.prepareStatement(
                "INSERT INTO chat_messages (chat_id, message_id, pts, sender_id, text, sent_at, edited_at, silent,"
                    + " reply_to_message_id, content, deleted, from_scheduled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?)");
      }
      PreparedStatement ps = messages;
      ps.setString(1, chatId);
      ps.setLong(2, m.messageId());
      ps.setLong(3, pts);
      ps.setString(4, m.senderId());
      ps.setString(5, m.text());
      Sql.setInstant(ps, 6, m.date());
      Sql.setInstant(ps, 7, m.editDate());
      ps.setBoolean(8, m.silent());
      Sql.setLong(ps, 9, m.replyToMessageId());
      ps.setString(10, Sql.encoded(m.content()));
      ps.setBoolean(11, m.fromScheduled());
      ps.addBatch();
      pendingMessages++;
    }

    void update(ChatUpdate update, String kind, long seq) throws SQLException {
      if (updates == null) {
        updates =
            conn.prepareStatement("INSERT INTO chat_updates (chat_id, pts, kind, body, seq, message_id) VALUES (?, ?, ?, ?, ?, ?)");
      }
      PreparedStatement ps = updates;
      ps.setString(1, update.chatId());
      ps.setLong(2, update.pts());
      ps.setString(3, kind);
      ps.setString(4, UpdateJson.write(fullMessageNewRows ? update : withoutItsMessage(update)));
      ps.setLong(5, seq);
      Message carried = ChatUpdate.messageOf(update);
      Sql.setLong(ps, 6, carried != null ? carried.messageId() : null);
      ps.addBatch();
      pendingUpdates++;
    }

    /** {@link HistoryRepository#replaceMessage}, after sending what is batched. */
    String replaceMessage(String chatId, long messageId, Sealed next, Instant editDate) throws SQLException {
      flush();
      return HistoryRepository.replaceMessage(conn, chatId, messageId, next, editDate, fullMessageNewRows);
    }

    /** Sends what is batched, messages first. */
    void flush() throws SQLException {
      if (pendingMessages > 0) {
        messages.executeBatch();
        pendingMessages = 0;
      }
      if (pendingUpdates > 0) {
        updates.executeBatch();
        pendingUpdates = 0;
      }
    }

    @Override
    public void close() throws SQLException {
      try (PreparedStatement m = messages;
          PreparedStatement u = updates) {
        // closes both, even if one throws
      }
    }
  }

  /**
   * The message's row and every update that carries it now hold its new version ({@code next}
   * content, edited at {@code editDate}), or, when {@code next} is null, its tombstone (ids,
   * sender and date; no content). Answers the key id of the content the row held before, for
   * shredding.
   */
  private static String replaceMessage(
      Connection conn, String chatId, long messageId, Sealed next, Instant editDate, boolean fullMessageNewRows)
      throws SQLException {
    String heldKeyId = null;
    long sentPts = -1;
    try (PreparedStatement ps = conn.prepareStatement("SELECT content, pts FROM chat_messages WHERE chat_id = ? AND message_id = ?")) {
      ps.setString(1, chatId);
      ps.setLong(2, messageId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          sentPts = rs.getLong(2);
          if (rs.getString(1) != null) {
            heldKeyId = Sealed.decode(rs.getString(1)).keyId();
          }
        }
      }
    }
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE chat_messages SET text = NULL, content = ?, edited_at = ?, deleted = ? WHERE chat_id = ? AND message_id = ?")) {
      ps.setString(1, Sql.encoded(next));
      Sql.setInstant(ps, 2, next == null ? null : editDate);
      ps.setBoolean(3, next == null);
      ps.setString(4, chatId);
      ps.setLong(5, messageId);
      ps.executeUpdate();
    }
    List<ChatUpdate> rewritten = new ArrayList<>();
    // The others (its edits) through the message index, which on PostgreSQL leaves message.new
    // rows out. Its message.new row is read from chat_messages, so a lean row is left as it is;
    // with full rows, which older nodes read as they are, it is found at the message's pts.
    String carrying = "SELECT body FROM chat_updates WHERE chat_id = ? AND message_id = ? AND kind <> 'message.new'";
    if (fullMessageNewRows) {
      carrying += " UNION ALL SELECT body FROM chat_updates WHERE chat_id = ? AND pts = ? AND kind = 'message.new'";
    }
    try (PreparedStatement ps = conn.prepareStatement(carrying)) {
      ps.setString(1, chatId);
      ps.setLong(2, messageId);
      if (fullMessageNewRows) {
        ps.setString(3, chatId);
        ps.setLong(4, sentPts);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ChatUpdate old = UpdateJson.read(rs.getString("body"));
          Message carried = ChatUpdate.messageOf(old);
          if (carried == null) {
            continue; // a lean message.new row: nothing of the message to rewrite
          }
          Message replacement =
              next == null
                  ? carried.tombstone()
                  : new Message(messageId, carried.senderId(), null, carried.date(), editDate, carried.silent(),
                      carried.replyToMessageId(), next, false, carried.fromScheduled());
          rewritten.add(ChatUpdate.withMessage(old, replacement));
        }
      }
    }
    try (PreparedStatement ps = conn.prepareStatement("UPDATE chat_updates SET body = ? WHERE chat_id = ? AND pts = ?")) {
      for (ChatUpdate update : rewritten) {
        ps.setString(1, UpdateJson.write(update));
        ps.setString(2, chatId);
        ps.setLong(3, update.pts());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return heldKeyId;
  }

  /** Messages with {@code fromId <= messageId <= toId}, in order. */
  public CompletionStage<List<Message>> messages(String chatId, long fromId, long toId) {
    return Sql.query(
        dataSource,
        jdbcExecutor,
        "SELECT " + MESSAGE_COLUMNS + " FROM chat_messages WHERE chat_id = ? AND message_id BETWEEN ? AND ? ORDER BY message_id",
        ps -> {
          ps.setString(1, chatId);
          ps.setLong(2, fromId);
          ps.setLong(3, toId);
        },
        HistoryRepository::message);
  }

  /**
   * One message as the read model holds it (sealed, or a tombstone), once the read model has
   * applied the chat's changes up to {@code appliedPts}; empty while it is behind that, or when
   * the message has no row.
   */
  public CompletionStage<java.util.Optional<Message>> message(String chatId, long messageId, long appliedPts) {
    return Sql.query(
            dataSource,
            jdbcExecutor,
            "SELECT " + MESSAGE_COLUMNS + " FROM chat_messages WHERE chat_id = ? AND message_id = ?"
                + " AND (SELECT max(pts) FROM chat_updates WHERE chat_id = ?) >= ?",
            ps -> {
              ps.setString(1, chatId);
              ps.setLong(2, messageId);
              ps.setString(3, chatId);
              ps.setLong(4, appliedPts);
            },
            HistoryRepository::message)
        .thenApply(list -> list.stream().findFirst());
  }

  /** The latest message that is not deleted, or null: a dialog's preview once its last message went. */
  public CompletionStage<Message> latestMessage(String chatId) {
    return Sql.query(
            dataSource,
            jdbcExecutor,
            "SELECT " + MESSAGE_COLUMNS + " FROM chat_messages WHERE chat_id = ? AND deleted = FALSE"
                + " ORDER BY message_id DESC FETCH FIRST 1 ROWS ONLY",
            ps -> ps.setString(1, chatId),
            HistoryRepository::message)
        .thenApply(list -> list.isEmpty() ? null : list.get(0));
  }

  private static final String MESSAGE_COLUMNS =
      "message_id, sender_id, text, sent_at, edited_at, silent, reply_to_message_id, content, deleted, from_scheduled";

  private static Message message(ResultSet rs) throws SQLException {
    return new Message(
        rs.getLong("message_id"),
        rs.getString("sender_id"),
        rs.getString("text"),
        Sql.getInstant(rs, "sent_at"),
        Sql.getInstant(rs, "edited_at"),
        rs.getBoolean("silent"),
        Sql.getLong(rs, "reply_to_message_id"),
        Sealed.decode(rs.getString("content")),
        rs.getBoolean("deleted"),
        rs.getBoolean("from_scheduled"));
  }

  /**
   * A chat's changes at journal positions in ({@code afterSeq}, {@code untilSeq}], in pts
   * order, at most {@code limit}.
   */
  public CompletionStage<List<ChatUpdate>> updatesBetween(String chatId, long afterSeq, long untilSeq, int limit) {
    return Sql.query(
        dataSource,
        jdbcExecutor,
        UPDATES_WITH_MESSAGES + " WHERE u.chat_id = ? AND u.seq > ? AND u.seq <= ? ORDER BY u.pts LIMIT ?",
        ps -> {
          ps.setString(1, chatId);
          ps.setLong(2, afterSeq);
          ps.setLong(3, untilSeq);
          ps.setInt(4, limit);
        },
        HistoryRepository::update);
  }

  /** Changes with {@code fromPts <= pts <= toPts}, in pts order. */
  public CompletionStage<List<ChatUpdate>> updates(String chatId, long fromPts, long toPts) {
    return Sql.query(
        dataSource,
        jdbcExecutor,
        UPDATES_WITH_MESSAGES + " WHERE u.chat_id = ? AND u.pts BETWEEN ? AND ? ORDER BY u.pts",
        ps -> {
          ps.setString(1, chatId);
          ps.setLong(2, fromPts);
          ps.setLong(3, toPts);
        },
        HistoryRepository::update);
  }

  /**
   * Update rows with, for each message.new, its message's row. A message.new row holds the
   * update without its message ({@link #withoutItsMessage}): the message is in {@code
   * chat_messages} already, and writing it twice cost PostgreSQL more than any other part of
   * the read models (docs/benchmarks.md, "Leaner rows per message"). Rows written before that,
   * or with {@code message-new-rows = full}, still carry a copy, which the message's row,
   * rewritten by every edit and deletion, overrides; rows from before V7 have no message id to
   * join on and are read from their copy.
   */
  private static final String UPDATES_WITH_MESSAGES =
      "SELECT u.body, m."
          + MESSAGE_COLUMNS.replace(", ", ", m.")
          + " FROM chat_updates u LEFT JOIN chat_messages m"
          + " ON u.kind = 'message.new' AND m.chat_id = u.chat_id AND m.message_id = u.message_id";

  private static ChatUpdate update(ResultSet rs) throws SQLException {
    ChatUpdate update = UpdateJson.read(rs.getString("body"));
    if (update instanceof ChatUpdate.MessageNew created) {
      if (rs.getObject("message_id") != null) {
        return ChatUpdate.withMessage(created, message(rs));
      }
      // Rows written before V7 have no message_id to join on, and hold their message.
      if (created.message() == null) {
        throw new IllegalStateException(
            "chat " + created.chatId() + ": the message.new at pts " + created.pts() + " has no chat_messages row");
      }
    }
    return update;
  }

  /** What a chat_updates row keeps of an update: all of it, but a message.new's message. */
  static ChatUpdate withoutItsMessage(ChatUpdate update) {
    return update instanceof ChatUpdate.MessageNew created
        ? new ChatUpdate.MessageNew(created.chatId(), created.pts(), null, created.clientMessageId())
        : update;
  }
}
