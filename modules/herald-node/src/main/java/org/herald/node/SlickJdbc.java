package org.herald.node;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;
import scala.concurrent.Future;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.SimpleJdbcAction;

/**
 * Plain JDBC work in the journal DAOs, run by Slick on one of the plugin's pooled connections and
 * its own executor, never on the caller's thread (an actor's or a stream's).
 */
final class SlickJdbc {
  private SlickJdbc() {}

  /** JDBC work on one connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs {@code work}; an {@link SQLException} fails the future as {@code failure} makes it. */
  static <T> Future<T> run(
      JdbcBackend.JdbcDatabaseDef db, Work<T> work, Function<SQLException, RuntimeException> failure) {
    var action =
        new SimpleJdbcAction<T>(
            ctx -> {
              try {
                return work.run(ctx.connection());
              } catch (SQLException e) {
                throw failure.apply(e);
              }
            });
    @SuppressWarnings({"unchecked", "rawtypes"}) // Slick's effect type is Scala's Nothing
    Future<T> result = db.run((DBIOAction) action);
    return result;
  }
}
