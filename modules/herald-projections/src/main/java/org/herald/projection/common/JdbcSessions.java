package org.herald.projection.common;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.projection.jdbc.JdbcSession;
import org.postgresql.PGConnection;

/**
 * A pekko-projection-jdbc session over one pooled connection, in one transaction: the handler's
 * rows and the projection's offset commit together (exactly-once).
 */
public final class JdbcSessions implements JdbcSession {
  private final DataSource dataSource;
  private Connection connection;

  public JdbcSessions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = dataSource.getConnection();
      connection.setAutoCommit(false);
      if (connection.isWrapperFor(PGConnection.class)) {
        // A read model is derived from the journal, and its offset commits in the same
        // transaction: should the database crash before this commit reaches the disk, rows and
        // offset are lost together and the events are projected again. So the commit need not
        // wait for its WAL flush (the journal's commits still do: an acknowledged message is on
        // disk). With dozens of projection instances committing every 50 ms, waiting for those
        // flushes was most of PostgreSQL's work per message (docs/benchmarks.md). Any later
        // synchronous commit flushes this one too (WAL is written in order).
        try (Statement st = connection.createStatement()) {
          st.execute("SET LOCAL synchronous_commit = off");
        }
      }
    }
    return connection;
  }

  @Override
  public <R> R withConnection(Function<Connection, R> func) throws Exception {
    return func.apply(connection());
  }

  @Override
  public void commit() throws SQLException {
    if (connection != null) {
      connection.commit();
    }
  }

  @Override
  public void rollback() throws SQLException {
    if (connection != null) {
      connection.rollback();
    }
  }

  @Override
  public void close() throws SQLException {
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }
}
