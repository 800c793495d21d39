package org.herald.domain.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LruMapTest {
  @Test
  void forgetsTheLeastRecentlyUsedEntryPastItsCapacity() {
    Map<String, Integer> map = new LruMap<>(2);
    map.put("a", 1);
    map.put("b", 2);
    map.get("a"); // a read is a use: b is now the least recently used
    map.put("c", 3);
    assertEquals(Set.of("a", "c"), map.keySet());
    map.put("a", 10); // so is a write
    map.put("d", 4);
    assertEquals(Set.of("a", "d"), map.keySet());
    assertEquals(10, map.get("a"));
  }

  @Test
  void holdsNothingAtCapacityZeroAndRefusesANegativeOne() {
    Map<String, String> off = new LruMap<>(0);
    off.put("a", "1");
    assertEquals(Map.of(), off);
    assertThrows(IllegalArgumentException.class, () -> new LruMap<String, String>(-1));
  }
}
