package org.herald.domain.chat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The user ids of a chat's members, as a compact immutable set: the membership of a 200,000
 * member group or a channel with millions of subscribers, held in the chat entity's state.
 *
 * <p>A user id ({@code u} + 16 base32 characters, 80 bits, see {@code Ids.newUserId}) is packed
 * into two longs. The ids are spread over a power-of-two number of buckets by hash, each bucket a
 * sorted {@code long[]} of (high, low) pairs, so a member costs about 16 bytes instead of the
 * ~150 of a {@code HashMap<String, …>} entry. Changes copy the bucket array (one reference per
 * bucket) and the one bucket they touch: a few microseconds at any size, with every older
 * version left intact, as the state of an event-sourced entity must be. Buckets hold about 256
 * ids on average; when the set doubles, it is re-bucketed once.
 *
 * <p>It serializes as one byte string of 12 bytes per member, so a snapshot of a million members
 * is 12 MB and reads back without parsing a million JSON values.
 */
public final class MemberSet {
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
  private static final int TARGET_BUCKET_SIZE = 256;
  private static final long[] NO_IDS = new long[0];
  private static final MemberSet EMPTY = new MemberSet(new long[][] {NO_IDS}, 0);

  private final long[][] buckets;
  private final int size;

  private MemberSet(long[][] buckets, int size) {
    this.buckets = buckets;
    this.size = size;
  }

  public static MemberSet empty() {
    return EMPTY;
  }

  public static MemberSet of(Collection<String> userIds) {
    return EMPTY.withAll(userIds);
  }

