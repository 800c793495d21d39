package org.herald.loadgen.ceiling;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * The physical write limit of this machine's PostgreSQL for the journal's workload, measured
 * through plain JDBC so that no journal plugin, pool or actor stands between the figure and the
 * database: what Herald's journal could reach at best, against which its measured rate is read.
 *
 * <p>It creates two tables of its own, {@code bench_ceiling_journal} shaped exactly like
 * Herald's PostgreSQL {@code event_journal} (pekko-persistence-jdbc's) and {@code
 * bench_ceiling_tag} like its {@code event_tag} (the plugin's, without the foreign key to the
 * journal that Herald's migration V15 dropped: with it, every row cost more than Herald's own),
 * runs two modes for the same duration each, and drops both tables at the end, also when a mode
 * fails:
 *
 * <ul>
 *   <li><b>batched</b>: each thread commits batches of {@code batchSize} journal rows and one tag
 *       row per event, one transaction per batch. The batch draws its {@code ordering} values from
 *       the table's sequence in one query, then sends the journal rows and the tag rows as two JDBC
 *       batches that {@code reWriteBatchedInserts=true} turns into multi-row INSERTs: four round
 *       trips per batch, whatever its size.
 *   <li><b>single-row</b>: each thread commits one journal row and its tag row per transaction, one
 *       statement (a data-modifying CTE) in auto-commit, so each row costs one round trip and one
 *       commit, the least a synchronously committed event can cost.
 * </ul>
 *
 * <p>Events carry a {@value #PAYLOAD_BYTES}-byte payload (a typical serialized chat event),
 * persistence ids distinct within a batch and sequence numbers growing per id. Durability is the
 * server's: nothing here changes {@code synchronous_commit}, so the figures hold for the settings
 * the result reports.
 */
public final class Ceiling {

  /** Size of each event's payload: a serialized message event with its text, about 250 bytes. */
  public static final int PAYLOAD_BYTES = 250;

  static final String JOURNAL = "bench_ceiling_journal";
  static final String TAG = "bench_ceiling_tag";

  /** Persistence ids per thread: more than any batch, so a batch never repeats an id. */
  private static final int IDS_PER_THREAD = 1024;

  private static final String COLUMNS =
      "persistence_id, sequence_number, deleted, writer, write_timestamp, adapter_manifest,"
          + " event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest,"
          + " meta_payload";

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private static final String EVENT_MANIFEST = "org.herald.domain.chat.ChatEvent$MessageSent";

  private Ceiling() {}

  /**
   * Measures both modes, {@code durationPerMode} each, and drops the tables it created.
   *
   * @param jdbcUrl a PostgreSQL URL; {@code reWriteBatchedInserts=true} is added when missing
   * @param threads writer threads per mode, each with its own connection
   * @param batchSize journal rows per transaction in the batched mode
   * @param progressRows called about once a second with the journal rows committed so far by this
   *     call, both modes together; may be {@code null}
   * @throws SQLException when the database refuses the tables or a write; the first failure of any
   *     thread ends the mode
   */
  public static CeilingResult measure(
      String jdbcUrl,
      String user,
      String password,
      Duration durationPerMode,
      int threads,
      int batchSize,
      LongConsumer progressRows)
      throws SQLException, InterruptedException {
    if (threads < 1 || batchSize < 1 || durationPerMode.isNegative() || durationPerMode.isZero()) {
      throw new IllegalArgumentException("threads, batchSize and durationPerMode must be positive");
    }
    String url = withBatchRewrite(jdbcUrl);
    LongConsumer progress = progressRows == null ? rows -> {} : progressRows;
    try (Connection admin = DriverManager.getConnection(url, user, password)) {
      String synchronousCommit = show(admin, "synchronous_commit");
      String fsync = show(admin, "fsync");
      createTables(admin);
      try {
        Run run = new Run(url, user, password, durationPerMode, threads, progress);
        CeilingResult.Mode batched = run.mode("batched", (c, w) -> w.batch(c, batchSize), 0);
        truncate(admin);
        CeilingResult.Mode single = run.mode("single-row", (c, w) -> w.single(c), batched.rows());
        return new CeilingResult(
            synchronousCommit, fsync, threads, batchSize, PAYLOAD_BYTES, batched, single);
      } finally {
        dropTables(admin);
      }
    }
  }

  static String withBatchRewrite(String url) {
    if (url.contains("reWriteBatchedInserts=")) {
      return url;
    }
    return url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
  }

  private static String show(Connection c, String setting) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * The DDL of pekko-persistence-jdbc 1.1.1's schema/postgres/postgres-create-schema.sql, less
   * the tag table's foreign key (as in Herald's schema since V15). Herald's second tag index,
   * {@code (tag, event_id)}, is not here: the ceiling stays the cheaper of the two.
   */
  private static void createTables(Connection c) throws SQLException {
    dropTables(c);
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE "
              + JOURNAL
              + " ("
              + " ordering BIGSERIAL,"
              + " persistence_id VARCHAR(255) NOT NULL,"
              + " sequence_number BIGINT NOT NULL,"
              + " deleted BOOLEAN DEFAULT FALSE NOT NULL,"
              + " writer VARCHAR(255) NOT NULL,"
              + " write_timestamp BIGINT,"
              + " adapter_manifest VARCHAR(255),"
              + " event_ser_id INTEGER NOT NULL,"
              + " event_ser_manifest VARCHAR(255) NOT NULL,"
              + " event_payload BYTEA NOT NULL,"
              + " meta_ser_id INTEGER,"
              + " meta_ser_manifest VARCHAR(255),"
              + " meta_payload BYTEA,"
              + " PRIMARY KEY (persistence_id, sequence_number))");
      s.execute("CREATE UNIQUE INDEX " + JOURNAL + "_ordering_idx ON " + JOURNAL + " (ordering)");
      s.execute(
          "CREATE TABLE "
              + TAG
              + " ("
              + " event_id BIGINT,"
              + " tag VARCHAR(256),"
              + " PRIMARY KEY (event_id, tag))");
    }
  }

  /** Empties both tables between modes, so the second does not write into a bigger index. */
  private static void truncate(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("TRUNCATE " + TAG + ", " + JOURNAL);
    }
  }

  private static void dropTables(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + TAG + ", " + JOURNAL);
    }
  }

  /** One transaction of a mode; answers the journal rows it committed. */
  private interface Transaction {
    int run(Connection c, Writer w) throws SQLException;
  }

  /** Runs one mode: the threads, the per-second sampling and the figures. */
  private record Run(String url, String user, String password, Duration duration, int threads, LongConsumer progress) {
    /** One mode; {@code rowsBefore} (rows of earlier modes) offsets what {@code progress} hears. */
    CeilingResult.Mode mode(String name, Transaction transaction, long rowsBefore)
        throws SQLException, InterruptedException {
      LongAdder rows = new LongAdder();
      LongAdder transactions = new LongAdder();
      AtomicLong lastEnd = new AtomicLong();
      AtomicReference<SQLException> failure = new AtomicReference<>();
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      long[][] latencies = new long[threads][];
      long[] deadline = new long[1];
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int index = t;
        Thread worker =
            new Thread(
                () -> {
                  boolean counted = false;
                  try (Connection c = DriverManager.getConnection(url, user, password)) {
                    Writer w = new Writer(name.charAt(0) + "-" + index);
                    ready.countDown();
                    counted = true;
                    go.await();
                    Latencies own = new Latencies();
                    while (failure.get() == null && System.nanoTime() < deadline[0]) {
                      long start = System.nanoTime();
                      int committed = transaction.run(c, w);
                      long end = System.nanoTime();
                      own.add(end - start);
                      rows.add(committed);
                      transactions.increment();
                      lastEnd.accumulateAndGet(end, Math::max);
                    }
                    latencies[index] = own.toArray();
                  } catch (SQLException e) {
                    failure.compareAndSet(null, e);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } finally {
                    if (!counted) {
                      ready.countDown();
                    }
                  }
                },
                "ceiling-" + name + "-" + t);
        workers.add(worker);
        worker.start();
      }
      ready.await();
      long start = System.nanoTime();
      deadline[0] = start + duration.toNanos();
      go.countDown();
      // Samples whole seconds only; the threads finish their last transaction after the deadline.
      List<Long> samples = new ArrayList<>();
      long sampled = 0;
      long next = start + SECOND;
      for (; next <= deadline[0] && failure.get() == null; next += SECOND) {
        TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
        long total = rows.sum();
        samples.add(total - sampled);
        sampled = total;
        progress.accept(rowsBefore + total);
      }
      for (Thread w : workers) {
        w.join();
      }
      if (failure.get() != null) {
        throw failure.get();
      }
      long elapsed = Math.max(1, lastEnd.get() - start);
      long committed = rows.sum();
      progress.accept(rowsBefore + committed);
      long[] all = merge(latencies);
      return new CeilingResult.Mode(
          name,
          committed,
          transactions.sum(),
          Duration.ofNanos(elapsed),
          committed / (elapsed / 1e9),
          Duration.ofNanos(percentile(all, 0.50)),
          Duration.ofNanos(percentile(all, 0.99)),
          samples);
    }
  }

  /** One thread's connection-bound statements and its events' ids, sequence numbers, payload. */
  private static final class Writer {
    private final String idPrefix;
    private final String writerUuid = UUID.randomUUID().toString();
    private final byte[] payload = new byte[PAYLOAD_BYTES];
    private long events;
    private PreparedStatement nextOrderings;
    private PreparedStatement insertJournal;
    private PreparedStatement insertTag;
    private PreparedStatement insertOne;

    Writer(String threadName) {
      this.idPrefix = "Chat|ceiling-" + threadName + "-";
      new Random(threadName.hashCode()).nextBytes(payload);
    }

    /** One batch: orderings from the sequence, journal rows, tag rows, commit. */
    int batch(Connection c, int size) throws SQLException {
      if (insertJournal == null) {
        c.setAutoCommit(false);
        nextOrderings =
            c.prepareStatement(
                "SELECT nextval('" + JOURNAL + "_ordering_seq') FROM generate_series(1, ?)");
        insertJournal =
            c.prepareStatement(
                "INSERT INTO "
                    + JOURNAL
                    + " (ordering, "
                    + COLUMNS
                    + ")"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insertTag = c.prepareStatement("INSERT INTO " + TAG + " (event_id, tag) VALUES (?, ?)");
      }
      try {
        long[] orderings = new long[size];
        nextOrderings.setInt(1, size);
        try (ResultSet rs = nextOrderings.executeQuery()) {
          for (int i = 0; i < size && rs.next(); i++) {
            orderings[i] = rs.getLong(1);
          }
        }
        long now = System.currentTimeMillis();
        for (int i = 0; i < size; i++) {
          long event = events + i;
          insertJournal.setLong(1, orderings[i]);
          bindEvent(insertJournal, 2, event, now);
          insertJournal.addBatch();
          insertTag.setLong(1, orderings[i]);
          insertTag.setString(2, tag(event));
          insertTag.addBatch();
        }
        insertJournal.executeBatch();
        insertTag.executeBatch();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
      events += size;
      return size;
    }

    /** One event in its own transaction: a single auto-committed statement. */
    int single(Connection c) throws SQLException {
      if (insertOne == null) {
        c.setAutoCommit(true);
        insertOne =
            c.prepareStatement(
                "WITH j AS (INSERT INTO "
                    + JOURNAL
                    + " ("
                    + COLUMNS
                    + ")"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ordering)"
                    + " INSERT INTO "
                    + TAG
                    + " (event_id, tag) SELECT ordering, ? FROM j");
      }
      bindEvent(insertOne, 1, events, System.currentTimeMillis());
      insertOne.setString(13, tag(events));
      insertOne.executeUpdate();
      events++;
      return 1;
    }

    /** Binds the twelve columns Slick's journal insert writes, from parameter {@code first}. */
    private void bindEvent(PreparedStatement ps, int first, long event, long now)
        throws SQLException {
      ps.setString(first, idPrefix + (event % IDS_PER_THREAD));
      ps.setLong(first + 1, event / IDS_PER_THREAD + 1);
      ps.setBoolean(first + 2, false);
      ps.setString(first + 3, writerUuid);
      ps.setLong(first + 4, now);
      ps.setString(first + 5, "");
      ps.setInt(first + 6, 33);
      ps.setString(first + 7, EVENT_MANIFEST);
      ps.setBytes(first + 8, payload);
      ps.setNull(first + 9, Types.INTEGER);
      ps.setNull(first + 10, Types.VARCHAR);
      ps.setNull(first + 11, Types.BINARY);
    }

    /** Herald tags each chat event with one of eight tags. */
    private static String tag(long event) {
      return "chat-" + (event % 8);
    }
  }

  /** A growable array of transaction times in nanoseconds. */
  private static final class Latencies {
    private long[] values = new long[1024];
    private int size;

    void add(long nanos) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = nanos;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  private static long[] merge(long[][] perThread) {
    long[] all =
        Arrays.stream(perThread).filter(a -> a != null).flatMapToLong(Arrays::stream).toArray();
    Arrays.sort(all);
    return all;
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
