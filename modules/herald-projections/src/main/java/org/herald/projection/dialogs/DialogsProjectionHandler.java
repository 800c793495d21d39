package org.herald.projection.dialogs;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
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
import org.herald.domain.chat.ChatUpdates;
import org.herald.projection.common.JdbcSessions;
import org.herald.projection.common.Sql;

/**
 * Chat events → dialog rows, and the journal positions the difference call pages by (each
 * chat's last numbered change, each membership's start, each departure), a group of events at a
 * time. Exactly-once: the rows and the projection offset commit in one transaction, so a crash
 * replays nothing twice. Sends, by far the commonest event, are folded per chat and written
 * together ({@link DialogsRepository.SendRun}) before the next other event and at the group's end.
 */
public final class DialogsProjectionHandler extends JdbcHandler<List<EventEnvelope<ChatEvent>>, JdbcSessions> {

  @Override
  public void process(JdbcSessions session, List<EventEnvelope<ChatEvent>> envelopes) throws Exception {
    session.withConnection(
        conn -> {
          DialogsRepository.SendRun sends = new DialogsRepository.SendRun();
          for (EventEnvelope<ChatEvent> envelope : envelopes) {
            ChatEvent event = envelope.event();
            long seq = Sql.ordering(envelope.offset());
            if (event instanceof MessageSent e) {
              sends.add(e, seq);
            } else {
              sends.write(conn);
              apply(conn, event, seq);
            }
          }
          sends.write(conn);
          return null;
        });
  }

  private static void apply(Connection conn, ChatEvent event, long seq) throws SQLException {
    applyEvent(conn, event);
    if (ChatUpdates.of(event) != null) {
      DialogsRepository.markChanged(conn, event.chatId(), seq);
    }
    if (event instanceof ChatCreated e) {
      DialogsRepository.markChanged(conn, e.chatId(), seq);
      DialogsRepository.markJoined(conn, e.chatId(), e.memberIds(), seq);
    } else if (event instanceof MembersJoined e) {
      DialogsRepository.markJoined(conn, e.chatId(), e.userIds(), seq);
    } else if (event instanceof MemberLeft e) {
      DialogsRepository.markDeparted(conn, e.chatId(), e.userId(), seq);
    }
  }

  private static void applyEvent(Connection conn, ChatEvent event) throws SQLException {
    if (event instanceof ChatCreated e) {
      DialogsRepository.chatCreated(conn, e);
    } else if (event instanceof ChatEvent.MessageEdited e) {
      DialogsRepository.messageEdited(conn, e);
    } else if (event instanceof ChatEvent.MessageDeleted e) {
      DialogsRepository.messageDeleted(conn, e);
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
  }
}