  /** True when {@code userId} has the shape of a user id this set can hold. */
  public static boolean isUserId(String userId) {
    if (userId == null || userId.length() != 17 || userId.charAt(0) != 'u') {
      return false;
    }
    for (int i = 1; i < 17; i++) {
      if (ALPHABET.indexOf(userId.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public boolean contains(String userId) {
    if (!isUserId(userId)) {
      return false;
    }
    long hi = high(userId);
    long lo = low(userId);
    return find(buckets[bucketOf(hi, lo, buckets.length)], hi, lo) >= 0;
  }

  /** This set with {@code userId} added; {@code this} when it is already a member. */
  public MemberSet with(String userId) {
    return withAll(List.of(userId));
  }

  /** This set with every id added. Ids that are not user ids are rejected. */
  public MemberSet withAll(Collection<String> userIds) {
    for (String id : userIds) {
      if (!isUserId(id)) {
        throw new IllegalArgumentException("not a user id: " + id);
      }
    }
    int expected = size + userIds.size();
    long[][] next = bucketCountFor(expected) > buckets.length ? rebucket(bucketCountFor(expected)) : buckets.clone();
    int added = 0;
    for (String id : userIds) {
      long hi = high(id);
      long lo = low(id);
      int b = bucketOf(hi, lo, next.length);
      long[] bucket = next[b];
      int at = find(bucket, hi, lo);
      if (at >= 0) {
        continue;
      }
      int insert = -at - 1;
      long[] grown = new long[bucket.length + 2];
      System.arraycopy(bucket, 0, grown, 0, insert);
      grown[insert] = hi;
      grown[insert + 1] = lo;
      System.arraycopy(bucket, insert, grown, insert + 2, bucket.length - insert);
      next[b] = grown;
      added++;
    }
    return added == 0 ? this : new MemberSet(next, size + added);
  }

  /** This set without {@code userId}; {@code this} when it is not a member. */
  public MemberSet without(String userId) {
    if (!isUserId(userId)) {
      return this;
    }
    long hi = high(userId);
    long lo = low(userId);
    int b = bucketOf(hi, lo, buckets.length);
    long[] bucket = buckets[b];
    int at = find(bucket, hi, lo);
    if (at < 0) {
      return this;
    }
    long[] shrunk = new long[bucket.length - 2];
    System.arraycopy(bucket, 0, shrunk, 0, at);
    System.arraycopy(bucket, at + 2, shrunk, at, bucket.length - at - 2);
    long[][] next = buckets.clone();
    next[b] = shrunk;
    return new MemberSet(next, size - 1);
  }

  /** Every member, in no particular order. */
  public List<String> toList() {
    List<String> ids = new ArrayList<>(size);
    for (long[] bucket : buckets) {
      for (int i = 0; i < bucket.length; i += 2) {
        ids.add(decode(bucket[i], bucket[i + 1]));
      }
    }
    return ids;
  }

  /** 12 bytes per member: the high 60 bits as a long, the low 20 bits as an int. */
  @JsonValue
  public byte[] toBytes() {
    ByteBuffer out = ByteBuffer.allocate(size * 12);
    for (long[] bucket : buckets) {
      for (int i = 0; i < bucket.length; i += 2) {
        out.putLong(bucket[i]).putInt((int) bucket[i + 1]);
      }
    }
    return out.array();
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static MemberSet fromBytes(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return EMPTY;
    }
    if (bytes.length % 12 != 0) {
      throw new IllegalArgumentException("a member set is 12 bytes per member, got " + bytes.length);
    }
    int n = bytes.length / 12;
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int count = bucketCountFor(n);
    int[] sizes = new int[count];
    long[] his = new long[n];
    long[] los = new long[n];
    for (int i = 0; i < n; i++) {
      his[i] = in.getLong();
      los[i] = in.getInt() & 0xFFFFFFFFL;
      sizes[bucketOf(his[i], los[i], count)]++;
    }
    long[][] buckets = new long[count][];
    for (int b = 0; b < count; b++) {
      buckets[b] = new long[sizes[b] * 2];
    }
    int[] fill = new int[count];
    for (int i = 0; i < n; i++) {
      int b = bucketOf(his[i], los[i], count);
      buckets[b][fill[b]++] = his[i];
      buckets[b][fill[b]++] = los[i];
    }
    for (long[] bucket : buckets) {
      sortPairs(bucket);
    }
    return new MemberSet(buckets, n);
  }

  private long[][] rebucket(int count) {
    int[] sizes = new int[count];
    for (long[] bucket : buckets) {
      for (int i = 0; i < bucket.length; i += 2) {
        sizes[bucketOf(bucket[i], bucket[i + 1], count)]++;
      }
    }
    long[][] next = new long[count][];
    for (int b = 0; b < count; b++) {
      next[b] = new long[sizes[b] * 2];
    }
    int[] fill = new int[count];
    for (long[] bucket : buckets) {
      for (int i = 0; i < bucket.length; i += 2) {
        int b = bucketOf(bucket[i], bucket[i + 1], count);
        next[b][fill[b]++] = bucket[i];
        next[b][fill[b]++] = bucket[i + 1];
      }
    }
    for (long[] bucket : next) {
      sortPairs(bucket);
    }
    return next;
  }

  private static int bucketCountFor(int members) {
    int count = 1;
    while (count < 1 << 16 && (long) count * TARGET_BUCKET_SIZE < members) {
      count <<= 1;
    }
    return count;
  }

  private static int bucketOf(long hi, long lo, int count) {
    long h = hi * 0x9E3779B97F4A7C15L ^ lo * 0xC2B2AE3D27D4EB4FL;
    h ^= h >>> 29;
    return (int) (h & (count - 1));
  }

  /** Index of the pair in {@code bucket}, or {@code -(insertion index) - 1}. */
  private static int find(long[] bucket, long hi, long lo) {
    int low = 0;
    int high = bucket.length / 2 - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int cmp = compare(bucket[2 * mid], bucket[2 * mid + 1], hi, lo);
      if (cmp < 0) {
        low = mid + 1;
      } else if (cmp > 0) {
        high = mid - 1;
      } else {
        return 2 * mid;
      }
    }
    return -(2 * low) - 1;
  }

  private static int compare(long hiA, long loA, long hiB, long loB) {
    int c = Long.compare(hiA, hiB);
    return c != 0 ? c : Long.compare(loA, loB);
  }

  /** Sorts (high, low) pairs in place; already-sorted input (the common case) costs one pass. */
  private static void sortPairs(long[] pairs) {
    boolean sorted = true;
    for (int i = 2; i < pairs.length && sorted; i += 2) {
      sorted = compare(pairs[i - 2], pairs[i - 1], pairs[i], pairs[i + 1]) < 0;
    }
    if (!sorted) {
      quicksort(pairs, 0, pairs.length / 2 - 1);
    }
  }

  private static void quicksort(long[] p, int from, int to) {
    while (from < to) {
      int mid = (from + to) >>> 1;
      long ph = p[2 * mid];
      long pl = p[2 * mid + 1];
      int i = from;
      int j = to;
      while (i <= j) {
        while (compare(p[2 * i], p[2 * i + 1], ph, pl) < 0) {
          i++;
        }
        while (compare(p[2 * j], p[2 * j + 1], ph, pl) > 0) {
          j--;
        }
        if (i <= j) {
          swap(p, i++, j--);
        }
      }
      if (j - from < to - i) {
        quicksort(p, from, j);
        from = i;
      } else {
        quicksort(p, i, to);
        to = j;
      }
    }
  }

  private static void swap(long[] p, int a, int b) {
    long h = p[2 * a];
    long l = p[2 * a + 1];
    p[2 * a] = p[2 * b];
    p[2 * a + 1] = p[2 * b + 1];
    p[2 * b] = h;
    p[2 * b + 1] = l;
  }

  private static long high(String id) {
    long v = 0;
    for (int i = 1; i <= 12; i++) {
      v = v << 5 | ALPHABET.indexOf(id.charAt(i));
    }
    return v;
  }

  private static long low(String id) {
    long v = 0;
    for (int i = 13; i <= 16; i++) {
      v = v << 5 | ALPHABET.indexOf(id.charAt(i));
    }
    return v;
  }

  private static String decode(long hi, long lo) {
    char[] out = new char[17];
    out[0] = 'u';
    for (int i = 12; i >= 1; i--) {
      out[i] = ALPHABET.charAt((int) (hi & 31));
      hi >>>= 5;
    }
    for (int i = 16; i >= 13; i--) {
      out[i] = ALPHABET.charAt((int) (lo & 31));
      lo >>>= 5;
    }
    return new String(out);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MemberSet other) || other.size != size) {
      return false;
    }
    for (long[] bucket : buckets) {
      for (int i = 0; i < bucket.length; i += 2) {
        long[] theirs = other.buckets[bucketOf(bucket[i], bucket[i + 1], other.buckets.length)];
        if (find(theirs, bucket[i], bucket[i + 1]) < 0) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    long h = size;
    for (long[] bucket : buckets) {
      for (int i = 0; i < bucket.length; i += 2) {
        h += bucket[i] * 31 + bucket[i + 1];
      }
    }
    return Long.hashCode(h);
  }

  @Override
  public String toString() {
    return size <= 10 ? "MemberSet" + toList() : "MemberSet(" + size + " members)";
  }
}
