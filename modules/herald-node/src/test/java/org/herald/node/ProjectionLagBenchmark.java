package org.herald.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.PostgresExtension;

/**
 * Prints how far the projections stay behind the journal under sustained load
 * (docs/benchmarks.md): C clients (default 16) send in C direct chats for S seconds (default 30)
 * while the operator port's {@code /projections} is sampled every 250 ms; per projection it
 * prints the p50, p99 and max of {@code secondsBehind} (the age of the oldest unprocessed event
 * of the most behind instance). One node on PostgreSQL, in-process. Run like {@link
 * MembershipScaleBenchmark}, with optional arguments {@code C S}.
 */
public final class ProjectionLagBenchmark {
  private ProjectionLagBenchmark() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    PostgresExtension pg = new PostgresExtension();
    pg.beforeAll(null);
    HeraldNode node = TestNodes.benchmarkNode(pg);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      HeraldClient client = new HeraldClient(node.baseUrl());
      HeraldClient operator = new HeraldClient(node.adminUrl());
      List<Account> senders = new ArrayList<>();
      List<String> chats = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Account a = client.registerUnique("lag");
        Account b = client.registerUnique("lag");
        senders.add(a);
        chats.add(client.post("/v1/chats", a.token(), Map.of("kind", "direct", "userId", b.userId())).text("chatId"));
      }
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong sent = new AtomicLong();
      for (int i = 0; i < clients; i++) {
        int n = i;
        pool.submit(
            () -> {
              while (running.get()) {
                client.sendText(senders.get(n), chats.get(n), "load");
                sent.incrementAndGet();
              }
              return null;
            });
      }
      Map<String, List<Double>> behind = new TreeMap<>();
      long start = System.nanoTime();
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
        Thread.sleep(250);
        for (JsonNode p : operator.get("/projections", null).body().path("projections")) {
          behind.computeIfAbsent(p.path("name").asText(), k -> new ArrayList<>()).add(p.path("secondsBehind").asDouble());
        }
      }
      running.set(false);
      double elapsed = (System.nanoTime() - start) / 1e9;
      for (var entry : behind.entrySet()) {
        List<Double> values = entry.getValue();
        values.sort(null);
        System.out.printf(
            "bench: scenario=projection_lag clients=%d messages_per_s=%.0f projection=%s seconds_behind_p50=%.2f p99=%.2f max=%.2f samples=%d%n",
            clients,
            sent.get() / elapsed,
            entry.getKey(),
            values.get(values.size() / 2),
            values.get((int) Math.min(values.size() - 1, Math.floor(values.size() * 0.99))),
            values.get(values.size() - 1),
            values.size());
      }
    } finally {
      pool.shutdownNow();
      node.stop();
      pg.afterAll(null);
    }
  }
}
