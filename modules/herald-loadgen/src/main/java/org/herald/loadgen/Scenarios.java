package org.herald.loadgen;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The scenarios {@code bin/herald bench} knows, in the order {@code --help} lists them. */
public final class Scenarios {
  private Scenarios() {}

  /** Every scenario; adding one is adding its line here. */
  public static final List<Scenario> ALL = List.of(
      new CeilingScenario(),
      new PairsScenario(),
      new RateScenario(),
      new WireScenario(),
      new FanoutScenario(),
      new ConnectionsScenario(),
      new RecoveryScenario());

  /** What runs when the command line names no scenario. */
  public static final List<String> DEFAULT = List.of("ceiling", "pairs", "rate", "wire");

  public static Optional<Scenario> byName(String name) {
    return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public static List<String> names() {
    return ALL.stream().map(Scenario::name).toList();
  }

  /**
   * The scenarios to run for these (known) names: each once, those that run first (the ceiling)
   * ahead of the rest, otherwise in the order given.
   */
  public static List<Scenario> ordered(List<String> names) {
    List<Scenario> out = new ArrayList<>();
    for (String n : names) {
      Scenario s = byName(n).orElseThrow(() -> new IllegalArgumentException("unknown scenario " + n));
      if (!out.contains(s)) {
        out.add(s);
      }
    }
    // A stable sort: only the runsFirst flag moves anything.
    out.sort(Comparator.comparing(s -> s.runsFirst() ? 0 : 1));
    return out;
  }
}
