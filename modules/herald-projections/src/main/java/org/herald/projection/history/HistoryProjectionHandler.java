package org.herald.projection.history;

import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.ChatUpdates;
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
          }
          HistoryRepository.insertUpdate(conn, update, UpdateJson.typeOf(update), Sql.ordering(envelope.offset()));
          return null;
        });
  }
}
