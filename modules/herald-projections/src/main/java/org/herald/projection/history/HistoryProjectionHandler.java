package org.herald.projection.history;

import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.ChatUpdates;
import org.herald.projection.keys.JdbcContentKeys;
import org.herald.projection.common.JdbcSessions;
import org.herald.projection.common.Sql;

/**
 * Chat events → {@code chat_messages} and {@code chat_updates}. Exactly-once: rows and offset
 * commit in one transaction.
 */
public final class HistoryProjectionHandler extends JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions> {

  @Override
  public void process(JdbcSessions session, EventEnvelope<ChatEvent> envelope) throws Exception {
    ChatEvent event = envelope.event();
    session.withConnection(
        conn -> {
          ChatUpdate update = ChatUpdates.of(event);
          if (update == null) {
            // Not numbered for clients (creation, bans, invites, channel subscriptions, reads in
            // large chats): nothing to page through.
            return null;
          }
          if (update instanceof ChatUpdate.MessageNew m) {
            HistoryRepository.insertMessage(conn, m.chatId(), m.pts(), m.message());
          } else if (event instanceof ChatEvent.MessageEdited e) {
            String held = HistoryRepository.replaceMessage(conn, e.chatId(), e.messageId(), e.content(), e.editDate());
            shred(conn, held, e.supersededKeyId(), e.content().keyId());
          } else if (event instanceof ChatEvent.MessageDeleted e) {
            String held = HistoryRepository.replaceMessage(conn, e.chatId(), e.messageId(), null, null);
            shred(conn, held, e.shreddedKeyId(), null);
          }
          HistoryRepository.insertUpdate(conn, update, UpdateJson.typeOf(update), Sql.ordering(envelope.offset()));
          return null;
        });
  }

  /**
   * Destroys the keys of the versions an edit or deletion superseded: the one the event names
   * and the one the read model still held (they differ only if an earlier edit's key was not
   * yet known to the chat). Idempotent; in the projection's transaction, so a crash between the
   * event and the shredding cannot leave a superseded key alive.
   */
  private static void shred(java.sql.Connection conn, String heldKeyId, String namedKeyId, String currentKeyId)
      throws java.sql.SQLException {
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
