package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.herald.testkit.FreePorts;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Socket;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes form one Pekko cluster over one PostgreSQL: a message persisted by a chat entity on
 * one node reaches sockets held by the other, and ending a session closes its socket wherever
 * it is. (Multi-process clusters and node loss are the chaos harness's job.)
 */
class CrossNodeDeliveryIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  static HeraldNode a;
  static HeraldNode b;

  @BeforeAll
  static void startCluster() {
    List<Integer> ports = FreePorts.belowEphemeral(2, new Random());
    int portA = ports.get(0);
    int portB = ports.get(1);
    List<String> seeds = List.of("pekko://herald@127.0.0.1:" + portA);
    a = TestNodes.start(TestNodes.on(pg).with("pekko.remote.artery.canonical.port", portA).with("pekko.cluster.seed-nodes", seeds));
    b = TestNodes.start(TestNodes.on(pg).with("pekko.remote.artery.canonical.port", portB).with("pekko.cluster.seed-nodes", seeds));
  }

  @AfterAll
  static void stopCluster() {
    if (b != null) {
      b.stop();
    }
    if (a != null) {
      a.stop();
    }
  }

  @Test
  void messagesSentThroughOneNodeReachSocketsOnTheOther() {
    HeraldClient viaA = new HeraldClient(a.baseUrl());
    HeraldClient viaB = new HeraldClient(b.baseUrl());
    Account alice = viaA.register("xn_alice", "Alice", "pa55word", "phone");
    Account bob = viaB.register("xn_bob", "Bob", "pa55word", "phone");
    String chatId = viaA.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
    Socket bobOnB = viaB.connect(bob.token());
    Socket aliceOnA = viaA.connect(alice.token());

    // A new subscription reaches the other node's pub-sub registry by gossip; until then a
    // client catches up through pts. Send until the first live delivery, then expect every
    // further message live, in order.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int n = 0;
    boolean live = false;
    while (!live && System.nanoTime() < deadline) {
      n++;
      viaA.post("/v1/chats/" + chatId + "/messages", alice.token(), Map.of("clientMessageId", "w" + n, "text", "warm-up " + n));
      live = !bobOnB.drain(f -> f.path("type").asText().equals("message.new"), Duration.ofMillis(500)).isEmpty();
    }
    assertEquals(true, live, "no live delivery across nodes within 20 s");

    for (int i = 1; i <= 5; i++) {
      viaA.post("/v1/chats/" + chatId + "/messages", alice.token(), Map.of("clientMessageId", "m" + i, "text", "cross " + i));
    }
    long lastPts = 0;
    for (int i = 1; i <= 5; i++) {
      String text = "cross " + i;
      JsonNode frame = bobOnB.await(f -> f.path("message").path("text").asText().equals(text), Duration.ofSeconds(10));
      long pts = frame.path("pts").asLong();
      assertEquals(true, pts > lastPts, "in pts order");
      lastPts = pts;
    }

    bobOnB.send(Map.of("type", "send", "chatId", chatId, "clientMessageId", "back", "text", "from node b"));
    aliceOnA.await(f -> f.path("message").path("text").asText().equals("from node b"), Duration.ofSeconds(20));
  }

  @Test
  void endingASessionOnOneNodeClosesItsSocketOnTheOther() {
    HeraldClient viaA = new HeraldClient(a.baseUrl());
    HeraldClient viaB = new HeraldClient(b.baseUrl());
    Account carol = viaA.register("xn_carol", "Carol", "pa55word", "phone");
    Account laptop = viaB.login("xn_carol", "pa55word", "laptop");
    Socket onB = viaB.connect(laptop.token());
    assertEquals(204, viaA.delete("/v1/sessions/" + laptop.sessionId(), carol.token()).status());
    assertEquals(401, viaB.get("/v1/sessions", laptop.token()).status(), "refused at once on every node");
    onB.closed().orTimeout(20, TimeUnit.SECONDS).join();
  }
}
