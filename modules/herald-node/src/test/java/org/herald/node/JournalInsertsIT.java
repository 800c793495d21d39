package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.herald.projection.common.Database;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.Set;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The journal's batch statement ({@link JournalInserts}) on PostgreSQL, in both its forms: a
 * batch of up to {@link JournalInserts#SMALL} rows as a VALUES list, a larger one as arrays.
 * Whatever the form, every column of every row and every tag row lands as given, a batch's rows
 * get increasing orderings in the order given, and a batch that fails writes nothing.
 */
class JournalInsertsIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  private static HikariDataSource pool;
  private static JournalInserts inserts;
  private static int chats;

  @BeforeAll
  static void schema() {
    pool = Database.pool(new Database.Settings(pg.url(), pg.user(), pg.password(), 2), "journal-inserts");
    Database.migrate(pool, Database.Vendor.POSTGRES);
    inserts = new JournalInserts(new JournalConfig(HeraldNode.config(TestNodes.on(pg)).getConfig("jdbc-journal")));
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @Test
  void smallBatchesAreAValuesListAndLargerOnesArrays() {
    // Up to four rows, and four tag rows, is where a VALUES list measured cheaper than arrays.
    for (int rows = 1; rows <= 4; rows++) {
      for (int tagRows = 0; tagRows <= 4; tagRows++) {
        String sql = inserts.sql(rows, tagRows);
        assertFalse(sql.contains("unnest"), rows + " rows, " + tagRows + " tag rows: " + sql);
        assertEquals(rows, count(sql, "(?, ?, ?, ?, ?, ?, ?, ?, ?)"), sql);
        assertEquals(tagRows, count(sql, "(?::text, ?::int8, ?::text)"), sql);
      }
    }
    assertEquals(4, JournalInserts.SMALL);
    int over = JournalInserts.SMALL + 1;
    for (String sql : List.of(inserts.sql(over, 0), inserts.sql(over, over), inserts.sql(1, over))) {
      assertTrue(sql.contains("unnest(?::text[]"), sql);
    }
  }

  @Test
  void everyColumnAndTagLandsInOrderInBothForms() throws Exception {
    // 0 to 2 tags an event: batches of 1..SMALL rows with up to SMALL tag rows take the VALUES
    // form; the larger ones (more rows, or more tag rows than SMALL) the arrays.
    for (int rows = 1; rows <= JournalInserts.SMALL + 3; rows++) {
      for (int tagsEach = 0; tagsEach <= 2; tagsEach++) {
        String pid = "Chat|inserts-" + (++chats);
        List<Tuple2<JournalPekkoSerializationRow, Set<String>>> batch = new ArrayList<>();
        for (int i = 1; i <= rows; i++) {
          List<String> tags = new ArrayList<>();
          for (int t = 0; t < tagsEach; t++) {
            tags.add("tag-" + t);
          }
          batch.add(row(pid, i, tags));
        }
        try (Connection c = pool.getConnection()) {
          inserts.insert(c, batch);
        }
        String batchName = rows + " rows with " + tagsEach + " tags each";
        try (Connection c = pool.getConnection();
            PreparedStatement ps =
                c.prepareStatement(
                    "SELECT ordering, sequence_number, deleted, writer, write_timestamp, adapter_manifest,"
                        + " event_ser_id, event_ser_manifest, event_payload,"
                        + " (SELECT string_agg(tag, ',' ORDER BY tag) FROM event_tag t WHERE t.event_id = j.ordering)"
                        + " FROM event_journal j WHERE persistence_id = ? ORDER BY sequence_number")) {
          ps.setString(1, pid);
          try (ResultSet rs = ps.executeQuery()) {
            long lastOrdering = 0;
            for (int i = 1; i <= rows; i++) {
              assertTrue(rs.next(), batchName + ": row " + i + " written");
              assertTrue(rs.getLong(1) > lastOrdering, batchName + ": orderings grow with the rows");
              lastOrdering = rs.getLong(1);
              JournalPekkoSerializationRow expected = batch.get(i - 1)._1();
              assertEquals(i, rs.getLong(2), batchName);
              assertEquals(expected.deleted(), rs.getBoolean(3), batchName);
              assertEquals(expected.writer(), rs.getString(4), batchName);
              assertEquals(expected.writeTimestamp(), rs.getLong(5), batchName);
              assertEquals(expected.adapterManifest(), rs.getString(6), batchName);
              assertEquals(expected.eventSerId(), rs.getInt(7), batchName);
              assertEquals(expected.eventSerManifest(), rs.getString(8), batchName);
              assertArrayEquals(expected.eventPayload(), rs.getBytes(9), batchName);
              assertEquals(tagsEach == 0 ? null : tagsEach == 1 ? "tag-0" : "tag-0,tag-1", rs.getString(10), batchName);
            }
            assertFalse(rs.next(), batchName + ": nothing more");
          }
        }
      }
    }
  }

  @Test
  void aBatchThatFailsWritesNoneOfItsRows() throws Exception {
    for (int rows : new int[] {2, JournalInserts.SMALL, JournalInserts.SMALL + 2}) {
      String pid = "Chat|inserts-" + (++chats);
      try (Connection c = pool.getConnection()) {
        inserts.insert(c, List.of(row(pid, 1, List.of("tag-0"))));
      }
      // The batch's last row repeats sequence number 1: the key refuses it, and with it the rest.
      List<Tuple2<JournalPekkoSerializationRow, Set<String>>> batch = new ArrayList<>();
      for (int i = 2; i <= rows; i++) {
        batch.add(row(pid, i, List.of("tag-0")));
      }
      batch.add(row(pid, 1, List.of("tag-0")));
      try (Connection c = pool.getConnection()) {
        assertThrows(SQLException.class, () -> inserts.insert(c, batch), rows + " rows");
      }
      try (Connection c = pool.getConnection();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT count(*), count(t.event_id) FROM event_journal j LEFT JOIN event_tag t ON t.event_id = j.ordering"
                      + " WHERE j.persistence_id = '" + pid + "'")) {
        rs.next();
        assertEquals(1, rs.getInt(1), rows + " rows: only the first write's event is there");
        assertEquals(1, rs.getInt(2), rows + " rows: and only its tag");
      }
    }
  }

  private static Tuple2<JournalPekkoSerializationRow, Set<String>> row(String pid, long seq, List<String> tags) {
    byte[] payload = new byte[40 + (int) seq];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31 + seq);
    }
    JournalPekkoSerializationRow row =
        new JournalPekkoSerializationRow(
            0L, seq % 3 == 0, pid, seq, "writer-" + seq, 1_700_000_000_000L + seq,
            seq % 2 == 0 ? "" : "adapter-" + seq, payload, 1000 + (int) seq, "Manifest" + seq,
            Option.empty(), Option.empty(), Option.empty());
    return Tuple2.apply(row, CollectionConverters.asScala(new LinkedHashSet<>(tags)).toSet());
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      n++;
    }
    return n;
  }
}
