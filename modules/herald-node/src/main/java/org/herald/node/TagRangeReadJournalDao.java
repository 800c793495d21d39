package org.herald.node;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.PekkoSerialization;
import org.apache.pekko.persistence.jdbc.config.ReadJournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.persistence.jdbc.query.dao.DefaultReadJournalDao;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.scaladsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;
import scala.Tuple3;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.util.Try;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.PostgresProfile;

/**
 * pekko-persistence-jdbc's read-journal DAO whose {@code eventsByTag} reads a range of the tag
 * index on PostgreSQL: the {@code jdbc-read-journal.dao} of {@code persistence.conf}.
 *
 * <p>The plugin's query puts the offset range on the journal's {@code ordering} only; PostgreSQL
 * does not carry an inequality across the join, so it merge-joins the journal range with
 * <em>every</em> entry of the tag from the first: each poll of each projection instance read the
 * whole tag's index, a cost that grows with the journal (and was most of the database's active
 * time under load, docs/benchmarks.md). Here the range is on {@code event_tag (tag, event_id)}
 * itself, and each row found fetches its journal row by {@code ordering}: the work is the events
 * returned. Same rows, same order, same limit; other databases keep the plugin's query.
 *
 * <p>It also gives the read journal's sequence actor a <em>start floor</em> ({@link
 * #journalSequence}). That actor learns the highest ordering below which no row can still appear
 * by reading every ordering of the journal from 0 when the node starts (10,000 per query, one
 * query after another, until it has read them all or {@code max-tries} x {@code query-delay}
 * have passed and it assumes the journal's maximum): work that grows with the journal, on the
 * node and the database, at every start, while chats recover. Much of it was done before: a
 * stored projection offset is the ordering of an event its projection read, and a projection
 * reads only up to what some node's sequence actor had declared settled then, so every row at or
 * below <em>any</em> stored offset, of any tag, was committed or given up as a gap at that time,
 * which is all the actor would establish again. The floor is the highest stored offset (never
 * above the journal's highest ordering); the orderings up to it are handed to the actor as
 * present without a query, and it reads the journal from there. With no stored offset the floor
 * is 0: the plugin's scan, unchanged.
 */
public final class TagRangeReadJournalDao extends DefaultReadJournalDao {
  private static final Logger log = LoggerFactory.getLogger(TagRangeReadJournalDao.class);

  private final boolean ranged;
  private final String floorSql;
  /** The start floor, read once, at the sequence actor's first query. */
  private volatile CompletableFuture<Long> startFloor;
  private final String sql;
  private final Serialization serialization;

