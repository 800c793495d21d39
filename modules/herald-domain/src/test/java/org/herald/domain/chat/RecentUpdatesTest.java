package org.herald.domain.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

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

  static ChatUpdate.MessageNew sent(long pts, String senderId, String clientMessageId) {
    Message m = new Message(pts, senderId, "hi", Instant.EPOCH, null, false, null, null, false, false);
    return new ChatUpdate.MessageNew("c", pts, m, clientMessageId);
  }

  @Test
  void findsASendByItsSenderAndClientIdWhileTheWindowHoldsIt() {
    ChatUpdate.MessageNew first = sent(1, "alice", "m-1");
    RecentUpdates r = RecentUpdates.empty().append(first, 3).append(sent(2, "bob", "m-1"), 3).append(read(3), 3);
    assertSame(first, r.findSent("alice", "m-1"));
    assertEquals(2L, r.findSent("bob", "m-1").pts());
    assertNull(r.findSent("carol", "m-1"));
    assertNull(r.findSent("alice", "m-2"));
    // Read back from a snapshot's list form, the index is rebuilt.
    assertEquals(1L, RecentUpdates.of(r.toList()).findSent("alice", "m-1").pts());
    // Once the window slides past it, the send is forgotten, also after the array is copied.
    RecentUpdates slid = r.append(read(4), 3);
    assertNull(slid.findSent("alice", "m-1"));
    assertEquals(2L, slid.findSent("bob", "m-1").pts());
    for (long i = 5; i <= 12; i++) {
      slid = slid.append(read(i), 3);
    }
    assertNull(slid.findSent("bob", "m-1"));
    assertEquals(1L, r.findSent("alice", "m-1").pts(), "an older version still sees its own window");
  }

  @Test
  void keysWithTheSameHashAreTellApartByTheirStrings() {
    // "Aa" and "BB" have the same String.hashCode, so their keys collide.
    RecentUpdates r = RecentUpdates.empty().append(sent(1, "u", "Aa"), 5);
    assertNull(r.findSent("u", "BB"));
    assertEquals(1L, r.findSent("u", "Aa").pts());
  }
}
