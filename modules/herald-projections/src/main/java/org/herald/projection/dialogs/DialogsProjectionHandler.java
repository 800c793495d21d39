package org.herald.projection.dialogs;

import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatEvent.ChatCreated;
import org.herald.domain.chat.ChatEvent.ChatEdited;
import org.herald.domain.chat.ChatEvent.MemberLeft;
import org.herald.domain.chat.ChatEvent.MembersJoined;
import org.herald.domain.chat.ChatEvent.RoleChanged;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.MessagesRead;
import org.herald.projection.common.JdbcSessions;

/**
 * Chat events → dialog rows. Exactly-once: the rows and the projection offset commit in one
 * transaction, so a crash replays nothing twice.
 */
public final class DialogsProjectionHandler extends JdbcHandler<EventEnvelope<ChatEvent>, JdbcSessions> {

  @Override
  public void process(JdbcSessions session, EventEnvelope<ChatEvent> envelope) throws Exception {
    ChatEvent event = envelope.event();
    session.withConnection(
        conn -> {
          if (event instanceof ChatCreated e) {
            DialogsRepository.chatCreated(conn, e);
          } else if (event instanceof MessageSent e) {
            DialogsRepository.messageSent(conn, e);
          } else if (event instanceof MessagesRead e) {
            DialogsRepository.messagesRead(conn, e);
          } else if (event instanceof MembersJoined e) {
            DialogsRepository.membersJoined(conn, e);
          } else if (event instanceof MemberLeft e) {
            DialogsRepository.memberLeft(conn, e);
          } else if (event instanceof RoleChanged e) {
            DialogsRepository.roleChanged(conn, e);
          } else if (event instanceof ChatEdited e) {
            DialogsRepository.chatEdited(conn, e);
          } else {
            // Bans of non-members, unbans and invite links do not show in dialogs.
          }
          return null;
        });
  }
}
