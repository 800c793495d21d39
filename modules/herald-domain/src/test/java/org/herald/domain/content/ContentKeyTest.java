package org.herald.domain.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ContentKeyTest {

  @Test
  void idsAreVersion7UuidsCarryingTheirMillisecond() {
    long millis = 1_796_000_000_123L;
    UUID id = UUID.fromString(ContentKey.newId(millis));
    assertEquals(7, id.version());
    assertEquals(2, id.variant());
    assertEquals(millis, id.getMostSignificantBits() >>> 16, "the first 48 bits are the milliseconds");
  }

  @Test
  void idsOfOneMillisecondAreUniqueAndLaterIdsSortAfterEarlierOnes() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      ids.add(ContentKey.newId(1_000L));
    }
    assertEquals(100_000, ids.size(), "the random bits alone keep ids of one millisecond apart");
    List<String> byTime = new ArrayList<>();
    for (long t = 1_796_000_000_000L; t < 1_796_000_000_000L + 5_000; t += 7) {
      byTime.add(ContentKey.newId(t));
    }
    for (int i = 1; i < byTime.size(); i++) {
      assertTrue(byTime.get(i - 1).compareTo(byTime.get(i)) < 0, "a later id sorts after: " + byTime.get(i));
    }
  }
}
