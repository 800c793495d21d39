package org.herald.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class TokensTest {
  @Test
  void anIssuedTokenParsesBackToItsIdsAndStoredHash() {
    Tokens.Issued issued = Tokens.issue("uabc", "sdef");
    Tokens.Presented presented = Tokens.parse(issued.token());
    assertEquals("uabc", presented.userId());
    assertEquals("sdef", presented.sessionId());
    assertEquals(issued.hash(), presented.hash());
    assertNotEquals(issued.token(), issued.hash(), "only the hash is stored");
  }

  @Test
  void secretsAre256RandomBits() {
    String secret = Tokens.issue("u", "s").token().split("\\.")[2];
    assertEquals(43, secret.length(), "32 bytes, base64url without padding");
    assertNotEquals(Tokens.issue("u", "s").token(), Tokens.issue("u", "s").token());
  }

  @Test
  void anythingElseIsNotAToken() {
    assertNull(Tokens.parse(null));
    assertNull(Tokens.parse(""));
    assertNull(Tokens.parse("a.b"));
    assertNull(Tokens.parse("UPPER.s." + "A".repeat(43)));
    assertNull(Tokens.parse("u.s." + "A".repeat(42)));
    assertNull(Tokens.parse("u.s.t." + "A".repeat(43)));
  }
}
