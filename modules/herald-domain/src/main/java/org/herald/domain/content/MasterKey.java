package org.herald.domain.content;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that wraps every data key in the key table. It comes from configuration or the
 * environment ({@code HERALD_MASTER_KEY}, 32 bytes in base64) and is never stored in the
 * database; only its fingerprint is, so a node started with another key refuses to start.
 */
public final class MasterKey {
  private static final byte[] WRAP_AAD = "herald content key v1".getBytes(StandardCharsets.UTF_8);
  private final byte[] key;
  private final String fingerprint;

  private MasterKey(byte[] key) {
    this.key = key;
    this.fingerprint = fingerprintOf(key);
  }

  /** Parses the configured value; the message names the setting when it is missing or malformed. */
  public static MasterKey parse(String base64, String setting) {
    if (base64 == null || base64.isBlank()) {
      throw new IllegalArgumentException(
          setting + " is not set: Herald encrypts message content at rest and needs a 32-byte master key in base64"
              + " (generate one with `head -c 32 /dev/urandom | base64`)");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(setting + " is not valid base64");
    }
    if (raw.length != ContentCipher.KEY_BYTES) {
      throw new IllegalArgumentException(setting + " must decode to 32 bytes, not " + raw.length);
    }
    return new MasterKey(raw);
  }

  public static MasterKey generate() {
    return new MasterKey(ContentCipher.newKey());
  }

  public String toBase64() {
    return Base64.getEncoder().encodeToString(key);
  }

  /** A public name for the key (HMAC of a constant): tells keys apart without revealing them. */
  public String fingerprint() {
    return fingerprint;
  }

  public byte[] wrap(String keyId, byte[] dataKey) {
    return ContentCipher.encrypt(key, aad(keyId), dataKey);
  }

  /** The data key; {@link ContentCipher.ContentUnreadable} when this master key did not wrap it. */
  public byte[] unwrap(String keyId, byte[] wrapped) {
    return ContentCipher.decrypt(key, aad(keyId), wrapped);
  }

  private static byte[] aad(String keyId) {
    byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
    byte[] aad = Arrays.copyOf(WRAP_AAD, WRAP_AAD.length + id.length);
    System.arraycopy(id, 0, aad, WRAP_AAD.length, id.length);
    return aad;
  }

  private static String fingerprintOf(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal("herald master key fingerprint".getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  @Override
  public String toString() {
    return "MasterKey[" + fingerprint + "]";
  }
}
