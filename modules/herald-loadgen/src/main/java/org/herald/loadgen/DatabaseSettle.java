package org.herald.loadgen;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Lets the node's database digest one scenario's writes before the next is measured. A
 * saturated {@code pairs} writes hundreds of thousands of messages; right after it PostgreSQL
 * is still checkpointing that WAL (a checkpoint requested by its size every minute or so) and
 * autovacuum comes by the four large tables every minute, so a {@code rate} measured next was
 * measuring that aftermath as much as its own load (docs/benchmarks.md, stop 30). Here the
 * database is vacuumed and analyzed (what autovacuum would do next) and checkpointed, each
 * timed; a role without the right to {@code CHECKPOINT} (PostgreSQL 15's {@code pg_checkpoint},
 * which {@code bin/herald bench} grants its own role) skips that part and says so.
 */
final class DatabaseSettle {
  /** What settling did: seconds vacuuming, seconds checkpointing, or why there was no checkpoint. */
  record Settled(double vacuumSeconds, double checkpointSeconds, String checkpointSkipped) {
    String describe() {
      return String.format(java.util.Locale.ROOT, "VACUUM ANALYZE %.1f s, %s", vacuumSeconds,
          checkpointSkipped == null ? String.format(java.util.Locale.ROOT, "CHECKPOINT %.1f s", checkpointSeconds)
              : "no CHECKPOINT (" + checkpointSkipped + ")");
    }
  }

  private DatabaseSettle() {}

  static Settled settle(String url, String user, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
      // VACUUM runs outside a transaction block: the connection stays in auto-commit.
      c.setAutoCommit(true);
      long t0 = System.nanoTime();
      s.execute("VACUUM (ANALYZE)");
      long t1 = System.nanoTime();
      String skipped = null;
      try {
        s.execute("CHECKPOINT");
      } catch (SQLException e) {
        if (!"42501".equals(e.getSQLState())) {
          throw e;
        }
        skipped = "the role may not: " + e.getMessage();
      }
      long t2 = System.nanoTime();
      return new Settled((t1 - t0) / 1e9, skipped == null ? (t2 - t1) / 1e9 : 0, skipped);
    }
  }
}
