package org.herald.loadgen;

/**
 * One benchmark of {@code bin/herald bench}: it sets up what it needs through the public API
 * (accounts, chats, sockets: {@link BenchContext#client()}), measures, and returns its figures.
 * A new scenario is one class implementing this and one line in {@link Scenarios#ALL}.
 */
public interface Scenario {
  /** The name on the command line and in the result line: lower case, no spaces. */
  String name();

  /** One line for {@code --help}: what the scenario measures. */
  String summary();

  /**
   * Whether the scenario runs before the others of the same run, whatever the order on the
   * command line: a scenario that publishes a figure the others compare against (the ceiling)
   * says true.
   */
  default boolean runsFirst() {
    return false;
  }

  /**
   * Runs the scenario against {@link BenchContext#baseUrl()}. Throws only when it could not
   * measure at all; errors during the measurement are counted in the result instead.
   */
  ScenarioResult run(BenchContext context) throws Exception;
}
