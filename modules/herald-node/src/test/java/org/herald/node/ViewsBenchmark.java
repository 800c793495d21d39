package org.herald.node;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.domain.common.Ids;
import org.herald.domain.views.PostViews;
import org.herald.domain.views.ViewsCommand;
import org.herald.testkit.PostgresExtension;

/**
 * Prints the view-counter figures of docs/benchmarks.md: (1) 200,000 distinct viewers report one
 * post; (2) 1,000 posts × 1,000 viewers each. Views go to the post entities through cluster
 * sharding exactly as the {@code POST …/views} route sends them (the route's HTTP parsing and
 * its one membership check per request are not in this figure), with at most 2,000 reports
 * in flight; each report is answered once durable. Measured: reports acknowledged per second,
 * journal writes they took (group commit), and the time until the views projection's counters
 * in PostgreSQL are exact. One node on PostgreSQL, in-process. Run like
 * {@link MembershipScaleBenchmark}, main class {@code org.herald.node.ViewsBenchmark}.
 */
public final class ViewsBenchmark {
  private ViewsBenchmark() {}

  static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

  static String user(long i) {
    StringBuilder id = new StringBuilder("u");
    for (int k = 0; k < 16; k++, i >>>= 5) {
      id.append(ALPHABET.charAt((int) (i & 31)));
    }
    return id.toString();
  }

  public static void main(String[] args) throws Exception {
    PostgresExtension pg = new PostgresExtension();
    pg.beforeAll(null);
    HeraldNode node = TestNodes.benchmarkNode(pg);
    try {
      ClusterSharding sharding = ClusterSharding.get(node.system());
      Db ds = pg::connect;
      run("one hot post, 200,000 viewers", sharding, ds, 1, 200_000);
      run("1,000 posts x 1,000 viewers", sharding, ds, 1_000, 1_000);
    } finally {
      node.stop();
      System.exit(0);
    }
  }

  static void run(String name, ClusterSharding sharding, Db ds, int posts, int viewers) throws Exception {
    String chatId = "c" + Ids.random(16);
    long total = (long) posts * viewers;
    long writesBefore = journalRows(ds);
    Semaphore inFlight = new Semaphore(2_000);
    AtomicLong failures = new AtomicLong();
    List<CompletableFuture<?>> all = new ArrayList<>();
    long t0 = System.nanoTime();
    // Viewer-major order: each viewer goes through the posts, as readers scroll a channel.
    for (long v = 0; v < viewers; v++) {
      for (int p = 1; p <= posts; p++) {
        inFlight.acquire();
        String userId = user(v * 7919 + 1);
        all.add(
            PostViews.ref(sharding, chatId, p)
                .<ViewsCommand.Counted>ask(r -> new ViewsCommand.RecordView(userId, r), Duration.ofSeconds(30))
                .whenComplete((c, f) -> {
                  if (f != null) {
                    failures.incrementAndGet();
                  }
                  inFlight.release();
                })
                .toCompletableFuture());
      }
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(f -> null).join();
    double ackedS = (System.nanoTime() - t0) / 1e9;
    long writes = journalRows(ds) - writesBefore;
    long exactAt;
    while (true) {
      long[] counted = counters(ds, chatId);
      if (counted[0] == total && counted[1] == posts) {
        exactAt = System.nanoTime();
        break;
      }
      Thread.sleep(20);
    }
    double exactS = (exactAt - t0) / 1e9;
    System.out.printf(
        "%s: %,d views acknowledged in %.2f s (%,.0f views/s), %,d journal writes (%.0f views per write), %d failed;"
            + " counters exact %.2f s after the first report (%.2f s after the last ack)%n",
        name, total, ackedS, total / ackedS, writes, (double) total / Math.max(1, writes), failures.get(), exactS, exactS - ackedS);
  }

  /** Where the benchmark reads the journal and the counters. */
  interface Db {
    Connection getConnection() throws java.sql.SQLException;
  }

  static long journalRows(Db ds) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'PostViews|%'");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Sum of the chat's counters, and how many posts have exactly the expected share. */
  static long[] counters(Db ds, String chatId) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(views), 0), COUNT(*) FROM message_views WHERE chat_id = ?")) {
      ps.setString(1, chatId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2)};
      }
    }
  }
}
