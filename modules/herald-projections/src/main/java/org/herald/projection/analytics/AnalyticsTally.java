package org.herald.projection.analytics;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.herald.domain.common.LruMap;
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

  /**
   * Writes the group's increments, and its active-user marks but those {@code known} to be
   * stored already; marks found stored are added to {@code known}.
   */
  void writeTo(Connection conn, KnownActive known) throws SQLException {
    for (Map.Entry<Row, Long> e : increments.entrySet()) {
      Row row = e.getKey();
      Sql.increment(conn, row.table(), row.keys().toArray(String[]::new), row.values().toArray(), row.counter(), e.getValue());
    }
    for (Active a : active) {
      if (!known.contains(a) && AnalyticsRepository.active(conn, a.day(), a.userId())) {
        known.add(a);
      }
    }
    increments.clear();
    active.clear();
  }

  /**
   * Active-user marks seen committed in the table, remembered by one projection instance so
   * that a user who acts all day is looked up about twice a day instead of once per group (a
   * third of the projection's statements under sustained sends). Only rows found by a lookup
   * are remembered, never one the instance inserted itself: that insert commits only with its
   * group, and a group that fails is retried and must insert again. The rows are never deleted
   * (a rebuild keeps them), so what is remembered stays true. Bounded: the least recently seen
   * marks are forgotten past {@code capacity}.
   */
  static final class KnownActive {
    private final Map<Active, Boolean> marks;

    KnownActive(int capacity) {
      this.marks = new LruMap<>(capacity);
    }

    boolean contains(Active a) {
      return marks.get(a) != null;
    }

    void add(Active a) {
      marks.put(a, Boolean.TRUE);
    }

    int size() {
      return marks.size();
    }
  }
}
