package org.herald.projection.common;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

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
      ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
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
}
