package org.herald.domain.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Benchmark (a main, not a test): the idempotency check of a send, {@link
 * RecentUpdates#findSent}, against the linear scan of the updates it replaced, over the windows
 * of many chats (so that the updates are not all in cache, as on a busy node). Every lookup
 * misses, as nearly every real send does. Client ids are shaped like the load generator's (a
 * send time in nanoseconds and a sequence number): equal lengths and a long common prefix.
 * Figures in docs/benchmarks.md. Run with {@code java -cp
 * target/test-classes:target/classes:<dependencies> org.herald.domain.chat.FindSentBench}.
 */
public class FindSentBench {
  public static void main(String[] args) {
    int chats = 2_000;
    int window = 500;
    List<RecentUpdates> windows = new ArrayList<>();
    for (int c = 0; c < chats; c++) {
      RecentUpdates r = RecentUpdates.empty();
      for (int i = 1; i <= window; i++) {
        String sender = "user-" + (c * 2 + i % 2);
        Message m = new Message(i, sender, null, Instant.EPOCH, null, false, null, null, false, false);
        r = r.append(new ChatUpdate.MessageNew("chat-" + c, i, m, clientId(c * window + i)), window);
      }
      windows.add(r);
    }
    long sink = 0;
    for (int round = 0; round < 5; round++) {
      int n = 200_000;
      long t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        int c = (i * 7919) % chats;
        sink += windows.get(c).findSent("user-" + (c * 2), clientId(chats * window + i)) == null ? 1 : 0;
      }
      long indexed = System.nanoTime() - t;
      t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        int c = (i * 7919) % chats;
        sink += scan(windows.get(c), "user-" + (c * 2), clientId(chats * window + i)) == null ? 1 : 0;
      }
      long scanned = System.nanoTime() - t;
      System.out.printf(
          "findSent over a %d-update window: hashes %.2f us, updates scan %.2f us per send (ratio %.1f)%n",
          window, indexed / 1e3 / n, scanned / 1e3 / n, (double) scanned / indexed);
    }
    if (sink == 42) {
      System.out.println();
    }
  }

  static String clientId(long i) {
    return "lg-" + (1_733_390_000_000_000_000L + i * 1_000_003L) + "-" + (100_000_000 + i);
  }

  /** The check as it was: every update of the window dereferenced and its strings compared. */
  static ChatUpdate.MessageNew scan(RecentUpdates recent, String senderId, String clientMessageId) {
    for (int i = 0; i < recent.size(); i++) {
      if (recent.fromNewest(i) instanceof ChatUpdate.MessageNew m
          && clientMessageId.equals(m.clientMessageId())
          && senderId.equals(m.message().senderId())) {
        return m;
      }
    }
    return null;
  }
}
