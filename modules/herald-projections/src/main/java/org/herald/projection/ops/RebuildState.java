package org.herald.projection.ops;

import java.time.Instant;
import java.util.Map;

/**
 * Where a rebuild started on this node is. Kept in memory ({@link ProjectionOps}); the paused
 * flags and offsets it changes are in the database, so a node that restarts mid-rebuild shows
 * the projection paused, and running the rebuild again finishes it.
 *
 * @param since when the current phase began
 * @param finishedAt when it caught up or failed, null while running
 * @param error why it failed, null otherwise
 * @param targets per tag, the newest journal position when the tables were cleared: an instance
 *     has replayed the journal once its offset reaches it (it is live again from there on)
 */
public record RebuildState(
    String projection, Phase phase, Instant startedAt, Instant since, Instant finishedAt, String error, Map<String, Long> targets) {

  public RebuildState {
    targets = Map.copyOf(targets);
  }

  /** The steps of a rebuild, in order; the last two end it. */
  public enum Phase {
    /** Every instance is being paused (cluster-wide, through ProjectionManagement). */
    PAUSING,
    /** The owned tables and the offsets are being deleted, in one transaction. */
    CLEARING,
    /** Resumed from the journal's first event; not caught up yet. */
    REPLAYING,
    /** Every instance has replayed the journal as it was when cleared, and runs live again. */
    CAUGHT_UP,
    /** A step failed; the instances were resumed (see {@code error}). */
    FAILED;

    public boolean running() {
      return this != CAUGHT_UP && this != FAILED;
    }
  }

  static RebuildState started(String projection, Instant now) {
    return new RebuildState(projection, Phase.PAUSING, now, now, null, null, Map.of());
  }

  RebuildState next(Phase phase, Instant now) {
    return new RebuildState(projection, phase, startedAt, now, phase.running() ? null : now, null, targets);
  }

  RebuildState replaying(Map<String, Long> targets, Instant now) {
    return new RebuildState(projection, Phase.REPLAYING, startedAt, now, null, null, targets);
  }

  RebuildState failed(String error, Instant now) {
    return new RebuildState(projection, Phase.FAILED, startedAt, now, now, error, targets);
  }
}
