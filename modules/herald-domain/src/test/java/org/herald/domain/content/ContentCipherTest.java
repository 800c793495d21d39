package org.herald.domain.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ContentCipherTest {
  private static final ContentKey KEY = new ContentKey("k-1", ContentCipher.newKey());

  @Test
  void everySealHasItsOwnNonceAndOpensOnlyForItsMessage() {
    Sealed a = ContentCipher.seal(KEY, "g-1", 7, "hello");
    Sealed b = ContentCipher.seal(KEY, "g-1", 7, "hello");
    assertEquals(false, java.util.Arrays.equals(a.box(), b.box()), "the same text sealed twice differs (fresh nonce)");
    assertEquals("hello", ContentCipher.open(KEY, a, "g-1", 7));
    assertThrows(ContentCipher.ContentUnreadable.class, () -> ContentCipher.open(KEY, a, "g-1", 8));
    ContentKey other = new ContentKey("k-1", ContentCipher.newKey());
    assertThrows(ContentCipher.ContentUnreadable.class, () -> ContentCipher.open(other, a, "g-1", 7));
  }

  @Test
  void threadsSealAndOpenConcurrentlyAndAFailedOpenLeavesTheThreadsCipherUsable() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Set<String>>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        results.add(
            pool.submit(
                () -> {
                  Set<String> nonces = new HashSet<>();
                  for (int i = 0; i < 2_000; i++) {
                    String text = "message " + thread + "/" + i;
                    Sealed s = ContentCipher.seal(KEY, "g-1", i, text);
                    nonces.add(java.util.HexFormat.of().formatHex(s.box(), 0, 12));
                    int messageId = i;
                    if (i % 100 == 0) {
                      assertThrows(ContentCipher.ContentUnreadable.class, () -> ContentCipher.open(KEY, s, "g-2", messageId));
                    }
                    assertEquals(text, ContentCipher.open(KEY, s, "g-1", i));
                  }
                  return nonces;
                }));
      }
      Set<String> all = new HashSet<>();
      for (Future<Set<String>> r : results) {
        all.addAll(r.get());
      }
      assertEquals(8_000, all.size(), "no nonce repeats, within or across threads");
    } finally {
      pool.shutdownNow();
    }
  }
}
