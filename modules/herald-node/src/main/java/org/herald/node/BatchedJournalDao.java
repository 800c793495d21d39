package org.herald.node;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import org.herald.domain.common.Metrics;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.PostgresProfile;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/**
 * pekko-persistence-jdbc's journal DAO with one round trip per write batch on PostgreSQL: the
 * {@code jdbc-journal.dao} of {@code persistence.conf}.
 *
 * <p>The plugin gathers the writes of many entities into batches (up to {@code
 * batchSize} events, {@code parallelism} batches at once), but its Slick query then inserts them
 * one statement per event, and once more per tag, inside a transaction: 2N + 2 round trips for N
 * events (measured with pg_stat_statements: one INSERT call per journal row and per tag row).
 * Here a batch is <em>one</em> statement ({@link JournalInserts}): the journal insert returns
 * each row's {@code ordering}, and the tag insert in the same statement joins on it; a batch of
 * a few rows lists them as parameters, a larger one sends them as arrays that {@code unnest}
 * turns back into rows. A single statement in auto-commit is its own transaction, so
 * the batch is exactly as durable and as atomic as before (a write is acknowledged only once
 * committed; all of a batch or nothing), and rows keep the order they arrive in, so a
 * persistence id's events get increasing orderings.
 *
 * <p>Other databases (the embedded H2 of a single node) and rows carrying event metadata (Herald
 * writes none) take the plugin's own path. Reads and recovery are the plugin's; so are deletes,
 * which then remove the deleted events' tag rows ({@link #delete}).
 *
 * <p>On PostgreSQL the batches are gathered and written by {@link JournalBatchWriter} (same
 * {@code batchSize}, {@code parallelism} and {@code bufferSize}), not the plugin's queue, on a
 * pool of {@code parallelism} connections of its own. Meter: {@code
 * herald_journal_statement_duration_seconds{outcome="ok|failed"}}, the time each batch's
 * statement took, from binding its rows to the commit (buckets from 0.1 ms): next to {@code
 * herald_journal_write_duration_seconds} it tells the database's share of a write's wait from
 * the node's (the queue, the hand-offs between threads).
 */
public final class BatchedJournalDao extends DefaultJournalDao {
  private final JournalInserts inserts;
  private final String orderingsSql;
  private final String deleteTagsSql;
  private final JournalBatchWriter<Tuple2<JournalPekkoSerializationRow, Set<String>>> writer;

