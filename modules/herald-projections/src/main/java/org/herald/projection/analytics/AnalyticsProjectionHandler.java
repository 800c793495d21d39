package org.herald.projection.analytics;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatEvent.ChatCreated;
import org.herald.domain.chat.ChatEvent.MemberLeft;
import org.herald.domain.chat.ChatEvent.MembersJoined;
import org.herald.domain.chat.ChatEvent.MessageDeleted;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.MessagesRead;
import org.herald.domain.chat.ChatIds;
import org.herald.domain.chat.ChatKind;
import org.herald.projection.common.JdbcSessions;

/**
 * Chat events → analytics counters, a group of events at a time. Exactly-once: every counter
 * increment and the projection offset commit in one transaction, so a crash or a replay counts
 * nothing twice (the counters are not idempotent; the transaction is what makes them exact).
 * Counters and active-user marks are summed over the group ({@link AnalyticsTally}) and written
 * at its end; channel-post rows are written in event order.
 */
public final class AnalyticsProjectionHandler extends JdbcHandler<List<EventEnvelope<ChatEvent>>, JdbcSessions> {
  /** Active-user marks remembered per instance (about 150 bytes each: 1.5 MB, 12 MB for a node's eight). */
  private static final int KNOWN_ACTIVE = 10_000;

  private final AnalyticsTally.KnownActive knownActive = new AnalyticsTally.KnownActive(KNOWN_ACTIVE);

  @Override
  public void process(JdbcSessions session, List<EventEnvelope<ChatEvent>> envelopes) throws Exception {
    session.withConnection(
        conn -> {
          AnalyticsTally tally = new AnalyticsTally();
          for (EventEnvelope<ChatEvent> envelope : envelopes) {
            ChatEvent event = envelope.event();
            ChatKind kind = event instanceof ChatCreated c ? c.kind() : ChatIds.kindOf(event.chatId());
            if (kind != null) {
              // (No chat has an id without a kind; such an event counts nothing.)
              apply(conn, tally, event, kind);
            }
          }
          tally.writeTo(conn, knownActive);
          return null;
        });
  }

  private static void apply(Connection conn, AnalyticsTally tally, ChatEvent event, ChatKind kind) throws SQLException {
    int slice = ChatEntity.TAGS.indexOf(ChatEntity.tagFor(event.chatId()));
    boolean perChat = kind != ChatKind.DIRECT;
    if (event instanceof ChatCreated e) {
      AnalyticsRepository.chatCreated(tally, e.date(), kind, slice);
      if (perChat) {
        AnalyticsRepository.joined(tally, e.chatId(), e.date(), e.memberIds().size());
      }
    } else if (event instanceof MessageSent e) {
      AnalyticsRepository.messageSent(tally, e.date(), kind, slice);
      tally.active(AnalyticsRepository.day(e.date()), e.senderId());
      if (perChat) {
        AnalyticsRepository.chatMessage(tally, e.chatId(), e.date());
      }
      if (kind == ChatKind.CHANNEL) {
        AnalyticsRepository.channelPost(conn, e.chatId(), e.messageId(), e.date());
      }
    } else if (event instanceof MessageDeleted e) {
      if (kind == ChatKind.CHANNEL) {
        AnalyticsRepository.channelPostDeleted(conn, e.chatId(), e.messageId());
      }
    } else if (event instanceof MessagesRead e) {
      tally.active(AnalyticsRepository.day(e.date()), e.userId());
    } else if (event instanceof MembersJoined e) {
      if (perChat) {
        AnalyticsRepository.joined(tally, e.chatId(), e.date(), e.userIds().size());
      }
    } else if (event instanceof MemberLeft e) {
      if (perChat) {
        AnalyticsRepository.left(tally, e.chatId(), e.date());
      }
    } else {
      // Edits, roles, bans, invites and chat edits are not counted.
    }
  }
}
