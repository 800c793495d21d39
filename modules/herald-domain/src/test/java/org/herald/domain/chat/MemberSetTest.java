package org.herald.domain.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.herald.domain.common.Ids;
import org.junit.jupiter.api.Test;

class MemberSetTest {
  static List<String> ids(int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(Ids.newUserId());
    }
    return ids;
  }

  @Test
  void holdsExactlyTheIdsAddedAndNotRemoved() {
    List<String> ids = ids(5_000);
    MemberSet set = MemberSet.empty();
    for (String id : ids) {
      set = set.with(id);
    }
    assertEquals(5_000, set.size());
    Set<String> expected = new HashSet<>(ids);
    Random random = new Random(7);
    for (int i = 0; i < 1_000; i++) {
      String gone = ids.get(random.nextInt(ids.size()));
      set = set.without(gone);
      expected.remove(gone);
    }
    assertEquals(expected.size(), set.size());
    assertEquals(expected, new HashSet<>(set.toList()));
    for (String id : ids) {
      assertEquals(expected.contains(id), set.contains(id), id);
    }
    assertFalse(set.contains(Ids.newUserId()));
    assertFalse(set.contains("not-a-user-id"));
  }

  @Test
  void olderVersionsNeverChange() {
    String a = Ids.newUserId();
    String b = Ids.newUserId();
    MemberSet one = MemberSet.of(List.of(a));
    MemberSet two = one.with(b);
    MemberSet none = two.without(a).without(b);
    assertEquals(List.of(a), one.toList());
    assertEquals(2, two.size());
    assertTrue(none.isEmpty());
    assertTrue(two.contains(a) && two.contains(b));
  }

  @Test
  void addingAMemberTwiceOrRemovingAStrangerIsANoOp() {
    String a = Ids.newUserId();
    MemberSet set = MemberSet.of(List.of(a));
    assertSame(set, set.with(a));
    assertSame(set, set.without(Ids.newUserId()));
  }

  @Test
  void bulkAddsAndGrowthAcrossBucketsKeepEveryId() {
    List<String> first = ids(100_000);
    MemberSet set = MemberSet.of(first);
    List<String> second = ids(150_000);
    set = set.withAll(second);
    assertEquals(250_000, set.size());
    for (int i = 0; i < first.size(); i += 997) {
      assertTrue(set.contains(first.get(i)));
    }
    for (int i = 0; i < second.size(); i += 991) {
      assertTrue(set.contains(second.get(i)));
    }
  }

  @Test
  void roundTripsThroughTwelveBytesPerMember() {
    MemberSet set = MemberSet.of(ids(10_000));
    byte[] bytes = set.toBytes();
    assertEquals(120_000, bytes.length);
    MemberSet back = MemberSet.fromBytes(bytes);
    assertEquals(set, back);
    assertEquals(new HashSet<>(set.toList()), new HashSet<>(back.toList()));
    assertEquals(MemberSet.empty(), MemberSet.fromBytes(new byte[0]));
  }

  @Test
  void onlyUserIdsAreAccepted() {
    assertTrue(MemberSet.isUserId(Ids.newUserId()));
    assertFalse(MemberSet.isUserId("ualice"));
    assertFalse(MemberSet.isUserId("s" + "a".repeat(16)));
    assertFalse(MemberSet.isUserId("u" + "A".repeat(16)));
    assertThrows(IllegalArgumentException.class, () -> MemberSet.empty().with("ualice"));
  }
}
