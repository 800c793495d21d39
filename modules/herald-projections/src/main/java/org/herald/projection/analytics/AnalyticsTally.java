package org.herald.projection.analytics;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.herald.projection.common.Sql;

/**
 * The counter increments and active-user marks of one group of events, summed per counter row
 * and deduplicated per user and day, then written at once in the group's transaction: a busy
 * chat's hundred messages are one {@code UPDATE} of its hourly row, not a hundred. Both are
 * order-free (sums; insert-if-absent), so writing them at the end of the group changes nothing
 * but the number of statements.
 */
final class AnalyticsTally {
  private record Row(String table, List<String> keys, List<Object> values, String counter) {}

  private record Active(LocalDate day, String userId) {}

  private final Map<Row, Long> increments = new LinkedHashMap<>();
  private final Set<Active> active = new LinkedHashSet<>();

  void increment(String table, String[] keys, Object[] values, String counter, long delta) {
    increments.merge(new Row(table, List.of(keys), List.of(values), counter), delta, Long::sum);
  }

  void active(LocalDate day, String userId) {
    active.add(new Active(day, userId));
  }

  void writeTo(Connection conn) throws SQLException {
    for (Map.Entry<Row, Long> e : increments.entrySet()) {
      Row row = e.getKey();
      Sql.increment(conn, row.table(), row.keys().toArray(String[]::new), row.values().toArray(), row.counter(), e.getValue());
    }
    for (Active a : active) {
      AnalyticsRepository.active(conn, a.day(), a.userId());
    }
    increments.clear();
    active.clear();
  }
}
