package org.herald.projection.ops;

import java.util.List;
import org.herald.projection.common.ReadModel;

/**
 * How far one projection is behind the journal, per tag instance, and its rebuild if one ran on
 * this node.
 *
 * @param rebuild the last rebuild started on this node, or null
 */
public record ProjectionStatus(ReadModel model, List<Instance> instances, RebuildState rebuild) {

  /**
   * One instance (one tag).
   *
   * @param offset the journal ordering of the last event it processed, null before the first
   * @param eventsBehind tagged events after the offset, counted up to a bound
   * @param capped true when there are at least {@code eventsBehind} (the count stopped there)
   * @param secondsBehind age of the oldest event not processed yet; 0 when caught up
   * @param paused paused through ProjectionManagement (during a rebuild, or left so by one)
   */
  public record Instance(String tag, Long offset, long eventsBehind, boolean capped, double secondsBehind, boolean paused) {}

  public ProjectionStatus {
    instances = List.copyOf(instances);
  }

  public String name() {
    return model.name();
  }

  /** Events behind over all instances (a lower bound when {@link #capped()}). */
  public long eventsBehind() {
    return instances.stream().mapToLong(Instance::eventsBehind).sum();
  }

  public boolean capped() {
    return instances.stream().anyMatch(Instance::capped);
  }

  /** The most behind instance's age of oldest unprocessed event. */
  public double secondsBehind() {
    return instances.stream().mapToDouble(Instance::secondsBehind).max().orElse(0);
  }

  public boolean paused() {
    return instances.stream().anyMatch(Instance::paused);
  }

  public boolean caughtUp() {
    return !paused() && eventsBehind() == 0;
  }
}
