package org.herald.projection.history;

import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.MessagesRead;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.ChatUpdates;
import org.herald.projection.common.JdbcSessions;

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
          if (event instanceof MessageSent e) {
            ChatUpdate.MessageNew update = ChatUpdates.of(e);
            HistoryRepository.insertMessage(conn, e.chatId(), e.pts(), update.message());
            HistoryRepository.insertUpdate(conn, update, "message.new");
          } else if (event instanceof MessagesRead e) {
            HistoryRepository.insertUpdate(conn, ChatUpdates.of(e), "read");
          } else {
            // ChatCreated carries no pts: nothing to page through.
          }
          return null;
        });
  }
}
