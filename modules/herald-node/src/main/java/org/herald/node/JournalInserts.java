package org.herald.node;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.postgresql.PGConnection;
import scala.Tuple2;
import scala.collection.immutable.Set;

/**
 * The one statement that writes a batch of journal rows and their tag rows on PostgreSQL, for
 * {@link BatchedJournalDao}: the journal insert returns each row's {@code ordering}, and the tag
 * insert of the same statement joins on it. One statement in auto-commit is one transaction: the
 * batch is committed whole or not at all, and its rows keep the order they came in, so a
 * persistence id's events get increasing orderings.
 *
 * <p>Two forms of that statement, the same rows written. A batch of more than {@link #SMALL}
 * rows (or tag rows) travels as twelve arrays that {@code unnest} makes rows of: one statement
 * text for every size. A batch of at most {@link #SMALL} lists its rows as parameters of a
 * {@code VALUES} list, one statement text per size (built here once, prepared by the server
 * like any other): below saturation nearly every write is a batch of one or two, and twelve
 * PgJDBC arrays (each encoded in a buffer of its own, after a type lookup) cost more than the
 * rows they carry. At 1,000 messages a second they were 13 % of everything the node allocated
 * (docs/benchmarks.md, stop 34); measured statement by statement, one row through {@code VALUES}
 * took about a third less of the client's CPU than through arrays, and from eight rows on the
 * arrays cost the server less.
 */
final class JournalInserts {
  /** The most rows, and the most tag rows, a batch may have to be written as a VALUES list. */
  static final int SMALL = 4;

  private static final String JOURNAL_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String TAG_ROW = "(?::text, ?::int8, ?::text)";

  private final String arraysSql;
  /** The VALUES forms by [rows][tag rows]. */
  private final String[][] valuesSql = new String[SMALL + 1][SMALL + 1];

  JournalInserts(JournalConfig config) {
    var journal = config.eventJournalTableConfiguration();
    var tags = config.eventTagTableConfiguration();
    String journalTable = qualified(journal.schemaName(), journal.tableName());
    String tagTable = qualified(tags.schemaName(), tags.tableName());
    var j = journal.columnNames();
    var t = tags.columnNames();
    String insertJournal =
        "INSERT INTO "
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
            + ")";
    String returning =
        " RETURNING " + j.ordering() + ", " + j.persistenceId() + ", " + j.sequenceNumber();
    String insertTags =
        " INSERT INTO " + tagTable + " (" + t.eventId() + ", " + t.tag() + ")"
            + " SELECT j." + j.ordering() + ", x.tag FROM j JOIN ";
    String onRow =
        " AS x(pid, seq, tag) ON j." + j.persistenceId() + " = x.pid"
            + " AND j." + j.sequenceNumber() + " = x.seq";
    this.arraysSql =
        "WITH j AS ("
            + insertJournal
            + " SELECT * FROM unnest(?::text[], ?::int8[], ?::bool[], ?::text[], ?::int8[],"
            + " ?::text[], ?::int4[], ?::text[], ?::bytea[])"
            + returning
            + ")"
            + insertTags
            + "unnest(?::text[], ?::int8[], ?::text[])"
            + onRow;
    for (int rows = 1; rows <= SMALL; rows++) {
      String values = insertJournal + " VALUES " + repeated(JOURNAL_ROW, rows);
      valuesSql[rows][0] = values;
      for (int tagRows = 1; tagRows <= SMALL; tagRows++) {
        valuesSql[rows][tagRows] =
            "WITH j AS (" + values + returning + ")"
                + insertTags + "(VALUES " + repeated(TAG_ROW, tagRows) + ")" + onRow;
      }
    }
  }

  /** The statement a batch of this many rows and tag rows is written with. */
  String sql(int rows, int tagRows) {
    return small(rows, tagRows) ? valuesSql[rows][tagRows] : arraysSql;
  }

  private static boolean small(int rows, int tagRows) {
    return rows <= SMALL && tagRows <= SMALL;
  }

