package org.herald.projection.analytics;

import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.herald.projection.common.TaggedProjections;
import org.herald.projection.common.ReadModel;
import java.util.List;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserEvent;

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
    // analytics_active_users is written by both (insert-if-absent, so a replay adds nothing):
    // neither clears it on a rebuild, or the other's rows would be lost. Nothing deletes its rows,
    // which is also what lets each instance remember the rows it found (AnalyticsTally.KnownActive):
    // a retention job or an owner that clears it must clear those memories too.
    TaggedProjections.<ChatEvent>startGrouped(
        system, NAME, ChatEntity.TAGS, dataSource,
        ReadModel.owning("analytics_chat_daily", "analytics_channel_posts", "analytics_messages_hourly", "analytics_chats_created"),
        AnalyticsProjectionHandler::new);
    TaggedProjections.<UserEvent>start(
        system, USERS_NAME, List.of(UserEntity.TAG), dataSource, ReadModel.owning("analytics_accounts_daily"), AnalyticsUsersHandler::new);
  }
}
