package org.herald.domain.content;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for message content. The additional authenticated data binds a sealed text to its
 * chat and message, so a ciphertext copied onto another message does not open.
 */
public final class ContentCipher {
  public static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Nonces come from a DRBG per thread: the default {@code NativePRNG} reads {@code /dev/urandom}
   * (a system call) under one lock for every message, which showed in profiles of the send path.
   */
  private static final ThreadLocal<SecureRandom> NONCES = ThreadLocal.withInitial(ContentCipher::drbg);
  /**
   * A {@code Cipher} per thread, initialized afresh for every message (new key and nonce): looking
   * one up by transformation walks the provider list each time. Not shared: a Cipher is not
   * thread-safe.
   */
  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(ContentCipher::gcm);

  private ContentCipher() {}

  public static byte[] newKey() {
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    return key;
  }

  public static Sealed seal(ContentKey key, String chatId, long messageId, String text) {
    return seal(key, aad(chatId, messageId), text);
  }

  /** The text, or a {@link ContentUnreadable} when the key is not the one it was sealed with. */
  public static String open(ContentKey key, Sealed sealed, String chatId, long messageId) {
    return open(key, sealed, aad(chatId, messageId), "message " + messageId);
  }

  /**
   * Seals the text of scheduled post {@code scheduledId}: bound to the chat and that post, never
   * to a message (a scheduled post gets its messageId only when it is published, resealed).
   */
  public static Sealed sealScheduled(ContentKey key, String chatId, long scheduledId, String text) {
    return seal(key, scheduledAad(chatId, scheduledId), text);
  }

  public static String openScheduled(ContentKey key, Sealed sealed, String chatId, long scheduledId) {
    return open(key, sealed, scheduledAad(chatId, scheduledId), "scheduled post " + scheduledId);
  }

  private static Sealed seal(ContentKey key, byte[] aad, String text) {
    return new Sealed(key.keyId(), encrypt(key.key(), aad, text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String open(ContentKey key, Sealed sealed, byte[] aad, String what) {
    if (!key.keyId().equals(sealed.keyId())) {
      throw new ContentUnreadable("content of " + what + " is sealed with another key");
    }
    return new String(decrypt(key.key(), aad, sealed.box()), StandardCharsets.UTF_8);
  }

  private static byte[] aad(String chatId, long messageId) {
    return (chatId + "/" + messageId).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] scheduledAad(String chatId, long scheduledId) {
    return (chatId + "/scheduled/" + scheduledId).getBytes(StandardCharsets.UTF_8);
  }

  /** AES-GCM with a random nonce: nonce || ciphertext || tag. */
  public static byte[] encrypt(byte[] key, byte[] aad, byte[] plain) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      NONCES.get().nextBytes(nonce);
      Cipher cipher = CIPHERS.get();
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad);
      // the box is written in place: nonce, then ciphertext and tag straight from the cipher
      byte[] box = new byte[NONCE_BYTES + cipher.getOutputSize(plain.length)];
      System.arraycopy(nonce, 0, box, 0, NONCE_BYTES);
      int sealed = cipher.doFinal(plain, 0, plain.length, box, NONCE_BYTES);
      return sealed == box.length - NONCE_BYTES ? box : Arrays.copyOf(box, NONCE_BYTES + sealed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  public static byte[] decrypt(byte[] key, byte[] aad, byte[] box) {
    if (box.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new ContentUnreadable("sealed content is truncated");
    }
    try {
      Cipher cipher = CIPHERS.get();
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, box, 0, NONCE_BYTES));
      cipher.updateAAD(aad);
      return cipher.doFinal(box, NONCE_BYTES, box.length - NONCE_BYTES);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new ContentUnreadable("sealed content does not authenticate under its key");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  private static Cipher gcm() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no DRBG SecureRandom", e);
    }
  }

  /** Content that cannot be opened: wrong key or tampered bytes. Never shown as garbage. */
  public static final class ContentUnreadable extends RuntimeException {
    public ContentUnreadable(String message) {
      super(message);
    }
  }
}
