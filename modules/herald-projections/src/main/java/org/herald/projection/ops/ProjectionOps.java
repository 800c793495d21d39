package org.herald.projection.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.javadsl.ProjectionManagement;
import org.herald.projection.common.ReadModel;
import org.herald.projection.common.ReadModels;
import org.herald.projection.common.Sql;
import org.herald.projection.ops.RebuildState.Phase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does with projections: read their lag and rebuild one from the journal while
 * the node keeps serving. Stateless apart from the rebuilds started on this node, which live in
 * an actor-system extension, so every caller on the node sees the same ones. All JDBC runs on
 * {@code herald.jdbc-dispatcher}.
 *
 * <p>A rebuild pauses every instance through Pekko's {@link ProjectionManagement} (cluster-wide:
 * the instances hear it wherever they run, and the paused flag is stored, so a restarted
 * instance stays paused), deletes the owned tables' rows and the stored offsets in one
 * transaction, and resumes: each instance starts again from the journal's first event. A
 * projection never writes while paused, so the deletion races with nothing.
 */
public final class ProjectionOps {
  private static final Logger log = LoggerFactory.getLogger(ProjectionOps.class);

  private final ActorSystem<?> system;
  private final DataSource dataSource;
  private final Executor jdbc;
  private final Clock clock;
  private final int maxCount;
  private final ConcurrentHashMap<String, RebuildState> rebuilds;

  public ProjectionOps(ActorSystem<?> system, DataSource dataSource) {
    this(system, dataSource, Clock.systemUTC());
  }

  ProjectionOps(ActorSystem<?> system, DataSource dataSource, Clock clock) {
    this.system = system;
    this.dataSource = dataSource;
    this.jdbc = system.dispatchers().lookup(DispatcherSelector.fromConfig("herald.jdbc-dispatcher"));
    this.clock = clock;
    this.maxCount = system.settings().config().getInt("herald.projections.lag.max-count");
    this.rebuilds = Rebuilds.ID.apply(system).states;
  }

  /** A rebuild the operator may not start; {@link #reason} says which kind of no. */
  public static final class Refused extends RuntimeException {
    /** Why a rebuild was refused. */
    public enum Reason {
      UNKNOWN_PROJECTION,
      NOT_REBUILDABLE,
      ALREADY_RUNNING
    }

    private final Reason reason;

