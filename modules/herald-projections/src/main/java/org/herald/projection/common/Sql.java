package org.herald.projection.common;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.herald.domain.common.UtcTime;

/** Small JDBC helpers shared by the repositories. */
public final class Sql {
  private Sql() {}

  /** A query body that may throw {@link SQLException}. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws SQLException;
  }

  /** Runs blocking JDBC work on the JDBC dispatcher, never on the caller's thread. */
  public static <T> CompletionStage<T> async(Executor jdbcExecutor, Work<T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return work.run();
          } catch (SQLException e) {
            throw new CompletionException(new ReadModelUnavailable(e));
          }
        },
        jdbcExecutor);
  }

  /** Work on one connection. */
  @FunctionalInterface
  public interface ConnectionWork<T> {
    T run(Connection conn) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction on its own pooled connection, on the JDBC dispatcher:
   * committed when it returns, rolled back when it throws.
   */
  public static <T> CompletionStage<T> transaction(DataSource dataSource, Executor jdbcExecutor, ConnectionWork<T> work) {
    return async(
        jdbcExecutor,
        () -> {
          try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            try {
              T result = work.run(conn);
              conn.commit();
              return result;
            } catch (SQLException | RuntimeException e) {
              conn.rollback();
              throw e;
            }
          }
        });
  }

  /** The journal ordering of an envelope: the position the difference call pages by. */
  public static long ordering(org.apache.pekko.persistence.query.Offset offset) {
    if (offset instanceof org.apache.pekko.persistence.query.Sequence seq) {
      return seq.value();
    }
    throw new IllegalStateException("chat projections read a sequence-ordered journal, got " + offset);
  }

  /** Sets a statement's parameters. */
  @FunctionalInterface
  public interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Reads one row. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** A read-only query on its own pooled connection, on the JDBC dispatcher. */
  public static <T> CompletionStage<List<T>> query(
      DataSource dataSource, Executor jdbcExecutor, String sql, Binder binder, RowMapper<T> mapper) {
    return async(
        jdbcExecutor,
        () -> {
          try (Connection conn = dataSource.getConnection();
              PreparedStatement ps = conn.prepareStatement(sql)) {
            binder.bind(ps);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                rows.add(mapper.map(rs));
              }
            }
            return rows;
          }
        });
  }

  public static void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
    if (instant == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, UtcTime.offsetDateTime(instant));
    }
  }

  public static Instant getInstant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  public static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  /** The stored text form of sealed content ({@link Sealed#encoded()}), null for none. */
  public static String encoded(org.herald.domain.content.Sealed sealed) {
    return sealed == null ? null : sealed.encoded();
  }

  public static Long getLong(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }

  /** Unique violation: the same SQLSTATE on PostgreSQL and H2. */
  private static final String UNIQUE_VIOLATION = "23505";

  /**
   * Adds {@code delta} to one counter of the row with these keys, creating the row when it is
   * missing. Portable (PostgreSQL and H2 share no upsert syntax): update; if no row, insert; if
   * a concurrent transaction inserted it first (unique violation), undo to a savepoint and
   * update again, which then finds its committed row.
   */
  public static void increment(Connection conn, String table, String[] keys, Object[] values, String counter, long delta)
      throws SQLException {
    StringBuilder where = new StringBuilder();
    for (int i = 0; i < keys.length; i++) {
      where.append(i == 0 ? "" : " AND ").append(keys[i]).append(" = ?");
    }
    String update = "UPDATE " + table + " SET " + counter + " = " + counter + " + ? WHERE " + where;
    if (update(conn, update, delta, values) > 0) {
      return;
    }
    String insert =
        "INSERT INTO " + table + " (" + String.join(", ", keys) + ", " + counter + ") VALUES ("
            + "?, ".repeat(keys.length) + "?)";
    Object[] row = new Object[values.length + 1];
    System.arraycopy(values, 0, row, 0, values.length);
    row[values.length] = delta;
    if (!insertUnlessPresent(conn, insert, row)) {
      update(conn, update, delta, values);
    }
  }

  private static int update(Connection conn, String sql, long delta, Object[] keys) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setLong(1, delta);
      for (int i = 0; i < keys.length; i++) {
        ps.setObject(i + 2, keys[i]);
      }
      return ps.executeUpdate();
    }
  }

  /** Inserts one row; false (and nothing changed) when a row with its key already exists. */
  public static boolean insertUnlessPresent(Connection conn, String sql, Object... values) throws SQLException {
    Savepoint savepoint = conn.setSavepoint();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      ps.executeUpdate();
      conn.releaseSavepoint(savepoint);
      return true;
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e;
      }
      conn.rollback(savepoint);
      return false;
    }
  }
}
