package org.herald.api.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import org.herald.domain.common.Ids;

/**
 * Session tokens: {@code <userId>.<sessionId>.<secret>}, where the secret is 256 random bits.
 * The ids route the check to the right user entity; only SHA-256 of the secret is stored. A
 * fast hash is right here, unlike for passwords: 256 random bits cannot be guessed.
 */
public final class Tokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Tokens() {}

  /** A token and the hash the user entity keeps. */
  public record Issued(String token, String hash) {}

  /** The parts of a presented token. */
  public record Presented(String userId, String sessionId, String hash) {}

  public static Issued issue(String userId, String sessionId) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String encoded = B64.encodeToString(secret);
    return new Issued(userId + "." + sessionId + "." + encoded, hash(encoded));
  }

  /** Splits a presented token, or returns null when it cannot be one of ours. */
  public static Presented parse(String token) {
    if (token == null || token.length() > 256) {
      return null;
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3
        || !Ids.isWellFormed(parts[0])
        || !Ids.isWellFormed(parts[1])
        || parts[2].length() != 43) {
      return null;
    }
    return new Presented(parts[0], parts[1], hash(parts[2]));
  }

  static String hash(String secret) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return B64.encodeToString(digest.digest(secret.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}
