package org.herald.projection.ops;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;

/**
 * Readiness check "the journal answers", a Pekko Management health check (registered under
 * {@code pekko.management.health-checks.readiness-checks}). It takes a connection from the
 * journal's own pool (pekko-persistence-jdbc's, through which every event is written) and reads
 * the newest ordering of {@code event_journal} (one index lookup), with a statement timeout of
 * {@code herald.health.journal-query-timeout}. It runs on {@code herald.health-dispatcher},
 * never on an actor's or the HTTP dispatcher's thread, and probes arriving while one is in
 * flight share its answer. It fails, saying why, rather than answer false.
 */
public final class JournalCheck implements Supplier<CompletionStage<Boolean>> {
  private final ActorSystem system;
  private final Executor executor;
  private final int timeoutSeconds;
  private final SingleFlight<Boolean> probe = new SingleFlight<>();

  public JournalCheck(ActorSystem system) {
    this.system = system;
    this.executor = system.dispatchers().lookup("herald.health-dispatcher");
    long millis = system.settings().config().getDuration("herald.health.journal-query-timeout").toMillis();
    this.timeoutSeconds = (int) Math.max(1, (millis + 999) / 1000);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return probe.run(
        executor,
        () -> {
          try (Connection conn = journalConnection(system);
              Statement st = conn.createStatement()) {
            st.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = st.executeQuery("SELECT MAX(\"ordering\") FROM \"event_journal\"")) {
              rs.next();
            }
            return true;
          } catch (SQLException | RuntimeException e) {
            throw new IllegalStateException("the journal does not answer: " + e.getMessage(), e);
          }
        });
  }

  /** A connection from the journal's pool ({@code jdbc-journal}'s database, shared or its own). */
  static Connection journalConnection(ActorSystem system) throws SQLException {
    String plugin = system.settings().config().getString("pekko.persistence.journal.plugin");
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system);
    return slick.database(system.settings().config().getConfig(plugin)).database().source().createConnection();
  }
}
