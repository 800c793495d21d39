package org.herald.projection.common;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * Exactly-once even with two instances of one projection running: a group is applied only when
 * the instance's fence row says no event of it was applied yet. A sharded daemon process runs
 * each projection instance once in the cluster, but a node that froze (a long GC pause,
 * SIGSTOP) and was downed keeps running for a moment after it wakes, next to the instance the
 * survivors started in its place; both would otherwise add the same views and analytics counts.
 *
 * <p>pekko-projection saves its offset row before the handler runs, in the group's transaction,
 * so that row cannot tell whether it was this transaction or another instance that moved it.
 * The fence keeps its own row ({@code projection_fence}, last applied offset), locked ({@code FOR
 * UPDATE}) and advanced in the same transaction. The offset row's lock already makes the second
 * of two concurrent groups wait for the first's commit; it then finds the fence at or past its
 * first event, applies nothing and fails, and the projection restarts from the stored offset.
 */
final class OffsetFence<E> extends JdbcHandler<List<EventEnvelope<E>>, JdbcSessions> {
  static final String LOCK =
      "SELECT applied_offset FROM projection_fence WHERE projection_name = ? AND projection_key = ? FOR UPDATE";
  static final String ADVANCE =
      "UPDATE projection_fence SET applied_offset = ? WHERE projection_name = ? AND projection_key = ?";
  static final String FIRST = "INSERT INTO projection_fence (applied_offset, projection_name, projection_key) VALUES (?, ?, ?)";

  /** Another instance applied events of this group first; nothing of the group was applied. */
  static final class Overtaken extends IllegalStateException {
    Overtaken(String message) {
      super(message);
    }
  }

  private final ProjectionId id;
  private final JdbcHandler<List<EventEnvelope<E>>, JdbcSessions> inner;

  OffsetFence(ProjectionId id, JdbcHandler<List<EventEnvelope<E>>, JdbcSessions> inner) {
    this.id = id;
    this.inner = inner;
  }

  @Override
  public void start() {
    inner.start();
  }

  @Override
  public void stop() {
    inner.stop();
  }

  @Override
  public void process(JdbcSessions session, List<EventEnvelope<E>> envelopes) throws Exception {
    if (envelopes.isEmpty()) {
      return;
    }
    long first = sequence(envelopes.get(0).offset());
    long last = sequence(envelopes.get(envelopes.size() - 1).offset());
    session.withConnection(
        connection -> {
          Long applied = null;
          try (PreparedStatement lock = connection.prepareStatement(LOCK)) {
            lock.setString(1, id.name());
            lock.setString(2, id.key());
            try (ResultSet row = lock.executeQuery()) {
              if (row.next()) {
                applied = row.getLong(1);
              }
            }
          }
          if (applied != null && applied >= first) {
            throw new Overtaken(
                "projection " + id.id() + " already applied offset " + applied + ", at or past this group's first event "
                    + first + ": another instance ran it; restarting from the stored offset");
          }
          // A first group of two instances at once: the primary key lets only one insert.
          try (PreparedStatement advance = connection.prepareStatement(applied == null ? FIRST : ADVANCE)) {
            advance.setLong(1, last);
            advance.setString(2, id.name());
            advance.setString(3, id.key());
            advance.executeUpdate();
          }
          return null;
        });
    inner.process(session, envelopes);
  }

  private static long sequence(Offset offset) {
    if (offset instanceof Sequence sequence) {
      return sequence.value();
    }
    throw new IllegalArgumentException("tagged projections read sequence offsets, got " + offset);
  }
}
