package org.herald.domain.common;

import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * When a persistent entity snapshots: every N to N + N/5 - 1 events, the exact count fixed per
 * entity by its id. An entity in the "storing snapshot" state answers nothing until the snapshot
 * is written (Pekko stashes its commands and holds back the reply to the event that triggered
 * it), so entities that reach their snapshot point together stall together: a hundred chats
 * started together and written to at the same pace all snapshotted in the same second and every
 * send of that second waited (docs/benchmarks.md). Spacing the points by id spreads them; the
 * bound on recovery stays one snapshot plus fewer than 1.2 N events. The two most recent
 * snapshots are kept, as before.
 */
public final class SnapshotSpacing {
  private SnapshotSpacing() {}

  /** Snapshots every {@link #interval} events, keeping the last two. */
  public static RetentionCriteria every(int events, String entityId) {
    return RetentionCriteria.snapshotEvery(interval(events, entityId), 2);
  }

  /** {@code events} plus this entity's share of a fifth of it (no spacing below 10 events). */
  public static int interval(int events, String entityId) {
    if (events < 1) {
      throw new IllegalArgumentException("snapshot interval must be at least 1 event, got " + events);
    }
    int spread = events / 5;
    if (spread < 2) {
      return events;
    }
    // Mixed, because ids that share a prefix and differ in their last characters have
    // String hashes that differ only in the low bits.
    int h = entityId.hashCode() * 0x9E3779B9;
    return events + Math.floorMod(h ^ (h >>> 16), spread);
  }
}