  public TagRangeReadJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      ReadJournalConfig config,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, config, serialization, ec, mat);
    this.serialization = serialization;
    this.ranged = profile instanceof PostgresProfile;
    var journal = config.eventJournalTableConfiguration();
    var tags = config.eventTagTableConfiguration();
    var j = journal.columnNames();
    var t = tags.columnNames();
    String jt = journal.schemaName().isDefined() ? journal.schemaName().get() + "." + journal.tableName() : journal.tableName();
    String tt = tags.schemaName().isDefined() ? tags.schemaName().get() + "." + tags.tableName() : tags.tableName();
    this.floorSql =
        "SELECT (SELECT MAX(CAST(\"current_offset\" AS BIGINT)) FROM \"pekko_projection_offset_store\""
            + " WHERE \"manifest\" = 'SEQ'), (SELECT MAX(\"" + j.ordering() + "\") FROM "
            + (journal.schemaName().isDefined() ? "\"" + journal.schemaName().get() + "\"." : "")
            + "\"" + journal.tableName() + "\")";
    this.sql =
        "SELECT j."
            + String.join(
                ", j.",
                j.ordering(),
                j.deleted(),
                j.persistenceId(),
                j.sequenceNumber(),
                j.writer(),
                j.writeTimestamp(),
                j.adapterManifest(),
                j.eventPayload(),
                j.eventSerId(),
                j.eventSerManifest(),
                j.metaPayload(),
                j.metaSerId(),
                j.metaSerManifest())
            + " FROM " + tt + " t JOIN " + jt + " j ON j." + j.ordering() + " = t." + t.eventId()
            + " WHERE t." + t.tag() + " = ? AND t." + t.eventId() + " > ? AND t." + t.eventId() + " <= ?"
            + " AND NOT j." + j.deleted()
            + " ORDER BY t." + t.eventId() + " LIMIT ?";
  }

  @Override
  public Source<Try<Tuple3<PersistentRepr, Set<String>, Object>>, NotUsed> eventsByTag(
      String tag, long offset, long maxOffset, long max) {
    if (!ranged) {
      return super.eventsByTag(tag, offset, maxOffset, max);
    }
    Future<List<JournalPekkoSerializationRow>> rows =
        SlickJdbc.run(db(), connection -> rows(connection, tag, offset, maxOffset, max), ReadException::new);
    Set<String> noTags = scala.collection.immutable.Set$.MODULE$.empty();
    return org.apache.pekko.stream.javadsl.Source.completionStage(FutureConverters.asJava(rows))
        .mapConcat(list -> list)
        .map(
            row ->
                PekkoSerialization.fromRow(serialization, row)
                    .map((Tuple2<PersistentRepr, Object> r) -> new Tuple3<>(r._1(), noTags, r._2())))
        .asScala();
  }

  /**
   * The orderings after {@code offset}, at most {@code limit}, for the read journal's sequence
   * actor: those up to the start floor without reading them, the rest from the journal.
   */
  @Override
  public Source<Object, NotUsed> journalSequence(long offset, long limit) {
    CompletableFuture<Long> floor = startFloor();
    // A floor that could not be read is 0 (logged), so the future never fails.
    if (floor.isDone() && offset >= floor.join()) {
      return super.journalSequence(offset, limit);
    }
    return org.apache.pekko.stream.javadsl.Source.completionStage(floor)
        .flatMapConcat(f -> sequenceFrom(offset, limit, f))
        .asScala();
  }

  private org.apache.pekko.stream.javadsl.Source<Object, NotUsed> sequenceFrom(long offset, long limit, long floor) {
    if (offset >= floor) {
      return super.journalSequence(offset, limit).asJava();
    }
    long end = Math.min(floor, offset + limit);
    org.apache.pekko.stream.javadsl.Source<Object, NotUsed> settled =
        org.apache.pekko.stream.javadsl.Source.fromIterator(() -> LongStream.rangeClosed(offset + 1, end).<Object>mapToObj(Long::valueOf).iterator());
    long rest = limit - (end - offset);
    return rest == 0 ? settled : settled.concat(super.journalSequence(end, rest).asJava());
  }

  /** The start floor: the highest stored projection offset, at most the journal's highest ordering; 0 if none. */
  private CompletableFuture<Long> startFloor() {
    CompletableFuture<Long> f = startFloor;
    if (f == null) {
      synchronized (this) {
        if (startFloor == null) {
          startFloor =
              FutureConverters.asJava(SlickJdbc.run(db(), this::readFloor, e -> new IllegalStateException(e.getMessage(), e)))
                  .toCompletableFuture()
                  .exceptionally(
                      e -> {
                        log.warn("Could not read the journal's start floor, reading every ordering from 0: {}", e.getMessage());
                        return 0L;
                      });
        }
        f = startFloor;
      }
    }
    return f;
  }

  private long readFloor(Connection connection) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(floorSql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long highestOffset = rs.getLong(1);
      boolean noOffset = rs.wasNull();
      long highest = rs.getLong(2);
      long floor = noOffset ? 0 : Math.max(0, Math.min(highestOffset, highest));
      log.info("The journal's sequence starts from ordering {} (the projections' highest stored offset{})", floor,
          noOffset ? ": none stored" : ", the journal's highest ordering " + highest);
      return floor;
    }
  }

  private List<JournalPekkoSerializationRow> rows(Connection connection, String tag, long offset, long maxOffset, long max)
      throws SQLException {
    List<JournalPekkoSerializationRow> rows = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, tag);
      ps.setLong(2, offset);
      ps.setLong(3, maxOffset);
      ps.setLong(4, max);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byte[] metaPayload = rs.getBytes(11);
          int metaSerId = rs.getInt(12);
          boolean noMetaSerId = rs.wasNull();
          rows.add(
              new JournalPekkoSerializationRow(
                  rs.getLong(1),
                  rs.getBoolean(2),
                  rs.getString(3),
                  rs.getLong(4),
                  rs.getString(5),
                  rs.getLong(6),
                  rs.getString(7),
                  rs.getBytes(8),
                  rs.getInt(9),
                  rs.getString(10),
                  Option.apply(metaPayload),
                  noMetaSerId ? Option.empty() : Option.apply(metaSerId),
                  Option.apply(rs.getString(13))));
        }
      }
    }
    return rows;
  }

  /** A failed read: the eventsByTag stream fails and the plugin's restart with backoff retries it. */
  static final class ReadException extends RuntimeException {
    ReadException(SQLException cause) {
      super("eventsByTag read failed: " + cause.getMessage(), cause);
    }
  }
}
