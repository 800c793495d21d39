package org.herald.projection.analytics;

import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.herald.projection.common.ChatProjections;
import org.herald.projection.common.UserProjections;

/**
 * The analytics read models (docs/analytics.md): per-chat daily joins, leaves and messages,
 * channel posts, platform messages per hour and chats per day by kind, and active users, from
 * the chat events (one instance per tag {@code chat-0..7}); new accounts and logins from the user
 * events (one instance, tag {@code users}). Both exactly-once.
 */
public final class AnalyticsProjection {
  public static final String NAME = "analytics";
  public static final String USERS_NAME = "analytics-users";

  private AnalyticsProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    ChatProjections.start(system, NAME, dataSource, AnalyticsProjectionHandler::new);
    UserProjections.start(system, USERS_NAME, dataSource, AnalyticsUsersHandler::new);
  }
}
