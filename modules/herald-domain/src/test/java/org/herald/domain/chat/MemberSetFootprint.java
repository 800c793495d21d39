package org.herald.domain.chat;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.herald.domain.common.Ids;

/**
 * Prints the memory and time figures of chat membership (docs/benchmarks.md): heap per member
 * of {@link MemberSet} against a {@code HashMap<String, Role>}, the cost of adding members one by
 * one and in bulk, and the snapshot round trip that bounds recovery. A benchmark, not a test:
 *
 * <pre>
 * mvn -q -pl modules/herald-domain test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp
 * java -Xmx4g -cp modules/herald-domain/target/classes:modules/herald-domain/target/test-classes:$(cat /tmp/cp) \
 *   org.herald.domain.chat.MemberSetFootprint
 * </pre>
 */
public final class MemberSetFootprint {
  private MemberSetFootprint() {}

  public static void main(String[] args) throws Exception {
    CBORMapper cbor = new CBORMapper();
    for (int n : new int[] {200_000, 1_000_000}) {
      List<String> ids = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ids.add(Ids.newUserId());
      }
      long base = usedHeap();
      MemberSet bulk = MemberSet.of(ids);
      long setBytes = usedHeap() - base;
      Map<String, Role> map = new HashMap<>();
      long base2 = usedHeap();
      ids.forEach(id -> map.put(new String(id.toCharArray()), Role.MEMBER));
      long mapBytes = usedHeap() - base2;

      long t0 = System.nanoTime();
      MemberSet oneByOne = MemberSet.empty();
      for (String id : ids) {
        oneByOne = oneByOne.with(id);
      }
      long addEach = System.nanoTime() - t0;

      t0 = System.nanoTime();
      MemberSet.of(ids);
      long addBulk = System.nanoTime() - t0;

      t0 = System.nanoTime();
      byte[] snapshot = cbor.writeValueAsBytes(bulk);
      long write = System.nanoTime() - t0;
      t0 = System.nanoTime();
      MemberSet back = cbor.readValue(snapshot, MemberSet.class);
      long read = System.nanoTime() - t0;
      if (!back.equals(bulk) || oneByOne.size() != n) {
        throw new AssertionError("round trip lost members");
      }
      System.out.printf(
          "members=%d memberset_bytes_per_member=%.1f hashmap_bytes_per_member=%.1f add_one_by_one_ms=%d"
              + " add_bulk_ms=%d snapshot_mb=%.1f snapshot_write_ms=%d snapshot_read_ms=%d%n",
          n, (double) setBytes / n, (double) mapBytes / n, addEach / 1_000_000, addBulk / 1_000_000,
          snapshot.length / 1e6, write / 1_000_000, read / 1_000_000);
      map.clear();
    }
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
