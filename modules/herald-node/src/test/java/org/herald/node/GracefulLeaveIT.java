package org.herald.node;

import static org.herald.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.herald.testkit.FreePorts;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes in one cluster; the second stops gracefully, as on SIGTERM. It reports not ready
 * from the start, hands its shards off and leaves, so the first lists one member as soon as the
 * stop returns and serves every chat at once, those the second hosted included: nobody waits
 * for the split brain resolver to down an unreachable node (20 s of stable-after plus failure
 * detection, had the node just vanished).
 */
class GracefulLeaveIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  HeraldNode a;
  HeraldNode b;

  @AfterEach
  void stopNodes() {
    for (HeraldNode node : new HeraldNode[] {b, a}) {
      if (node != null && !node.whenTerminated().toCompletableFuture().isDone()) {
        node.stop();
      }
    }
  }

  @Test
  void aStoppingNodeLeavesAndItsChatsAreServedByTheOtherAtOnce() {
    int portA = FreePorts.belowEphemeral();
    List<String> seeds = List.of("pekko://herald@127.0.0.1:" + portA);
    a = TestNodes.start(TestNodes.on(pg).with("pekko.remote.artery.canonical.port", portA).with("pekko.cluster.seed-nodes", seeds));
    b = TestNodes.start(
        TestNodes.on(pg).with("pekko.remote.artery.canonical.port", FreePorts.belowEphemeral()).with("pekko.cluster.seed-nodes", seeds));
    HeraldClient operatorA = new HeraldClient(a.adminUrl());
    HeraldClient operatorB = new HeraldClient(b.adminUrl());

    JsonNode both = eventually(() -> members(operatorA), m -> statuses(m).equals(List.of("Up", "Up")));
    assertEquals(both.path("selfNode").asText(), both.path("oldest").asText(), "the first node is the oldest: " + both);
    assertTrue(both.path("leader").asText().startsWith("pekko://herald@"), both.toString());
    assertEquals(0, both.path("unreachable").size());
    assertEquals(List.of("Up", "Up"), statuses(members(operatorB)), "the second node sees the same");
    eventually(() -> operatorA.get("/ready", null), r -> r.status() == 200);
    eventually(() -> operatorB.get("/ready", null), r -> r.status() == 200);

    // Chats with messages, sent through the second node; sharding spreads them over both.
    HeraldClient viaA = new HeraldClient(a.baseUrl());
    HeraldClient viaB = new HeraldClient(b.baseUrl());
    Account alice = viaA.registerUnique("gl_alice");
    List<Account> peers = new ArrayList<>();
    List<String> chats = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Account peer = viaA.registerUnique("gl_peer" + i);
      peers.add(peer);
      chats.add(viaB.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", peer.userId())).text("chatId"));
    }
    for (int i = 0; i < chats.size(); i++) {
      viaB.sendText(alice, chats.get(i), "before " + i);
      viaB.sendText(peers.get(i), chats.get(i), "reply " + i);
    }
    Set<String> onB = chatShards(operatorB);
    assertTrue(!onB.isEmpty(), "the second node hosts some chats");

    // Stop it as SIGTERM would, and watch its readiness while it goes.
    long stopStart = System.nanoTime();
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(b::stop);
    boolean notReady = false;
    while (!stopping.isDone() && !notReady) {
      try {
        notReady = operatorB.get("/ready", null).status() == 503;
      } catch (IllegalStateException closed) {
        break;
      }
    }
    stopping.orTimeout(90, TimeUnit.SECONDS).join();
    long stopMillis = (System.nanoTime() - stopStart) / 1_000_000;
    b = null;
    assertTrue(notReady, "the stopping node answered /ready with 503 before its operator port closed");

    long left = System.nanoTime();
    JsonNode one = eventually(() -> members(operatorA), m -> statuses(m).size() == 1);
    long removedMillis = (System.nanoTime() - left) / 1_000_000;
    assertEquals(List.of("Up"), statuses(one));
    assertEquals(0, one.path("unreachable").size(), "it left; nobody found it unreachable");

    // Every chat takes a send on the first node at once, the moved ones included: one try each.
    long sendStart = System.nanoTime();
    for (int i = 0; i < chats.size(); i++) {
      Response sent =
          viaA.post("/v1/chats/" + chats.get(i) + "/messages", alice.token(), Map.of("clientMessageId", "after" + i, "text", "after " + i));
      assertEquals(201, sent.status(), "chat " + i + " right after the leave: " + sent.raw());
      assertEquals(2 + 1, sent.body().path("messageId").asLong(), "nothing lost, nothing repeated");
    }
    long sendMillis = (System.nanoTime() - sendStart) / 1_000_000;
    assertTrue(chatShards(operatorA).containsAll(onB), "the first node took over the second's shards");
    assertEquals(200, operatorA.get("/ready", null).status(), "the first node stayed ready throughout");
    System.out.printf(
        "graceful leave: stop() %d ms; one member %d ms after it; %d chats (%d shards moved) served in %d ms%n",
        stopMillis, removedMillis, chats.size(), onB.size(), sendMillis);
  }

  private static JsonNode members(HeraldClient operator) {
    Response r = operator.get("/cluster/members", null);
    assertEquals(200, r.status(), r.raw());
    return r.body();
  }

  private static List<String> statuses(JsonNode members) {
    List<String> statuses = new ArrayList<>();
    members.path("members").forEach(m -> statuses.add(m.path("status").asText()));
    return statuses;
  }

  /** The shards of chats this node hosts with at least one entity, from Pekko Management's shard route. */
  private static Set<String> chatShards(HeraldClient operator) {
    Response r = operator.get("/cluster/shards/Chat", null);
    assertEquals(200, r.status(), r.raw());
    Set<String> shards = new HashSet<>();
    r.body().path("regions").forEach(s -> {
      if (s.path("numEntities").asInt() > 0) {
        shards.add(s.path("shardId").asText());
      }
    });
    return shards;
  }
}
