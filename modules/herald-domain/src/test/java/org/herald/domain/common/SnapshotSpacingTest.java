package org.herald.domain.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SnapshotSpacingTest {
  @Test
  void eachEntityGetsItsOwnIntervalBetweenNAndAFifthMore() {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      String id = "g_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
      int every = SnapshotSpacing.interval(500, id);
      assertTrue(every >= 500 && every < 600, id + " -> " + every);
      assertEquals(every, SnapshotSpacing.interval(500, id), "the same entity always snapshots at the same points");
      seen.add(every);
    }
    // 100 possible values, 2,000 entities: all but a few are used.
    assertTrue(seen.size() >= 95, "intervals used: " + seen.size());
  }

  @Test
  void idsDifferingOnlyInTheirLastCharacterAreSpreadToo() {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      seen.add(SnapshotSpacing.interval(500, "u_00000000000000000" + (char) ('0' + i % 10) + (char) ('a' + i / 10)));
    }
    assertTrue(seen.size() >= 50, "intervals used by 100 neighbouring ids: " + seen.size());
  }

  @Test
  void smallIntervalsAreKeptAndZeroIsRefused() {
    assertEquals(4, SnapshotSpacing.interval(4, "c_1"));
    assertEquals(9, SnapshotSpacing.interval(9, "c_1"));
    assertThrows(IllegalArgumentException.class, () -> SnapshotSpacing.interval(0, "c_1"));
  }
}