  public BatchedJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    this.inserts = new JournalInserts(journalConfig);
    var journal = journalConfig.eventJournalTableConfiguration();
    var tags = journalConfig.eventTagTableConfiguration();
    String journalTable = JournalInserts.qualified(journal.schemaName(), journal.tableName());
    String tagTable = JournalInserts.qualified(tags.schemaName(), tags.tableName());
    var j = journal.columnNames();
    var t = tags.columnNames();
    this.orderingsSql =
        "SELECT "
            + j.ordering()
            + " FROM "
            + journalTable
            + " WHERE "
            + j.persistenceId()
            + " = ? AND "
            + j.sequenceNumber()
            + " <= ?";
    this.deleteTagsSql =
        "DELETE FROM "
            + tagTable
            + " WHERE "
            + t.eventId()
            + " = ANY(?) AND NOT EXISTS (SELECT 1 FROM "
            + journalTable
            + " j WHERE j."
            + j.ordering()
            + " = "
            + tagTable
            + "."
            + t.eventId()
            + ")";
    if (profile instanceof PostgresProfile) {
      var dao = journalConfig.daoConfig();
      var system = mat.system();
      HikariDataSource pool = writerPool(db, dao.parallelism());
      this.writer =
          new JournalBatchWriter<>(
              "herald-journal-writer",
              pool::getConnection,
              inserts::insert,
              dao.parallelism(),
              dao.batchSize(),
              dao.bufferSize(),
              Metrics.get(Adapter.toTyped(system)).registry());
      system.registerOnTermination(
          () -> {
            writer.stop();
            pool.close();
          });
    } else {
      this.writer = null;
    }
  }

  /**
   * The writers' own connections, as many as writers, with the journal pool's settings: Slick's
   * threads count on having all of the journal pool's connections, and a writer never waits for
   * one that a recovery's read holds.
   */
  private static HikariDataSource writerPool(JdbcBackend.JdbcDatabaseDef db, int writers) {
    if (!(db.source() instanceof HikariCPJdbcDataSource hikari)) {
      throw new IllegalStateException(
          "the journal's database is not a HikariCP pool: " + db.source());
    }
    HikariConfig config = new HikariConfig();
    hikari.ds().copyStateTo(config);
    config.setPoolName("herald-journal-writers");
    config.setMaximumPoolSize(Math.max(1, writers));
    config.setMinimumIdle(Math.max(1, writers));
    config.setAutoCommit(true);
    config.setReadOnly(false);
    return new HikariDataSource(config);
  }

  /**
   * On PostgreSQL, a write goes to this DAO's own {@link JournalBatchWriter} instead of the
   * plugin's queue (rows with metadata, which Herald never writes, still take the plugin's path).
   */
  @Override
  public Future<BoxedUnit> queueWriteJournalRows(
      Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    if (writer == null || hasMetadata(rows)) {
      return super.queueWriteJournalRows(rows);
    }
    return writer.submit(CollectionConverters.asJava(rows));
  }

  /**
   * Deletes a persistence id's events up to {@code maxSequenceNr} with the plugin's delete, then
   * the tag rows of the events it removed. Herald's PostgreSQL schema has no foreign key from
   * {@code event_tag} to the journal (migration V15: it cost a lookup and a row lock per event
   * written), so its {@code ON DELETE CASCADE} is done here, for exactly the rows the cascade
   * would have removed: the plugin keeps its highest deleted event (marked deleted), and that
   * one keeps its tag row. Herald itself deletes no events; this keeps the journal's contract for
   * whoever does. Should the last step fail, tag rows are left without their events, which
   * readers never see (they join the journal).
   */
  @Override
  public Future<BoxedUnit> delete(String persistenceId, long maxSequenceNr) {
    if (writer == null) {
      return super.delete(persistenceId, maxSequenceNr);
    }
    Future<Long[]> orderings =
        SlickJdbc.run(
            db(),
            connection -> {
              try (PreparedStatement ps = connection.prepareStatement(orderingsSql)) {
                ps.setString(1, persistenceId);
                ps.setLong(2, maxSequenceNr);
                List<Long> found = new ArrayList<>();
                try (var rs = ps.executeQuery()) {
                  while (rs.next()) {
                    found.add(rs.getLong(1));
                  }
                }
                return found.toArray(Long[]::new);
              }
            },
            BatchedJournalDao::deleteFailed);
    return orderings
        .flatMap(deleted -> super.delete(persistenceId, maxSequenceNr).map(done -> deleted, ec()), ec())
        .flatMap(
            deleted ->
                SlickJdbc.run(
                    db(),
                    connection -> {
                      try (PreparedStatement ps = connection.prepareStatement(deleteTagsSql)) {
                        ps.setArray(1, connection.createArrayOf("int8", deleted));
                        ps.executeUpdate();
                        return BoxedUnit.UNIT;
                      }
                    },
                    BatchedJournalDao::deleteFailed),
            ec());
  }

  private static RuntimeException deleteFailed(SQLException e) {
    return new IllegalStateException("journal delete failed: " + e.getMessage(), e);
  }

  private static boolean hasMetadata(Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    var it = rows.iterator();
    while (it.hasNext()) {
      if (it.next()._1().metaPayload().isDefined()) {
        return true;
      }
    }
    return false;
  }

  /** A failed batch: the plugin fails every write in it, and their entities restart. */
  static final class JournalWriteException extends RuntimeException {
    JournalWriteException(SQLException cause) {
      super("journal batch write failed: " + cause.getMessage(), cause);
    }
  }
}
