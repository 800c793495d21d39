package org.herald.api.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.herald.api.common.ApiException;
import org.junit.jupiter.api.Test;

class SyncStateTest {
  @Test
  void aStateRoundTripsThroughItsToken() {
    SyncState state = new SyncState(24, 149, 44, "cigm276anbm3atwr4");
    assertEquals(state, SyncState.decode(state.encode()));
    assertEquals(SyncState.at(7), SyncState.decode(SyncState.at(7).encode()));
  }

  @Test
  void aStateAtAPositionStartsAFreshDifference() {
    assertFalse(SyncState.at(0).paging());
    assertFalse(SyncState.at(149).paging());
  }

  /**
   * A pass that began when the watermark had not moved past the device's position (target ==
   * since) and went on to a second page: the second page must continue that pass from its
   * cursor. Taken as a fresh difference, it got a new, later target but kept the cursor, so the
   * chats on the first page whose change lay past the old target (left for a later pass) were
   * skipped for good: a channel joined while away never reached the device (SyncIT, 1 run in 5).
   */
  @Test
  void aPageOfAPassWhoseTargetIsItsStartIsStillThatPass() {
    SyncState second = SyncState.decode(new SyncState(24, 24, 44, "cigm276anbm3atwr4").encode());
    assertTrue(second.paging(), "continues the pass from its cursor, towards its own target");
    assertEquals(24, second.target());
    assertTrue(new SyncState(24, 149, 44, "cigm276anbm3atwr4").paging());
  }

  @Test
  void tokensNotIssuedByTheServerAreRefused() {
    for (String token : new String[] {"", "s1.", "s2.MDowOjA6", "s1.!!!", "s1.MDox", "s1." + "A".repeat(300)}) {
      assertThrows(ApiException.class, () -> SyncState.decode(token), token);
    }
    // a target before the position it starts from is not a state the server issues
    String backwards = new SyncState(24, 10, 0, "").encode();
    assertThrows(ApiException.class, () -> SyncState.decode(backwards));
  }
}