    Refused(Reason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  /** Every projection of the catalog with its lag, in name order. */
  public CompletionStage<List<ProjectionStatus>> status() {
    Instant asked = clock.instant();
    List<ReadModel> models = ReadModels.get(system).all();
    return Sql.async(
            jdbc,
            () -> {
              try (Connection conn = dataSource.getConnection()) {
                return lag(conn, models, clock.millis());
              }
            })
        .thenApply(
            lags -> {
              List<ProjectionStatus> all = new ArrayList<>();
              for (ReadModel model : models) {
                List<ProjectionStatus.Instance> instances = lags.get(model.name());
                all.add(new ProjectionStatus(model, instances, caughtUp(model.name(), instances, asked)));
              }
              return all;
            });
  }

  /** The names the catalog knows, for error messages and usage. */
  public List<String> names() {
    return ReadModels.get(system).all().stream().map(ReadModel::name).toList();
  }

  /**
   * Starts rebuilding {@code name} and answers at once with its first state; the rest runs in
   * the background and shows in {@link #status()}.
   *
   * @throws Refused for an unknown name, a projection that refuses rebuilds, or one already
   *     rebuilding on this node
   */
  public RebuildState rebuild(String name) {
    ReadModel model =
        ReadModels.get(system)
            .find(name)
            .orElseThrow(
                () -> new Refused(Refused.Reason.UNKNOWN_PROJECTION, "no projection named '" + name + "'; projections: " + String.join(", ", names())));
    if (!model.rebuildable()) {
      throw new Refused(Refused.Reason.NOT_REBUILDABLE, model.rebuildRefusal());
    }
    RebuildState started = RebuildState.started(name, clock.instant());
    RebuildState current =
        rebuilds.compute(name, (key, existing) -> existing != null && existing.phase().running() ? existing : started);
    if (current != started) {
      throw new Refused(
          Refused.Reason.ALREADY_RUNNING,
          "projection '" + name + "' is already rebuilding (" + current.phase().name().toLowerCase(Locale.ROOT)
              + " since " + current.since().truncatedTo(ChronoUnit.MILLIS) + ")");
    }
    log.info("rebuilding projection {}: pausing its {} instances", name, model.tags().size());
    forEachInstance(model, id -> ProjectionManagement.get(system).pause(id))
        .thenCompose(
            paused -> {
              advance(name, Phase.CLEARING);
              return Sql.transaction(dataSource, jdbc, conn -> clear(conn, model));
            })
        .thenCompose(
            targets -> {
              log.info("rebuilding projection {}: cleared {}, replaying the journal", name, model.tables());
              rebuilds.computeIfPresent(name, (key, state) -> state.replaying(targets, clock.instant()));
              return forEachInstance(model, id -> ProjectionManagement.get(system).resume(id));
            })
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                String why = rootMessage(failure);
                log.error("rebuild of projection {} failed: {}; resuming its instances", name, why);
                rebuilds.computeIfPresent(name, (key, state) -> state.failed(why, clock.instant()));
                forEachInstance(model, id -> ProjectionManagement.get(system).resume(id))
                    .whenComplete(
                        (resumed, again) -> {
                          if (again != null) {
                            log.error("projection {} may still be paused: {}", name, rootMessage(again));
                          }
                        });
              }
            });
    return started;
  }

  private void advance(String name, Phase phase) {
    rebuilds.computeIfPresent(name, (key, state) -> state.next(phase, clock.instant()));
  }

  /**
   * The rebuild of {@code name}, marked caught up once a status read after the replay began
   * finds every instance running and past the journal position it had to replay to (or at the
   * journal's end). Under sustained traffic an instance is rarely at the very end, so "caught
   * up" means "has replayed what existed when the rebuild began".
   */
  private RebuildState caughtUp(String name, List<ProjectionStatus.Instance> instances, Instant asked) {
    return rebuilds.computeIfPresent(
        name,
        (key, state) -> {
          boolean done =
              state.phase() == Phase.REPLAYING
                  && asked.isAfter(state.since())
                  && instances.stream()
                      .allMatch(
                          i ->
                              !i.paused()
                                  && (i.eventsBehind() == 0
                                      || (i.offset() != null && i.offset() >= state.targets().getOrDefault(i.tag(), 0L))));
          if (done) {
            log.info("projection {} rebuilt: caught up with the journal", name);
            return state.next(Phase.CAUGHT_UP, clock.instant());
          }
          return state;
        });
  }

  private CompletionStage<Done> forEachInstance(ReadModel model, Function<ProjectionId, CompletionStage<Done>> op) {
    CompletableFuture<?>[] all =
        model.tags().stream().map(tag -> op.apply(ProjectionId.of(model.name(), tag)).toCompletableFuture()).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all).thenApply(v -> Done.getInstance());
  }

  /**
   * Empties the owned tables and forgets the offsets, in the caller's transaction; answers each
   * tag's newest journal position, which the replay must reach.
   */
  private static Map<String, Long> clear(Connection conn, ReadModel model) throws SQLException {
    try (Statement st = conn.createStatement()) {
      for (String table : model.tables()) {
        // Names come from the catalog in code, never from a request.
        st.executeUpdate("DELETE FROM " + table);
      }
    }
    for (String offsets :
        List.of("DELETE FROM \"pekko_projection_offset_store\" WHERE \"projection_name\" = ?",
            "DELETE FROM projection_fence WHERE projection_name = ?")) {
      try (PreparedStatement ps = conn.prepareStatement(offsets)) {
        ps.setString(1, model.name());
        ps.executeUpdate();
      }
    }
    Map<String, Long> targets = new HashMap<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT MAX(\"event_id\") FROM \"event_tag\" WHERE \"tag\" = ?")) {
      for (String tag : model.tags()) {
        ps.setString(1, tag);
        try (ResultSet rs = ps.executeQuery()) {
          targets.put(tag, rs.next() ? rs.getLong(1) : 0L);
        }
      }
    }
    return targets;
  }

  /**
   * Per projection, each tag instance's offset, events behind (counted up to {@code maxCount}:
   * an index range scan on {@code event_tag(tag, event_id)}) and the age of its oldest
   * unprocessed event. Instances at the same offset of the same tag share one count.
   */
  private Map<String, List<ProjectionStatus.Instance>> lag(Connection conn, List<ReadModel> models, long nowMillis) throws SQLException {
    Map<String, Long> offsets = new HashMap<>();
    try (PreparedStatement ps =
            conn.prepareStatement("SELECT \"projection_name\", \"projection_key\", \"current_offset\" FROM \"pekko_projection_offset_store\"");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        try {
          offsets.put(rs.getString(1) + "|" + rs.getString(2), Long.parseLong(rs.getString(3)));
        } catch (NumberFormatException notASequence) {
          // Only sequence offsets (journal orderings) are ours; anything else counts as none.
        }
      }
    }
    Map<String, Boolean> paused = new HashMap<>();
    try (PreparedStatement ps =
            conn.prepareStatement("SELECT \"projection_name\", \"projection_key\", \"paused\" FROM \"pekko_projection_management\"");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        paused.put(rs.getString(1) + "|" + rs.getString(2), rs.getBoolean(3));
      }
    }
    Map<String, long[]> behindByPosition = new HashMap<>();
    Map<String, List<ProjectionStatus.Instance>> all = new HashMap<>();
    try (PreparedStatement count =
            conn.prepareStatement(
                "SELECT COUNT(*) FROM (SELECT \"event_id\" FROM \"event_tag\" WHERE \"tag\" = ? AND \"event_id\" > ?"
                    + " ORDER BY \"event_id\" FETCH FIRST " + (maxCount + 1) + " ROWS ONLY) behind");
        PreparedStatement oldest =
            conn.prepareStatement(
                "SELECT j.\"write_timestamp\" FROM \"event_journal\" j WHERE j.\"ordering\" ="
                    + " (SELECT MIN(t.\"event_id\") FROM \"event_tag\" t WHERE t.\"tag\" = ? AND t.\"event_id\" > ?)")) {
      for (ReadModel model : models) {
        List<ProjectionStatus.Instance> instances = new ArrayList<>();
        for (String tag : model.tags()) {
          String key = model.name() + "|" + tag;
          Long offset = offsets.get(key);
          long from = offset == null ? 0 : offset;
          long[] behind = behindByPosition.get(tag + "|" + from);
          if (behind == null) {
            behind = new long[] {countAfter(count, tag, from), oldestAfter(oldest, tag, from)};
            behindByPosition.put(tag + "|" + from, behind);
          }
          long events = Math.min(behind[0], maxCount);
          double seconds = behind[1] < 0 ? 0 : Math.max(0, nowMillis - behind[1]) / 1000.0;
          instances.add(new ProjectionStatus.Instance(tag, offset, events, behind[0] > maxCount, seconds, paused.getOrDefault(key, false)));
        }
        all.put(model.name(), instances);
      }
    }
    return all;
  }

  private static long countAfter(PreparedStatement ps, String tag, long offset) throws SQLException {
    ps.setString(1, tag);
    ps.setLong(2, offset);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** The write time (epoch ms) of the first tagged event after {@code offset}, or -1 for none. */
  private static long oldestAfter(PreparedStatement ps, String tag, long offset) throws SQLException {
    ps.setString(1, tag);
    ps.setLong(2, offset);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return -1;
      }
      long written = rs.getLong(1);
      return rs.wasNull() ? -1 : written;
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  /** The rebuilds started on this node, one map per actor system. */
  private static final class Rebuilds implements Extension {
    static final ExtensionId<Rebuilds> ID =
        new ExtensionId<>() {
          @Override
          public Rebuilds createExtension(ActorSystem<?> system) {
            return new Rebuilds();
          }
        };

    final ConcurrentHashMap<String, RebuildState> states = new ConcurrentHashMap<>();
  }
}
