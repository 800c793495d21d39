package org.herald.projection.history;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.ChatUpdates;
import org.herald.projection.keys.JdbcContentKeys;
import org.herald.projection.common.JdbcSessions;
import org.herald.projection.common.Sql;

/**
 * Chat events → {@code chat_messages} and {@code chat_updates}. Exactly-once: a group of events
 * is one transaction with the offset. New rows of a group go to the database as two JDBC
 * batches (messages, updates) instead of two statements per event ({@link
 * HistoryRepository.Writes}).
 */
public final class HistoryProjectionHandler extends JdbcHandler<List<EventEnvelope<ChatEvent>>, JdbcSessions> {
  private final boolean fullMessageNewRows;

  /** With {@code fullMessageNewRows}, message.new rows keep a copy of their message too. */
  public HistoryProjectionHandler(boolean fullMessageNewRows) {
    this.fullMessageNewRows = fullMessageNewRows;
  }

  @Override
  public void process(JdbcSessions session, List<EventEnvelope<ChatEvent>> envelopes) throws Exception {
    session.withConnection(
        conn -> {
          try (HistoryRepository.Writes writes = new HistoryRepository.Writes(conn, fullMessageNewRows)) {
            for (EventEnvelope<ChatEvent> envelope : envelopes) {
              apply(conn, writes, envelope);
            }
            writes.flush();
          }
          return null;
        });
  }

  private static void apply(Connection conn, HistoryRepository.Writes writes, EventEnvelope<ChatEvent> envelope)
      throws SQLException {
    ChatEvent event = envelope.event();
    ChatUpdate update = ChatUpdates.of(event);
    if (update == null) {
      // Not numbered for clients (creation, bans, invites, channel subscriptions, reads in
      // large chats): nothing to page through.
      return;
    }
    if (update instanceof ChatUpdate.MessageNew m) {
      writes.message(m.chatId(), m.pts(), m.message());
    } else if (event instanceof ChatEvent.MessageEdited e) {
      String held = writes.replaceMessage(e.chatId(), e.messageId(), e.content(), e.editDate());
      shred(conn, held, e.supersededKeyId(), e.content().keyId());
    } else if (event instanceof ChatEvent.MessageDeleted e) {
      String held = writes.replaceMessage(e.chatId(), e.messageId(), null, null);
      shred(conn, held, e.shreddedKeyId(), null);
    }
    writes.update(update, UpdateJson.typeOf(update), Sql.ordering(envelope.offset()));
  }

  /**
   * Destroys the keys of the versions an edit or deletion superseded: the one the event names
   * and the one the read model still held (they differ only if an earlier edit's key was not
   * yet known to the chat). Idempotent; in the projection's transaction, so a crash between the
   * event and the shredding cannot leave a superseded key alive.
   */
  private static void shred(Connection conn, String heldKeyId, String namedKeyId, String currentKeyId)
      throws SQLException {
    java.util.Set<String> ids = new java.util.HashSet<>();
    if (heldKeyId != null) {
      ids.add(heldKeyId);
    }
    if (namedKeyId != null) {
      ids.add(namedKeyId);
    }
    if (currentKeyId != null) {
      ids.remove(currentKeyId);
    }
    JdbcContentKeys.destroy(conn, ids);
  }
}
