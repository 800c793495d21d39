package org.herald.domain.content;

import java.util.Arrays;
import java.util.Base64;
import org.herald.domain.common.CborSerializable;

/**
 * Message content as it is stored: AES-256-GCM ciphertext ({@code box} = 12-byte nonce,
 * ciphertext, 16-byte tag) under the data key {@code keyId}, which lives only in the key table.
 * Destroying that key makes every copy of this value (journal, snapshots, read models, backups)
 * unreadable: that is how deletion and edits shred content an append-only journal keeps.
 */
public record Sealed(String keyId, byte[] box) implements CborSerializable {

  /** The compact text form read models store: {@code keyId + ":" + base64(box)}. */
  public String encoded() {
    return keyId + ":" + Base64.getEncoder().withoutPadding().encodeToString(box);
  }

  /** Parses {@link #encoded()}; null stays null. */
  public static Sealed decode(String encoded) {
    if (encoded == null) {
      return null;
    }
    int colon = encoded.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("not a sealed value");
    }
    return new Sealed(encoded.substring(0, colon), Base64.getDecoder().decode(encoded.substring(colon + 1)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sealed other && keyId.equals(other.keyId) && Arrays.equals(box, other.box);
  }

  @Override
  public int hashCode() {
    return 31 * keyId.hashCode() + Arrays.hashCode(box);
  }

  @Override
  public String toString() {
    return "Sealed[" + keyId + ", " + box.length + " bytes]";
  }
}
