package org.herald.node;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.PostgresExtension;

/**
 * Prints the fan-out figure of docs/benchmarks.md: a public channel with N connected
 * subscribers (default 2,000), each on its own WebSocket; the owner posts over HTTP, and the time
 * from the post until the last socket has it is measured, over several posts. One node on
 * PostgreSQL, in-process; the clients in the same JVM. Argon2 is turned down for the thousands of
 * test accounts (it is not what is measured). Run like {@link MembershipScaleBenchmark}.
 */
public final class FanoutBenchmark {
  private FanoutBenchmark() {}

  public static void main(String[] args) throws Exception {
    int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int posts = 10;
    PostgresExtension pg = new PostgresExtension();
    pg.beforeAll(null);
    HeraldNode node = TestNodes.benchmarkNode(pg);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      HeraldClient client = new HeraldClient(node.baseUrl());
      Account owner = client.register("fan_owner", "Owner", "pa55word", "bench");
      String chatId = client.post("/v1/chats", owner.token(), Map.of("kind", "channel", "title", "Fan-out", "public", true)).text("chatId");

      long t0 = System.nanoTime();
      List<CompletableFuture<Account>> made = new ArrayList<>();
      for (int i = 0; i < subscribers; i++) {
        int n = i;
        made.add(
            CompletableFuture.supplyAsync(
                () -> {
                  Account a = client.register("fan" + n + "_" + Long.toString(System.nanoTime(), 36), "Sub " + n, "pa55word", "bench");
                  var joined = client.post("/v1/chats/" + chatId + "/members", a.token(), Map.of());
                  if (joined.status() != 204) {
                    throw new IllegalStateException("join failed: " + joined.raw());
                  }
                  return a;
                },
                pool));
      }
      List<Account> accounts = made.stream().map(CompletableFuture::join).toList();
      System.out.printf("setup: %d accounts subscribed in %.1f s%n", subscribers, (System.nanoTime() - t0) / 1e9);

      HttpClient http = HttpClient.newHttpClient();
      CountDownLatch ready = new CountDownLatch(subscribers);
      List<Listener> listeners = new ArrayList<>();
      String wsUrl = node.baseUrl().replaceFirst("^http", "ws") + "/v1/updates";
      for (Account a : accounts) {
        Listener l = new Listener(ready);
        listeners.add(l);
        http.newWebSocketBuilder().header("Authorization", "Bearer " + a.token()).buildAsync(URI.create(wsUrl), l);
      }
      if (!ready.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("sockets not ready: " + ready.getCount() + " missing");
      }
      Thread.sleep(1000);

      List<Double> lastMs = new ArrayList<>();
      List<Double> medianMs = new ArrayList<>();
      for (int p = 0; p < posts; p++) {
        String text = "post " + p;
        CountDownLatch got = new CountDownLatch(subscribers);
        listeners.forEach(l -> l.expect(text, got));
        long start = System.nanoTime();
        var sent = client.post("/v1/chats/" + chatId + "/messages", owner.token(), Map.of("clientMessageId", "p" + p, "text", text));
        if (sent.status() != 201) {
          throw new IllegalStateException(sent.raw());
        }
        if (!got.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException(got.getCount() + " sockets missed " + text);
        }
        List<Long> times = new ArrayList<>();
        listeners.forEach(l -> times.add(l.arrivedAt - start));
        times.sort(null);
        lastMs.add(times.get(times.size() - 1) / 1e6);
        medianMs.add(times.get(times.size() / 2) / 1e6);
        Thread.sleep(200);
      }
      lastMs.sort(null);
      medianMs.sort(null);
      System.out.printf(
          "bench: scenario=channel_fanout connected=%d posts=%d last_socket_p50_ms=%.1f last_socket_max_ms=%.1f median_socket_p50_ms=%.1f%n",
          subscribers, posts, lastMs.get(posts / 2), lastMs.get(posts - 1), medianMs.get(posts / 2));
    } finally {
      pool.shutdownNow();
      node.stop();
      pg.afterAll(null);
    }
  }

  /** Counts the socket ready, then records when the expected post arrives. */
  static final class Listener implements WebSocket.Listener {
    private final CountDownLatch ready;
    private final StringBuilder partial = new StringBuilder();
    private volatile String expected;
    private volatile CountDownLatch got;
    volatile long arrivedAt;
    private boolean isReady;

    Listener(CountDownLatch ready) {
      this.ready = ready;
    }

    void expect(String text, CountDownLatch latch) {
      this.got = latch;
      this.expected = text;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        long now = System.nanoTime();
        String frame = partial.toString();
        partial.setLength(0);
        if (!isReady && frame.contains("\"ready\"")) {
          isReady = true;
          ready.countDown();
        } else if (expected != null && frame.contains("\"" + expected + "\"")) {
          arrivedAt = now;
          expected = null;
          got.countDown();
        }
      }
      ws.request(1);
      return null;
    }
  }
}
