package org.herald.projection.push;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.Behavior;
import org.herald.domain.common.PeriodicRefresh;
import org.herald.projection.common.Sql;

/**
 * Keeps the outbox gauges up to date: {@code herald_push_outbox_jobs} (messages whose
 * recipients the dispatcher has not finished expanding) and {@code
 * herald_push_outbox_deliveries_pending} (notifications waiting to be sent or retried). Read
 * every {@code herald.metrics.refresh-interval} on the JDBC dispatcher, one read in flight, so a
 * scrape never waits for the database. Each count is an index range scan stopped at {@link
 * #MAX_COUNT}. Every node reports the same values (they come from the shared database).
 */
public final class OutboxMetrics {
  /** Counted up to this many, then reported as this many: a backlog's size, not its census. */
  static final long MAX_COUNT = 1_000_000;

  private OutboxMetrics() {}

  private record Depth(long jobs, long pendingDeliveries) {}

  /** The values behind the gauges. */
  private static final class Gauges {
    volatile double jobs;
    volatile double pendingDeliveries;
  }

  public static Behavior<PeriodicRefresh.Command> create(DataSource dataSource, Executor jdbc, MeterRegistry registry, Duration interval) {
    Gauges gauges = new Gauges();
    Gauge.builder("herald.push.outbox.jobs", gauges, g -> g.jobs)
        .description("Push jobs (messages) whose recipients are still being expanded; shared database, same on every node")
        .strongReference(true)
        .register(registry);
    Gauge.builder("herald.push.outbox.deliveries.pending", gauges, g -> g.pendingDeliveries)
        .description("Push deliveries (one per device and message) waiting to be sent or retried; shared database, same on every node")
        .strongReference(true)
        .register(registry);
    return PeriodicRefresh.create(
        "the push outbox depth",
        interval,
        () -> Sql.async(jdbc, () -> read(dataSource)),
        depth -> {
          gauges.jobs = depth.jobs();
          gauges.pendingDeliveries = depth.pendingDeliveries();
        });
  }

  private static Depth read(DataSource dataSource) throws SQLException {
    try (Connection conn = dataSource.getConnection();
        Statement st = conn.createStatement()) {
      return new Depth(
          count(st, "SELECT chat_id FROM push_jobs"),
          count(st, "SELECT session_id FROM push_deliveries WHERE status = 'pending'"));
    }
  }

  private static long count(Statement st, String rows) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM (" + rows + " FETCH FIRST " + MAX_COUNT + " ROWS ONLY) r")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
