package org.herald.projection;

import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.herald.projection.analytics.AnalyticsProjection;
import org.apache.pekko.actor.typed.Props;
import org.herald.domain.common.Metrics;
import org.herald.projection.dialogs.DialogsProjection;
import org.herald.projection.history.HistoryProjection;
import org.herald.projection.membership.MembershipIndexProjection;
import org.herald.projection.ops.LagMetrics;
import org.herald.projection.ops.ProjectionOps;
import org.herald.projection.push.PushDispatcher;
import org.herald.projection.scheduled.ScheduledPostsProjection;
import org.herald.projection.scheduled.ScheduledPostsScheduler;
import org.herald.projection.views.ViewsProjection;

/**
 * Starts every projection of this node, each entering itself in the {@code ReadModels} catalog,
 * then the lag gauges over that catalog. The node's Guardian only calls {@link #init}.
 */
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
    system.systemActorOf(
        LagMetrics.create(
            new ProjectionOps(system, dataSource),
            Metrics.get(system).registry(),
            system.settings().config().getDuration("herald.projections.lag.refresh-interval")),
        "projection-lag-metrics",
        Props.empty());
  }
}
