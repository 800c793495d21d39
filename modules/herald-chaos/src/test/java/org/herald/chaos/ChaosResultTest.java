package org.herald.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.herald.chaos.ChaosResult.Fault;
import org.junit.jupiter.api.Test;

/** The report's figures: what the summary line says, and when a run passes. */
class ChaosResultTest {
  private static Checker.Verdict verdict(long lost, long unverified) {
    return new Checker.Verdict(100, lost, 0, 0, 0, 100, 0, unverified, List.of(), List.of());
  }

  private static ChaosResult result(List<Fault> faults, Checker.Verdict verdict, List<String> problems) {
    return new ChaosResult("plan", Path.of("run"), 90, 60, faults, verdict, Map.of(), Map.of(), Map.of(), 0, 0, 0, 0, 0, List.of(), 3,
        problems);
  }

  private static final List<Fault> FAULTS =
      List.of(
          new Fault(1, "kill", 1, 15.0, 10.0, 0, 20.0),
          new Fault(2, "freeze", 2, 30.0, 30.0, 0, 12.0),
          new Fault(3, "kill", 3, 45.0, 12.0, 0, 25.0),
          new Fault(4, "kill", 1, 60.0, null, 2, null),
          new Fault(5, "kill", 2, 75.0, 0.5, 0, 22.0));

  @Test
  void theSummaryLineCountsKillsAndTakesTheMedianOfTheRecoveredOnes() {
    ChaosResult r = result(FAULTS, verdict(0, 0), List.of());
    assertEquals(4, r.kills());
    assertEquals(1, r.freezes());
    assertEquals(
        "chaos: kills=4 acked=100 lost=0 duplicates=0 gaps=0 diverged=0 recovery_median_s=10.0 recovery_max_s=12.0",
        r.summaryLine());
    assertEquals(30.0, r.recoveryMedian(false));
    assertTrue(r.table().endsWith("verdict: PASS\n"), r.table());
  }

  @Test
  void withoutFaultsTheRecoveryFiguresAreZero() {
    assertTrue(result(List.of(), verdict(0, 0), List.of()).summaryLine().endsWith("recovery_median_s=0.0 recovery_max_s=0.0"));
  }

  @Test
  void aRunPassesOnlyWhenTheVerdictIsCleanAndTheRunHadNoProblem() {
    assertTrue(result(FAULTS, verdict(0, 0), List.of()).passed());
    assertFalse(result(FAULTS, verdict(1, 0), List.of()).passed());
    assertFalse(result(FAULTS, verdict(0, 3), List.of()).passed());
    assertFalse(result(FAULTS, verdict(0, 0), List.of("client 3 could not finish its final catch-up")).passed());
  }
}
