package org.herald.projection;

import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.herald.projection.analytics.AnalyticsProjection;
import org.herald.projection.dialogs.DialogsProjection;
import org.herald.projection.history.HistoryProjection;
import org.herald.projection.membership.MembershipIndexProjection;
import org.herald.projection.push.PushDispatcher;
import org.herald.projection.scheduled.ScheduledPostsProjection;
import org.herald.projection.scheduled.ScheduledPostsScheduler;
import org.herald.projection.views.ViewsProjection;

/** Starts every projection of this node. The node's Guardian only calls {@link #init}. */
public final class Projections {
  private Projections() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    DialogsProjection.init(system, dataSource);
    HistoryProjection.init(system, dataSource);
    MembershipIndexProjection.init(system, dataSource);
    ViewsProjection.init(system, dataSource);
    ScheduledPostsProjection.init(system, dataSource);
    ScheduledPostsScheduler.init(system, dataSource, java.time.Clock.systemUTC());
    PushDispatcher.init(system, dataSource, java.time.Clock.systemUTC());
    AnalyticsProjection.init(system, dataSource);
  }
}
