package org.herald.projection.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two instances of one projection (a frozen node's and its replacement) on PostgreSQL, with the
 * offset saved before the handler as pekko-projection does: a group at or below what was applied
 * is refused without being applied, and of two groups applied at once the second waits for the
 * first's commit and is then refused (and its offset write rolled back).
 */
class OffsetFenceIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  static HikariDataSource db;

  @BeforeAll
  static void migrate() {
    db = org.herald.projection.TestDatabases.postgres(pg, "fence-test");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  /** Counts the groups it is asked to apply. */
  static final class Counting extends JdbcHandler<List<EventEnvelope<String>>, JdbcSessions> {
    final AtomicInteger groups = new AtomicInteger();

    @Override
    public void process(JdbcSessions session, List<EventEnvelope<String>> envelopes) {
      groups.incrementAndGet();
    }
  }

  static List<EventEnvelope<String>> group(long from, long to) {
    return LongStream.rangeClosed(from, to)
        .mapToObj(seq -> EventEnvelope.create(Offset.sequence(seq), "Chat|c", seq, "event " + seq, 0L))
        .toList();
  }

  static long last(List<EventEnvelope<String>> group) {
    return ((org.apache.pekko.persistence.query.Sequence) group.get(group.size() - 1).offset()).value();
  }

  /** What pekko-projection's offset store does in the group's transaction, before the handler. */
  static void saveOffset(JdbcSessions session, ProjectionId id, long offset) throws Exception {
    session.withConnection(
        connection -> {
          try (PreparedStatement update = connection.prepareStatement(
              "INSERT INTO pekko_projection_offset_store VALUES (?, ?, ?, 'SEQ', false, 0)"
                  + " ON CONFLICT (projection_name, projection_key) DO UPDATE SET current_offset = EXCLUDED.current_offset")) {
            update.setString(1, id.name());
            update.setString(2, id.key());
            update.setString(3, Long.toString(offset));
            return update.executeUpdate();
          }
        });
  }

  static void apply(OffsetFence<String> fence, ProjectionId id, List<EventEnvelope<String>> group) throws Exception {
    JdbcSessions session = new JdbcSessions(db);
    try {
      saveOffset(session, id, last(group));
      fence.process(session, group);
      session.commit();
    } catch (Exception e) {
      session.rollback();
      throw e;
    } finally {
      session.close();
    }
  }

  @Test
  void aGroupAtOrBelowTheStoredOffsetIsNotApplied() throws Exception {
    ProjectionId id = ProjectionId.of("fence-below", "chat-0");
    Counting counting = new Counting();
    OffsetFence<String> fence = new OffsetFence<>(id, counting);
    apply(fence, id, group(1, 10)); // no offset stored yet
    apply(fence, id, group(11, 20));
    assertEquals(2, counting.groups.get());
    assertThrows(OffsetFence.Overtaken.class, () -> apply(fence, id, group(15, 25)));
    assertThrows(OffsetFence.Overtaken.class, () -> apply(fence, id, group(20, 20)));
    assertEquals(2, counting.groups.get());
    apply(fence, id, group(21, 30));
    assertEquals(3, counting.groups.get());
  }

  @Test
  void ofTwoInstancesApplyingTheSameGroupTheSecondWaitsAndIsRefused() throws Exception {
    ProjectionId id = ProjectionId.of("fence-race", "chat-1");
    Counting first = new Counting();
    Counting second = new Counting();
    apply(new OffsetFence<>(id, first), id, group(1, 10));

    JdbcSessions a = new JdbcSessions(db);
    saveOffset(a, id, 20);
    new OffsetFence<>(id, first).process(a, group(11, 20)); // not committed yet: A holds the rows

    CompletableFuture<Void> b =
        CompletableFuture.runAsync(
            () -> {
              try {
                apply(new OffsetFence<>(id, second), id, group(11, 20));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    assertThrows(TimeoutException.class, () -> b.get(500, TimeUnit.MILLISECONDS), "B must wait for A's row lock");
    a.commit();
    a.close();
    ExecutionException refused = assertThrows(ExecutionException.class, () -> b.get(10, TimeUnit.SECONDS));
    assertInstanceOf(OffsetFence.Overtaken.class, refused.getCause().getCause());
    assertEquals(2, first.groups.get());
    assertEquals(0, second.groups.get());
    try (Connection c = db.getConnection();
        var rs = c.createStatement().executeQuery(
            "SELECT current_offset FROM pekko_projection_offset_store WHERE projection_name = 'fence-race'")) {
      rs.next();
      assertEquals("20", rs.getString(1));
      assertFalse(rs.next());
    }
  }
}
