package org.herald.domain.content;

import java.util.Arrays;

/**
 * A data key in the clear: a 256-bit AES key and its id. It exists only in memory; the key
 * table holds it wrapped by the master key. Never serialized, never logged.
 */
public record ContentKey(String keyId, byte[] key) {
  public ContentKey {
    if (key.length != ContentCipher.KEY_BYTES) {
      throw new IllegalArgumentException("a content key has " + ContentCipher.KEY_BYTES + " bytes");
    }
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
