package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BenchScheduleTest {
  @Test
  void messagesAreDueAtFixedIntervalsRoundRobinOverUsers() {
    Schedule s = new Schedule(1_000_000_000L, 1000, 4);
    assertEquals(1_000_000_000L, s.intendedNanos(0));
    assertEquals(1_001_000_000L, s.intendedNanos(1));
    assertEquals(2_000_000_000L, s.intendedNanos(1000));
    assertEquals(0, s.userOf(0));
    assertEquals(3, s.userOf(3));
    assertEquals(0, s.userOf(4));
  }

  @Test
  void aSenderThatStalledOwesEveryMissedMessageAtItsOriginalTime() {
    Schedule s = new Schedule(0, 1000, 10);
    assertEquals(0, s.dueBy(-1));
    assertEquals(1, s.dueBy(0));
    // 250 ms of stall: 251 messages due (0 … 250), none moved later.
    assertEquals(251, s.dueBy(250_000_000L));
    assertEquals(250_000_000L, s.intendedNanos(250));
    // Message 100 sent at 250 ms counts 150 ms of latency from its slot, not 0 from its send.
    long sentAt = 250_000_000L;
    assertEquals(150_000, (sentAt - s.intendedNanos(100)) / 1000);
  }

  @Test
  void fractionalRatesKeepTheirPace() {
    Schedule s = new Schedule(0, 3, 2);
    assertEquals(333_333_333L, s.intendedNanos(1));
    assertEquals(1_000_000_000L, s.intendedNanos(3));
    assertEquals(4, s.dueBy(1_000_000_000L));
  }
}
