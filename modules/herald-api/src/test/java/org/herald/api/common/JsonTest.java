package org.herald.api.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JsonTest {
  record Frame(String type, String clientMessageId, String chatId, long messageId, long pts, String date) {}

  /**
   * Frames are written in callbacks on the JDK's common pool, one task each, and its workers
   * erase thread-locals between tasks: with Jackson's default per-thread buffer pool each frame
   * allocated a fresh 4 KB output buffer (and a new buffer recycler). Counted in bytes allocated
   * by the writing thread, not in time.
   */
  @Test
  void framesWrittenInSeparateCommonPoolTasksReuseJacksonsBuffers() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    AtomicLong bytes = new AtomicLong();
    int tasks = 20_000;
    for (int i = 0; i < tasks; i++) {
      long n = i;
      CompletableFuture.runAsync(
              () -> {
                long before = threads.getCurrentThreadAllocatedBytes();
                String json = Json.write(new Frame("sent", "c" + n, "d_0123456789abcdef", n, n + 1, "2026-12-06T03:00:00.000Z"));
                long after = threads.getCurrentThreadAllocatedBytes();
                if (n >= 10_000) {
                  bytes.addAndGet(after - before);
                }
                assertTrue(json.startsWith("{\"type\":\"sent\""), json);
              })
          .join();
    }
    long perFrame = bytes.get() / (tasks - 10_000);
    assertTrue(perFrame < 2_048, "bytes allocated per frame: " + perFrame + " (a fresh 4 KB buffer each time is a lost pool)");
  }

  @Test
  void writesAndReadsTheWireFormat() {
    assertEquals("{\"type\":\"sent\",\"clientMessageId\":\"c\",\"chatId\":\"d\",\"messageId\":1,\"pts\":2}",
        Json.write(new Frame("sent", "c", "d", 1, 2, null)));
    assertEquals("c", Json.parse("{\"clientMessageId\":\"c\"}").requiredString("clientMessageId"));
  }
}
