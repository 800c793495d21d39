package org.herald.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.common.Ids;
import org.herald.domain.content.MasterKey;
import org.herald.projection.common.Database;
import org.herald.projection.keys.JdbcContentKeys;
import org.herald.testkit.PostgresExtension;

/**
 * The write path without HTTP, sockets or projections (docs/benchmarks.md): C chat entities
 * (default 200) in one local actor system on PostgreSQL, each with one {@code SendMessage} in
 * flight at a time (closed loop), for S seconds (default 15) per configuration; durable messages
 * per second and ack latency, for pekko-persistence-jdbc's own DAO (a statement per event and
 * per tag) and for {@link BatchedJournalDao} (one statement per batch), alternating R rounds
 * (default 2) so that both see the same machine. Run like {@link MembershipScaleBenchmark}, with
 * optional arguments {@code C S R}.
 */
public final class JournalWriteBenchmark {
  private JournalWriteBenchmark() {}

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  public static void main(String[] args) throws Exception {
    int chats = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    PostgresExtension pg = new PostgresExtension();
    pg.beforeAll(null);
    try (var ds = Database.pool(new Database.Settings(pg.url(), pg.user(), pg.password(), 4), "bench")) {
      Database.migrate(ds, Database.Vendor.POSTGRES);
      JdbcContentKeys keys = new JdbcContentKeys(ds, java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "bench-keys");
        t.setDaemon(true);
        return t;
      }), MasterKey.generate(), Clock.systemUTC(), 100_000);
      Config base = HeraldNode.config(TestNodes.on(pg).with("pekko.actor.provider", "local").with("pekko.loglevel", "WARNING"));
      for (int round = 1; round <= rounds; round++) {
        for (String dao :
            List.of("org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao", BatchedJournalDao.class.getName())) {
          Config config = ConfigFactory.parseString("jdbc-journal.dao = \"" + dao + "\"").withFallback(base);
          run(config, dao.substring(dao.lastIndexOf('.') + 1), keys, chats, seconds);
        }
      }
    } finally {
      pg.afterAll(null);
    }
  }

  static void run(Config config, String label, JdbcContentKeys keys, int chats, int seconds) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", config);
    try {
      var settings = ChatEntity.Settings.fromConfig(config);
      List<ActorRef<ChatCommand>> refs = new ArrayList<>();
      String owner = Ids.newUserId();
      for (int i = 0; i < chats; i++) {
        String chatId = "g" + Ids.random(16);
        ActorRef<ChatCommand> chat =
            system.systemActorOf(
                ChatEntity.create(chatId, Clock.systemUTC(), MembershipScaleBenchmark.QUIET, keys, settings), chatId, Props.empty());
        refs.add(chat);
        ask(system, chat, r -> new ChatCommand.CreateChat(ChatKind.GROUP, "Bench", null, false, owner, List.of(), r)).join();
      }
      AtomicBoolean measuring = new AtomicBoolean(false);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong acked = new AtomicLong();
      ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
      List<CompletableFuture<Void>> loops = new ArrayList<>();
      for (ActorRef<ChatCommand> chat : refs) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loops.add(done);
        sendLoop(system, chat, owner, running, measuring, acked, micros, done);
      }
      Thread.sleep(3_000); // warm-up: key pools filled, JIT
      measuring.set(true);
      long start = System.nanoTime();
      Thread.sleep(seconds * 1_000L);
      measuring.set(false);
      double elapsed = (System.nanoTime() - start) / 1e9;
      running.set(false);
      CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
      List<Long> sorted = new ArrayList<>(micros);
      sorted.sort(null);
      System.out.printf(
          "bench: scenario=journal_write dao=%s chats=%d messages_per_s=%.0f p50_ms=%.1f p99_ms=%.1f%n",
          label, chats, acked.get() / elapsed, pct(sorted, 0.50) / 1000.0, pct(sorted, 0.99) / 1000.0);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  private static void sendLoop(
      ActorSystem<Void> system,
      ActorRef<ChatCommand> chat,
      String owner,
      AtomicBoolean running,
      AtomicBoolean measuring,
      AtomicLong acked,
      ConcurrentLinkedQueue<Long> micros,
      CompletableFuture<Void> done) {
    if (!running.get()) {
      done.complete(null);
      return;
    }
    long t = System.nanoTime();
    ask(system, chat, r -> new ChatCommand.SendMessage(owner, Ids.random(12), "bench message", false, null, r))
        .whenComplete(
            (reply, failure) -> {
              if (failure == null && reply instanceof ChatReply.MessageAccepted && measuring.get()) {
                acked.incrementAndGet();
                micros.add((System.nanoTime() - t) / 1_000);
              }
              sendLoop(system, chat, owner, running, measuring, acked, micros, done);
            });
  }

  private static CompletableFuture<ChatReply> ask(
      ActorSystem<Void> system, ActorRef<ChatCommand> chat, org.apache.pekko.japi.function.Function<ActorRef<ChatReply>, ChatCommand> make) {
    return AskPattern.<ChatCommand, ChatReply>ask(chat, make, TIMEOUT, system.scheduler()).toCompletableFuture();
  }

  private static long pct(List<Long> sorted, double p) {
    return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (p * sorted.size())));
  }
}
