package org.herald.domain.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentUpdatesTest {
  static ChatUpdate read(long pts) {
    return new ChatUpdate.ReadUpTo("c", pts, "u", pts, Instant.EPOCH);
  }

  static List<Long> pts(RecentUpdates r) {
    return r.toList().stream().map(ChatUpdate::pts).toList();
  }

  @Test
  void keepsTheLastCapacityUpdatesOldestFirst() {
    RecentUpdates r = RecentUpdates.empty();
    for (long i = 1; i <= 25; i++) {
      r = r.append(read(i), 10);
    }
    assertEquals(10, r.size());
    assertEquals(List.of(16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L, 24L, 25L), pts(r));
  }

  @Test
  void olderVersionsNeverChangeWhenNewerOnesGrow() {
    RecentUpdates base = RecentUpdates.empty().append(read(1), 5).append(read(2), 5);
    RecentUpdates a = base.append(read(3), 5);
    RecentUpdates b = base.append(read(99), 5);
    assertEquals(List.of(1L, 2L), pts(base));
    assertEquals(List.of(1L, 2L, 3L), pts(a));
    assertEquals(List.of(1L, 2L, 99L), pts(b));
  }

  @Test
  void roundTripsThroughItsListForm() {
    RecentUpdates r = RecentUpdates.empty().append(read(1), 5).append(read(2), 5);
    assertEquals(r, RecentUpdates.of(r.toList()));
    assertEquals(List.of(1L, 2L, 3L), pts(RecentUpdates.of(r.toList()).append(read(3), 5)));
  }
}
