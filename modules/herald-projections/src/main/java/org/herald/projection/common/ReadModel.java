package org.herald.projection.common;

import java.util.List;

/**
 * What the operator tools know of one projection: its name (the {@code ProjectionId} name), the
 * tags it runs one instance over (the {@code ProjectionId} keys), its delivery guarantee, the
 * tables it owns, and whether it may be rebuilt from the journal. Rebuilding pauses every
 * instance, deletes the rows of {@code tables} together with the stored offsets in one
 * transaction, and resumes, so the projection replays the journal from its first event.
 *
 * @param rebuildRefusal why the projection must not be rebuilt, or null when it may be
 */
public record ReadModel(String name, List<String> tags, Delivery delivery, List<String> tables, String rebuildRefusal) {

  /** How a projection's effects and its offset are committed. */
  public enum Delivery {
    /** The handler's rows and the offset commit in one transaction: nothing applied twice. */
    EXACTLY_ONCE,
    /** The offset is stored after the effect: a crash repeats it, so the handler is idempotent. */
    AT_LEAST_ONCE
  }

  public ReadModel {
    tags = List.copyOf(tags);
    tables = List.copyOf(tables);
  }

  public boolean rebuildable() {
    return rebuildRefusal == null;
  }

  /** The tables a projection owns: the ones a rebuild empties. */
  public static Owned owning(String... tables) {
    return new Owned(List.of(tables), null);
  }

  /**
   * The part of the entry its author states (the runner adds the name, tags and delivery).
   * {@code owning()} with no tables means a rebuild only replays: right for a projection whose
   * effects live elsewhere and are idempotent.
   */
  public record Owned(List<String> tables, String rebuildRefusal) {
    /** Refuses operator rebuilds, saying why. */
    public Owned notRebuildable(String why) {
      return new Owned(tables, why);
    }

    ReadModel as(String name, List<String> tags, Delivery delivery) {
      return new ReadModel(name, tags, delivery, tables, rebuildRefusal);
    }
  }
}