  /**
   * Writes the rows and their tags in one statement, committed when this returns (the
   * connection is put in auto-commit); throws, having written none of them, if it fails.
   */
  void insert(Connection connection, List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows)
      throws SQLException {
    int n = rows.size();
    List<JournalPekkoSerializationRow> tagged = new ArrayList<>(n);
    List<String> tagNames = new ArrayList<>(n);
    for (Tuple2<JournalPekkoSerializationRow, Set<String>> next : rows) {
      JournalPekkoSerializationRow row = next._1();
      var tags = next._2().iterator();
      while (tags.hasNext()) {
        tagged.add(row);
        tagNames.add(tags.next());
      }
    }
    if (!connection.getAutoCommit()) {
      connection.setAutoCommit(true);
    }
    try (PreparedStatement statement = connection.prepareStatement(sql(n, tagNames.size()))) {
      if (small(n, tagNames.size())) {
        bindValues(statement, rows, tagged, tagNames);
      } else {
        bindArrays(connection.unwrap(PGConnection.class), statement, rows, tagged, tagNames);
      }
      statement.executeUpdate();
    }
  }

  private static void bindValues(
      PreparedStatement statement,
      List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows,
      List<JournalPekkoSerializationRow> tagged,
      List<String> tagNames)
      throws SQLException {
    int p = 1;
    for (Tuple2<JournalPekkoSerializationRow, Set<String>> next : rows) {
      JournalPekkoSerializationRow row = next._1();
      statement.setString(p++, row.persistenceId());
      statement.setLong(p++, row.sequenceNumber());
      statement.setBoolean(p++, row.deleted());
      statement.setString(p++, row.writer());
      statement.setLong(p++, row.writeTimestamp());
      statement.setString(p++, row.adapterManifest());
      statement.setInt(p++, row.eventSerId());
      statement.setString(p++, row.eventSerManifest());
      statement.setBytes(p++, row.eventPayload());
    }
    for (int i = 0; i < tagged.size(); i++) {
      statement.setString(p++, tagged.get(i).persistenceId());
      statement.setLong(p++, tagged.get(i).sequenceNumber());
      statement.setString(p++, tagNames.get(i));
    }
  }

  private static void bindArrays(
      PGConnection pg,
      PreparedStatement statement,
      List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows,
      List<JournalPekkoSerializationRow> tagged,
      List<String> tagNames)
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
    for (int i = 0; i < n; i++) {
      JournalPekkoSerializationRow row = rows.get(i)._1();
      pids[i] = row.persistenceId();
      seqs[i] = row.sequenceNumber();
      deleted[i] = row.deleted();
      writers[i] = row.writer();
      timestamps[i] = row.writeTimestamp();
      adapters[i] = row.adapterManifest();
      serIds[i] = row.eventSerId();
      manifests[i] = row.eventSerManifest();
      payloads[i] = row.eventPayload();
    }
    int t = tagged.size();
    String[] tagPids = new String[t];
    long[] tagSeqs = new long[t];
    for (int i = 0; i < t; i++) {
      tagPids[i] = tagged.get(i).persistenceId();
      tagSeqs[i] = tagged.get(i).sequenceNumber();
    }
    // PgConnection takes primitive arrays as they are (no boxing of each number).
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
      pg.createArrayOf("text", tagPids),
      pg.createArrayOf("int8", tagSeqs),
      pg.createArrayOf("text", tagNames.toArray(String[]::new))
    };
    for (int i = 0; i < arrays.length; i++) {
      statement.setArray(i + 1, arrays[i]);
    }
  }

  private static String repeated(String row, int times) {
    StringBuilder b = new StringBuilder(row);
    for (int i = 1; i < times; i++) {
      b.append(", ").append(row);
    }
    return b.toString();
  }

  static String qualified(scala.Option<String> schema, String table) {
    return schema.isDefined() ? schema.get() + "." + table : table;
  }
}
