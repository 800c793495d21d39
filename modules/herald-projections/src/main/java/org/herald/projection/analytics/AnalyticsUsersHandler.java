package org.herald.projection.analytics;

import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.domain.user.UserEvent;
import org.herald.domain.user.UserEvent.SessionOpened;
import org.herald.domain.user.UserEvent.UserRegistered;
import org.herald.projection.common.JdbcSessions;

/**
 * User events (tag {@code users}) → new accounts per day and active users (a session opened,
 * which includes registering). Exactly-once, like {@link AnalyticsProjectionHandler}: the
 * account counter and the offset commit in one transaction.
 */
public final class AnalyticsUsersHandler extends JdbcHandler<EventEnvelope<UserEvent>, JdbcSessions> {

  @Override
  public void process(JdbcSessions session, EventEnvelope<UserEvent> envelope) throws Exception {
    UserEvent event = envelope.event();
    if (event instanceof UserRegistered e) {
      session.withConnection(
          conn -> {
            AnalyticsRepository.accountRegistered(conn, e.date());
            return null;
          });
    } else if (event instanceof SessionOpened e) {
      // SessionOpened does not name its user: the entity id does.
      String userId = PersistenceId.ofUniqueId(envelope.persistenceId()).entityId();
      session.withConnection(
          conn -> {
            AnalyticsRepository.active(conn, e.date(), userId);
            return null;
          });
    } else {
      // Only registrations and logins are tagged; anything else is not counted.
    }
  }
}
