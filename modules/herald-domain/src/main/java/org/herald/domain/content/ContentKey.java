package org.herald.domain.content;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;

/**
 * A data key in the clear: a 256-bit AES key and its id. It exists only in memory; the key
 * table holds it wrapped by the master key. Never serialized, never logged.
 */
public record ContentKey(String keyId, byte[] key) {
  private static final SecureRandom ID_RANDOM = new SecureRandom();

  public ContentKey {
    if (key.length != ContentCipher.KEY_BYTES) {
      throw new IllegalArgumentException("a content key has " + ContentCipher.KEY_BYTES + " bytes");
    }
  }

  /**
   * A new key id: a time-ordered UUID (version 7: 48 bits of Unix milliseconds, then 74 random
   * bits), so the key table's primary key grows at its right edge. A random UUID put each
   * insert on a random leaf of an index larger than the buffer cache: 23 µs of PostgreSQL time
   * per message (docs/benchmarks.md). An id reveals when its key was made, which the table's
   * {@code created_at} holds anyway; ids are unique by their random bits, not their time.
   */
  public static String newId(long epochMillis) {
    long msb = (epochMillis << 16) | 0x7000L | (ID_RANDOM.nextInt() & 0x0FFFL);
    long lsb = (ID_RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContentKey other && keyId.equals(other.keyId) && Arrays.equals(key, other.key);
  }

  @Override
  public int hashCode() {
    return keyId.hashCode();
  }

  @Override
  public String toString() {
    return "ContentKey[" + keyId + "]";
  }
}
