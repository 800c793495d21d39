package org.herald.api.account;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  final PasswordHasher hasher = new PasswordHasher(1024, 2, 1);

  @Test
  void aHashVerifiesItsPasswordAndNoOther() {
    String hash = hasher.hash("correct horse");
    assertTrue(hash.startsWith("$argon2id$v=19$m=1024,t=2,p=1$"), hash);
    assertTrue(hasher.verify("correct horse", hash));
    assertFalse(hasher.verify("correct horsE", hash));
    assertFalse(hasher.verify("", hash));
  }

  @Test
  void theSamePasswordHashesDifferentlyEachTime() {
    assertNotEquals(hasher.hash("pw123456"), hasher.hash("pw123456"));
  }

  @Test
  void hashesMadeWithOtherParametersStillVerify() {
    String old = new PasswordHasher(512, 1, 1).hash("legacy-pass");
    assertTrue(hasher.verify("legacy-pass", old));
  }

  @Test
  void malformedHashesNeverVerify() {
    assertFalse(hasher.verify("x", null));
    assertFalse(hasher.verify("x", "$bcrypt$whatever"));
    assertFalse(hasher.verify("x", "$argon2id$v=19$m=1024,t=2$c2FsdA$aGFzaA"));
  }
}
