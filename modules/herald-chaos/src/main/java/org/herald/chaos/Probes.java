package org.herald.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.herald.chaos.Api.Outcome;
import org.herald.chaos.Workload.Chat;

/**
 * Recovery probes: right after a fault, one member of every chat sends a probe message (its own
 * clientMessageId, acknowledged and checked like any other message) through the nodes other
 * than the faulty one, with a 1 s timeout, every 250 ms until it is acknowledged. A chat has
 * recovered when its probe is acknowledged; the cluster when the last chat has.
 */
final class Probes {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final long EVERY_MS = 250;
  /** A chat still refusing writes this long after a fault counts as not recovered. */
  static final Duration GIVE_UP = Duration.ofSeconds(180);

  /** When each chat recovered, in seconds after the fault (null: not within {@link #GIVE_UP}). */
  record Round(List<Double> recoveredAfter) {
    /** The last chat's recovery; null when some chat did not recover. */
    Double recovery() {
      double max = 0;
      for (Double d : recoveredAfter) {
        if (d == null) {
          return null;
        }
        max = Math.max(max, d);
      }
      return max;
    }

    long unrecovered() {
      return recoveredAfter.stream().filter(d -> d == null).count();
    }
  }

  private final Api api;
  private final Cluster cluster;
  private final Workload workload;
  private final Ledger ledger;
  private final ErrorTally errors;
  private final String runTag;
  private final ExecutorService pool = Executors.newCachedThreadPool(Threads.daemon("probe"));

  Probes(Api api, Cluster cluster, Workload workload, Ledger ledger, ErrorTally errors, String runTag) {
    this.api = api;
    this.cluster = cluster;
    this.workload = workload;
    this.ledger = ledger;
    this.errors = errors;
    this.runTag = runTag;
  }

  /** Probes every chat after fault number {@code fault}, injected at {@code faultNanos}. */
  Round run(int fault, NodeProcess faulty, long faultNanos) {
    List<Future<Double>> futures = new ArrayList<>();
    for (Chat chat : workload.chats) {
      futures.add(pool.submit(() -> probe(chat, fault, faulty, faultNanos)));
    }
    List<Double> recovered = new ArrayList<>();
    for (Future<Double> f : futures) {
      try {
        recovered.add(f.get());
      } catch (Exception e) {
        recovered.add(null);
      }
    }
    return new Round(recovered);
  }

  private Double probe(Chat chat, int fault, NodeProcess faulty, long faultNanos) {
    Workload.Account prober = workload.accounts.get(chat.prober());
    String clientMessageId = runTag + "-p" + fault + "-c" + chat.index();
    Map<String, String> body = Map.of("clientMessageId", clientMessageId, "text", SimClient.text(clientMessageId));
    long giveUpAt = faultNanos + GIVE_UP.toNanos();
    for (int attempt = 0; System.nanoTime() < giveUpAt; attempt++) {
      long started = System.nanoTime();
      List<NodeProcess> live = new ArrayList<>(cluster.reachable());
      live.remove(faulty);
      if (live.isEmpty()) {
        Threads.sleep(EVERY_MS);
        continue;
      }
      NodeProcess via = live.get((chat.index() + attempt) % live.size());
      Outcome o = api.post(via.baseUrl(), "/v1/chats/" + chat.chatId() + "/messages", prober.token(), body, TIMEOUT);
      if (o.ok()) {
        long now = System.nanoTime();
        ledger.acked(
            new Ledger.Ack(chat.chatId(), clientMessageId, prober.userId(), o.body().path("messageId").asLong(), o.body().path("pts").asLong()));
        return (now - faultNanos) / 1e9;
      }
      errors.add(o.failure());
      Threads.sleep(EVERY_MS - (System.nanoTime() - started) / 1_000_000);
    }
    return null;
  }

  void close() {
    pool.shutdownNow();
  }
}
