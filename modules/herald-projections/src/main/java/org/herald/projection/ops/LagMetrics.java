package org.herald.projection.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.herald.domain.common.PeriodicRefresh;

/**
 * Keeps the gauges {@code herald_projection_lag_events} and {@code herald_projection_lag_seconds}
 * (labels {@code projection}, {@code tag}) up to date: reads {@link ProjectionOps#status()} every
 * {@code herald.projections.lag.refresh-interval}, one read in flight at a time, so a scrape
 * never waits for the database and a slow database never piles reads up. Every node reports the
 * same values (they come from the shared database); aggregate with {@code max} across nodes.
 */
public final class LagMetrics {
  private LagMetrics() {}

  /** The current values behind one (projection, tag) pair of gauges. */
  private static final class Lag {
    volatile double events;
    volatile double seconds;
  }

  public static Behavior<PeriodicRefresh.Command> create(ProjectionOps ops, MeterRegistry registry, Duration interval) {
    Map<String, Lag> lags = new HashMap<>();
    return PeriodicRefresh.create("projection lag", interval, ops::status, status -> update(status, lags, registry));
  }

  private static void update(List<ProjectionStatus> status, Map<String, Lag> lags, MeterRegistry registry) {
    for (ProjectionStatus projection : status) {
      for (ProjectionStatus.Instance instance : projection.instances()) {
        Lag lag =
            lags.computeIfAbsent(
                projection.name() + "|" + instance.tag(),
                key -> register(registry, projection.name(), instance.tag(), new Lag()));
        lag.events = instance.eventsBehind();
        lag.seconds = instance.secondsBehind();
      }
    }
  }

  private static Lag register(MeterRegistry registry, String projection, String tag, Lag lag) {
    Gauge.builder("herald.projection.lag.events", lag, l -> l.events)
        .description("Tagged journal events the projection instance has not processed yet (bounded by herald.projections.lag.max-count)")
        .tags("projection", projection, "tag", tag)
        .strongReference(true)
        .register(registry);
    Gauge.builder("herald.projection.lag.seconds", lag, l -> l.seconds)
        .description("Age of the oldest journal event the projection instance has not processed yet; 0 when caught up")
        .tags("projection", projection, "tag", tag)
        .strongReference(true)
        .register(registry);
    return lag;
  }
}
