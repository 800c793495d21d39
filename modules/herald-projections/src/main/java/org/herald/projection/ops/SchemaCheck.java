package org.herald.projection.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Readiness check "the schema is migrated", a Pekko Management health check: the node migrates
 * before it starts and records the version it reached in {@code herald.db.schema-version}; this
 * check confirms that the database the journal writes to has that migration in its Flyway
 * history (a database restored from an older backup, or another database behind the same
 * address, has not). Once confirmed it answers from memory: a schema does not go back.
 */
public final class SchemaCheck implements Supplier<CompletionStage<Boolean>> {
  private final ActorSystem system;
  private final Executor executor;
  private final String expected;
  private final SingleFlight<Boolean> probe = new SingleFlight<>();
  private volatile boolean confirmed;

  public SchemaCheck(ActorSystem system) {
    this.system = system;
    this.executor = system.dispatchers().lookup("herald.health-dispatcher");
    this.expected = system.settings().config().getString("herald.db.schema-version");
  }

  @Override
  public CompletionStage<Boolean> get() {
    if (confirmed) {
      return CompletableFuture.completedFuture(true);
    }
    if (expected.isBlank()) {
      return CompletableFuture.failedFuture(new IllegalStateException("the node did not migrate the schema (herald.db.schema-version is not set)"));
    }
    return probe.run(
        executor,
        () -> {
          try (Connection conn = JournalCheck.journalConnection(system);
              PreparedStatement ps =
                  conn.prepareStatement(
                      "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = ? AND \"success\" = TRUE")) {
            ps.setQueryTimeout(1);
            ps.setString(1, expected);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              if (rs.getLong(1) == 0) {
                throw new IllegalStateException("the schema is not at version " + expected + " (flyway_schema_history)");
              }
            }
            confirmed = true;
            return true;
          } catch (SQLException e) {
            throw new IllegalStateException("cannot read the schema history: " + e.getMessage(), e);
          }
        });
  }
}
