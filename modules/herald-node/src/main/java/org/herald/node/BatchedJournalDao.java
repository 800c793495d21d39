package org.herald.node;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Array;
import java.sql.Connection;
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
import org.postgresql.PGConnection;
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
 * Here a batch is <em>one</em> statement: the rows travel as arrays, {@code unnest} turns them
 * back into rows, the journal insert returns each row's {@code ordering}, and the tag insert in
 * the same statement joins on it. A single statement in auto-commit is its own transaction, so
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
 * statement took, from building its arrays to the commit (buckets from 0.1 ms): next to {@code
 * herald_journal_write_duration_seconds} it tells the database's share of a write's wait from
 * the node's (the queue, the hand-offs between threads).
 */
public final class BatchedJournalDao extends DefaultJournalDao {
  private final String sql;
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
    var journal = journalConfig.eventJournalTableConfiguration();
    var tags = journalConfig.eventTagTableConfiguration();
    String journalTable = qualified(journal.schemaName(), journal.tableName());
    String tagTable = qualified(tags.schemaName(), tags.tableName());
    var j = journal.columnNames();
    var t = tags.columnNames();
    this.sql =
        "WITH j AS (INSERT INTO "
            + journalTable
            + " ("
            + String.join(
                ", ",
                j.persistenceId(),
                j.sequenceNumber(),
                j.deleted(),
                j.writer(),
                j.writeTimestamp(),
                j.adapterManifest(),
                j.eventSerId(),
                j.eventSerManifest(),
                j.eventPayload())
            + ") SELECT * FROM unnest(?::text[], ?::int8[], ?::bool[], ?::text[], ?::int8[], ?::text[], ?::int4[], ?::text[], ?::bytea[])"
            + " RETURNING "
            + j.ordering()
            + ", "
            + j.persistenceId()
            + ", "
            + j.sequenceNumber()
            + ") INSERT INTO "
            + tagTable
            + " ("
            + t.eventId()
            + ", "
            + t.tag()
            + ") SELECT j."
            + j.ordering()
            + ", x.tag FROM j JOIN unnest(?::text[], ?::int8[], ?::text[]) AS x(pid, seq, tag) ON j."
            + j.persistenceId()
            + " = x.pid AND j."
            + j.sequenceNumber()
            + " = x.seq";
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
              this::insert,
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

  private static String qualified(scala.Option<String> schema, String table) {
    return schema.isDefined() ? schema.get() + "." + table : table;
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

  private void insert(
      Connection connection, List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows)
      throws SQLException {
    int n = rows.size();
    String[] pids = new String[n];
    long[] seqs = new long[n];
    boolean[] deleted = new boolean[n];
    String[] writers = new String[n];
    long[] timestamps = new long[n];
    String[] adapters = new String[n];
    int[] serIds = new int[n];
    String[] manifests = new String[n];
    byte[][] payloads = new byte[n][];
    List<String> tagPids = new ArrayList<>(n);
    List<Long> tagSeqs = new ArrayList<>(n);
    List<String> tagNames = new ArrayList<>(n);
    var it = rows.iterator();
    for (int i = 0; i < n; i++) {
      Tuple2<JournalPekkoSerializationRow, Set<String>> next = it.next();
      JournalPekkoSerializationRow row = next._1();
      pids[i] = row.persistenceId();
      seqs[i] = row.sequenceNumber();
      deleted[i] = row.deleted();
      writers[i] = row.writer();
      timestamps[i] = row.writeTimestamp();
      adapters[i] = row.adapterManifest();
      serIds[i] = row.eventSerId();
      manifests[i] = row.eventSerManifest();
      payloads[i] = row.eventPayload();
      var tags = next._2().iterator();
      while (tags.hasNext()) {
        tagPids.add(row.persistenceId());
        tagSeqs.add(row.sequenceNumber());
        tagNames.add(tags.next());
      }
    }
    // The writers' pool hands out auto-commit connections; a single statement is then its own
    // transaction, committed before executeUpdate returns.
    if (!connection.getAutoCommit()) {
      connection.setAutoCommit(true);
    }
    // PgConnection takes primitive arrays as they are (no boxing of each number).
    PGConnection pg = connection.unwrap(PGConnection.class);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      Array[] arrays = {
        pg.createArrayOf("text", pids),
        pg.createArrayOf("int8", seqs),
        pg.createArrayOf("bool", deleted),
        pg.createArrayOf("text", writers),
        pg.createArrayOf("int8", timestamps),
        pg.createArrayOf("text", adapters),
        pg.createArrayOf("int4", serIds),
        pg.createArrayOf("text", manifests),
        pg.createArrayOf("bytea", payloads),
        pg.createArrayOf("text", tagPids.toArray(String[]::new)),
        pg.createArrayOf("int8", tagSeqs.stream().mapToLong(Long::longValue).toArray()),
        pg.createArrayOf("text", tagNames.toArray(String[]::new))
      };
      for (int i = 0; i < arrays.length; i++) {
        statement.setArray(i + 1, arrays[i]);
      }
      statement.executeUpdate();
    }
  }

  /** A failed batch: the plugin fails every write in it, and their entities restart. */
  static final class JournalWriteException extends RuntimeException {
    JournalWriteException(SQLException cause) {
      super("journal batch write failed: " + cause.getMessage(), cause);
    }
  }
}
