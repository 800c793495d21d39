package org.herald.node;

import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.herald.domain.content.MasterKey;
import org.herald.projection.keys.JdbcContentKeys;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.common.Ids;
import org.herald.domain.common.Publisher;
import org.herald.projection.common.Database;
import org.herald.testkit.PostgresExtension;

/**
 * Prints the scale figures of group and channel membership on the real PostgreSQL journal
 * (docs/benchmarks.md): time to add 200,000 members and 1,000,000 subscribers (in batches of
 * 1,000, as they would pour in through the API), post latency while they pour in, and the
 * recovery time of the 200,000-member group and the 1,000,000-subscriber channel in a fresh
 * actor system. A benchmark, not a test: run it with the same PostgreSQL variables as the tests
 * ({@code HERALD_TEST_DB_URL}, {@code _USER}, {@code _PASSWORD}) and the test classpath:
 *
 * <pre>
 * mvn -q -pl modules/herald-node test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp
 * java -Xmx4g -cp modules/herald-node/target/classes:modules/herald-node/target/test-classes:$(cat /tmp/cp) \
 *   org.herald.node.MembershipScaleBenchmark
 * </pre>
 */
public final class MembershipScaleBenchmark {
  private MembershipScaleBenchmark() {}

  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  static final Publisher QUIET =
      new Publisher() {
        @Override
        public void publish(String topic, CborSerializable notification) {}

        @Override
        public void announce(CborSerializable notification) {}
      };

  static JdbcContentKeys keys;

  public static void main(String[] args) throws Exception {
    PostgresExtension pg = new PostgresExtension();
    pg.beforeAll(null);
    try {
      try (var ds = Database.pool(new Database.Settings(pg.url(), pg.user(), pg.password(), 2), "bench")) {
        Database.migrate(ds, Database.Vendor.POSTGRES);
        keys = new JdbcContentKeys(ds, Runnable::run, MasterKey.generate(), Clock.systemUTC(), 1000);
        Config config = HeraldNode.config(TestNodes.on(pg).with("pekko.actor.provider", "local"));
        run(config, ChatKind.GROUP, 200_000);
        run(config, ChatKind.CHANNEL, 1_000_000);
      }
    } finally {
      pg.afterAll(null);
    }
  }

  static void run(Config config, ChatKind kind, int members) throws Exception {
    String chatId = (kind == ChatKind.GROUP ? "g" : "c") + Ids.random(16);
    String owner = Ids.newUserId();
    int batch = 1_000;

    ActorSystem<Void> writer = ActorSystem.create(Behaviors.empty(), "bench", config);
    var settings = ChatEntity.Settings.fromConfig(config);
    ActorRef<ChatCommand> chat = writer.systemActorOf(ChatEntity.create(chatId, Clock.systemUTC(), QUIET, keys, settings), chatId, Props.empty());
    ask(writer, chat, r -> new ChatCommand.CreateChat(kind, "Bench", null, true, owner, List.of(), r));
    long start = System.nanoTime();
    List<Long> postMicros = new ArrayList<>();
    int total = 1;
    while (total < members) {
      List<String> ids = new ArrayList<>(batch);
      for (int i = 0; i < batch && total + i < members; i++) {
        ids.add(Ids.newUserId());
      }
      ask(writer, chat, r -> new ChatCommand.AddMembers(owner, ids, r));
      total += ids.size();
      if ((total / batch) % 50 == 0) {
        long t = System.nanoTime();
        ask(writer, chat, r -> new ChatCommand.SendMessage(owner, Ids.random(12), "while they join", false, null, r));
        postMicros.add((System.nanoTime() - t) / 1_000);
      }
    }
    double addSeconds = (System.nanoTime() - start) / 1e9;
    writer.terminate();
    writer.getWhenTerminated().toCompletableFuture().join();

    ActorSystem<Void> reader = ActorSystem.create(Behaviors.empty(), "bench", config);
    try {
      long recoverStart = System.nanoTime();
      ActorRef<ChatCommand> again = reader.systemActorOf(ChatEntity.create(chatId, Clock.systemUTC(), QUIET, keys, settings), chatId, Props.empty());
      var view = (ChatReply.ChatView) ask(reader, again, r -> new ChatCommand.GetChat(owner, r));
      double recoverMs = (System.nanoTime() - recoverStart) / 1e6;
      long postStart = System.nanoTime();
      ask(reader, again, r -> new ChatCommand.SendMessage(owner, Ids.random(12), "after recovery", false, null, r));
      double firstPostMs = (System.nanoTime() - postStart) / 1e6;
      // Reads check membership in memory (a bucket's binary search): how many history pages a
      // hot channel serves per second from one entity, 64 asks in flight.
      int reads = 20_000;
      String reader2 = Ids.newUserId();
      var inFlight = new java.util.concurrent.Semaphore(64);
      long readStart = System.nanoTime();
      List<java.util.concurrent.CompletableFuture<ChatReply>> pending = new ArrayList<>();
      for (int i = 0; i < reads; i++) {
        inFlight.acquire();
        String who = i % 2 == 0 ? owner : reader2;
        var f = AskPattern.<ChatCommand, ChatReply>ask(again, r -> new ChatCommand.GetHistory(who, 0, 0, 20, r), TIMEOUT, reader.scheduler())
            .toCompletableFuture();
        f.whenComplete((r, e) -> inFlight.release());
        pending.add(f);
      }
      pending.forEach(java.util.concurrent.CompletableFuture::join);
      double readsPerSecond = reads / ((System.nanoTime() - readStart) / 1e9);
      postMicros.sort(null);
      System.out.printf("bench: kind=%s history_pages_per_s=%.0f (half by the owner, half by a non-member preview)%n",
          kind.name().toLowerCase(), readsPerSecond);
      System.out.printf(
          "bench: kind=%s members=%d batch=%d add_s=%.1f members_per_s=%.0f post_while_joining_p50_ms=%.1f"
              + " post_while_joining_max_ms=%.1f recovery_ms=%.0f first_post_after_recovery_ms=%.1f%n",
          kind.name().toLowerCase(), view.memberCount(), batch, addSeconds, members / addSeconds,
          postMicros.get(postMicros.size() / 2) / 1000.0, postMicros.get(postMicros.size() - 1) / 1000.0, recoverMs, firstPostMs);
    } finally {
      reader.terminate();
      reader.getWhenTerminated().toCompletableFuture().join();
    }
  }

  static ChatReply ask(ActorSystem<Void> system, ActorRef<ChatCommand> ref, Function<ActorRef<ChatReply>, ChatCommand> cmd)
      throws Exception {
    ChatReply reply = AskPattern.<ChatCommand, ChatReply>ask(ref, cmd::apply, TIMEOUT, system.scheduler()).toCompletableFuture().get();
    if (reply instanceof ChatReply.Rejected r) {
      throw new IllegalStateException(r.rejection().toString());
    }
    return reply;
  }
}
