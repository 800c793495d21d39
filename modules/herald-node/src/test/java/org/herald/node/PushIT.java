package org.herald.node;

import static org.herald.testkit.Eventually.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.HeraldClient.Socket;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The push outbox against a local webhook receiver: who is notified (offline, not muted, not
 * silent, not the sender), retries with backoff when the gateway fails, at most one
 * notification per message and device across a node restart, and a deleted message's pending
 * notifications cancelled.
 */
class PushIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  HttpServer receiver;
  final List<JsonNode> received = new CopyOnWriteArrayList<>();
  /** The receiver answers 500 to this many calls before accepting. */
  final AtomicInteger failNext = new AtomicInteger();
  final AtomicInteger calls = new AtomicInteger();

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/push",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          calls.incrementAndGet();
          if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            exchange.sendResponseHeaders(500, -1);
          } else {
            HeraldClient.JSON.readTree(body).path("notifications").forEach(received::add);
            exchange.sendResponseHeaders(202, -1);
          }
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  NodeOptions options() {
    return TestNodes.on(pg).with("herald.push.webhook-url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/push");
  }

  /** Notifications received per "sessionId:chatId:messageId". */
  Map<String, Integer> counts() {
    Map<String, Integer> counts = new HashMap<>();
    received.forEach(n -> counts.merge(n.path("notificationId").asText(), 1, Integer::sum));
    return counts;
  }

  /** Rows of the outbox tables matching {@code where} (SQL over push_deliveries or push_jobs). */
  static int count(String sql) {
    try (Connection conn = DriverManager.getConnection(pg.url(), pg.user(), pg.password());
        Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the outbox has nothing left to do: no job, no pending delivery. */
  static void awaitOutboxIdle() {
    eventually(() -> count("SELECT count(*) FROM push_jobs") + count("SELECT count(*) FROM push_deliveries WHERE status = 'pending'"), n -> n == 0);
  }

  /** Waits until the user entity no longer counts any device of {@code user} as connected. */
  static void awaitOffline(HeraldNode node, Account user, String chatId) {
    var ref = ClusterSharding.get(node.system()).entityRefFor(UserEntity.ENTITY_TYPE_KEY, user.userId());
    eventually(
        () -> (UserReply.PushTargets) ref.<UserReply>ask(r -> new UserCommand.GetPushTargets(chatId, Instant.now(), r), Duration.ofSeconds(5))
            .toCompletableFuture().join(),
        targets -> !targets.online());
  }

  @Test
  void offlineUnmutedRecipientsAreNotifiedOncePerDeviceAcrossFailuresAndRestarts() throws Exception {
    HeraldNode node = TestNodes.start(options());
    HeraldClient c = new HeraldClient(node.baseUrl());
    String run = UUID.randomUUID().toString().substring(0, 6);
    Account alice = c.register("push_alice_" + run, "Alice", "pa55word", "phone");
    Account bob = c.register("push_bob_" + run, "Bob", "pa55word", "phone");
    Account bobTablet = c.login(bob.username(), "pa55word", "tablet");
    Account bobLaptop = c.login(bob.username(), "pa55word", "laptop (no push token)");
    Account carol = c.register("push_carol_" + run, "Carol", "pa55word", "phone");
    assertEquals(204, c.put("/v1/sessions/" + bob.sessionId() + "/push", bob.token(), Map.of("token", "apns-bob-phone")).status());
    assertEquals(204, c.put("/v1/sessions/" + bobTablet.sessionId() + "/push", bobTablet.token(), Map.of("token", "fcm-bob-tablet")).status());
    assertEquals(204, c.put("/v1/sessions/" + carol.sessionId() + "/push", carol.token(), Map.of("token", "apns-carol")).status());
    assertEquals(400, c.put("/v1/sessions/" + carol.sessionId() + "/push", carol.token(), Map.of("token", "has space")).status());
    assertEquals(404, c.put("/v1/sessions/" + bob.sessionId() + "/push", carol.token(), Map.of("token", "not-yours")).status(), "only your own sessions");
    assertEquals(404, c.put("/v1/sessions/" + bobTablet.sessionId() + "/push", bob.token(), Map.of("token", "other-device")).status(),
        "a device sets only its own token");

    String direct = c.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
    String group = c.post("/v1/chats", alice.token(), Map.of("kind", "group", "title", "Push", "memberIds", List.of(bob.userId(), carol.userId()))).text("chatId");
    assertEquals(204, c.post("/v1/chats/" + group + "/mute", carol.token(), Map.of()).status());

    // The gateway fails twice first: the notifications arrive anyway, after backoff.
    failNext.set(2);
    long m1 = c.sendText(alice, direct, "are you there?");
    String phone1 = bob.sessionId() + ":" + direct + ":" + m1;
    String tablet1 = bobTablet.sessionId() + ":" + direct + ":" + m1;
    eventually(this::counts, n -> n.containsKey(phone1) && n.containsKey(tablet1));
    assertTrue(calls.get() >= 3, "two refused calls, then accepted");
    JsonNode first = received.stream().filter(n -> n.path("notificationId").asText().equals(phone1)).findFirst().orElseThrow();
    assertEquals("apns-bob-phone", first.path("pushToken").asText());
    assertEquals(bob.userId(), first.path("userId").asText());
    assertEquals(direct, first.path("chatId").asText());
    assertTrue(!first.toString().contains("are you there"), "no message text leaves through push");

    // Silent: nobody. Group: bob's devices, not carol (muted), not alice (the sender).
    long silent = c.sendText(alice, direct, "psst", true);
    long g1 = c.sendText(alice, group, "group hello");
    eventually(this::counts, n -> n.containsKey(bob.sessionId() + ":" + group + ":" + g1) && n.containsKey(bobTablet.sessionId() + ":" + group + ":" + g1));

    // A message deleted while its notifications wait for the gateway is never notified.
    failNext.set(1_000);
    long regretted = c.sendText(alice, direct, "oops");
    eventually(() -> count("SELECT count(*) FROM push_deliveries WHERE message_id = " + regretted + " AND chat_id = '" + direct + "'"), n -> n == 2);
    assertEquals(204, c.delete("/v1/chats/" + direct + "/messages/" + regretted, alice.token()).status());
    eventually(() -> count("SELECT count(*) FROM push_deliveries WHERE status = 'cancelled' AND message_id = " + regretted), n -> n == 2);
    failNext.set(0);
    awaitOutboxIdle();

    // A restart that replays the whole journal into the outbox (its offsets lost) notifies
    // nobody twice: the deliveries' key holds across restarts.
    node.stop();
    try (Connection conn = DriverManager.getConnection(pg.url(), pg.user(), pg.password());
        Statement st = conn.createStatement()) {
      assertTrue(st.executeUpdate("DELETE FROM pekko_projection_offset_store WHERE projection_name = 'push-outbox'") > 0);
      // The offset fence remembers what was applied; forgetting offsets means forgetting it too.
      st.executeUpdate("DELETE FROM projection_fence WHERE projection_name = 'push-outbox'");
    }
    node = TestNodes.start(options());
    try {
      c = new HeraldClient(node.baseUrl());
      long afterRestart = c.sendText(alice, group, "after restart");
      eventually(this::counts, n -> n.containsKey(bobTablet.sessionId() + ":" + group + ":" + afterRestart));
      // The replay has gone through both chats' events, and its jobs are done.
      for (String chat : List.of(direct, group)) {
        eventually(
            () -> count("SELECT count(*) FROM pekko_projection_offset_store WHERE projection_name = 'push-outbox'"
                + " AND projection_key = '" + ChatEntity.tagFor(chat) + "' AND CAST(current_offset AS BIGINT) >="
                + " (SELECT max(ordering) FROM event_journal WHERE persistence_id = 'Chat|" + chat + "')"),
            n -> n == 1);
      }
      awaitOutboxIdle();

      // Bob online on any device: no push. Offline again: push.
      Socket laptopSocket = c.connect(bobLaptop.token());
      long whileOnline = c.sendText(alice, direct, "you are online");
      laptopSocket.await(f -> f.path("message").path("messageId").asLong() == whileOnline, Duration.ofSeconds(10));
      laptopSocket.close();
      laptopSocket.closed().join();
      awaitOffline(node, bob, direct);
      long afterOffline = c.sendText(alice, direct, "gone again");
      eventually(this::counts, n -> n.containsKey(bob.sessionId() + ":" + direct + ":" + afterOffline));
      awaitOutboxIdle();

      Map<String, Integer> counts = counts();
      List<String> duplicated = new ArrayList<>();
      counts.forEach((id, n) -> {
        if (n > 1) {
          duplicated.add(id);
        }
      });
      assertEquals(List.of(), duplicated, "at most one notification per message and device");
      assertTrue(counts.keySet().stream().noneMatch(id -> id.startsWith(carol.sessionId())), "carol muted the group");
      assertTrue(counts.keySet().stream().noneMatch(id -> id.startsWith(alice.sessionId())), "senders are not notified");
      assertTrue(counts.keySet().stream().noneMatch(id -> id.startsWith(bobLaptop.sessionId())), "a device without a token gets nothing");
      assertTrue(counts.keySet().stream().noneMatch(id -> id.endsWith(":" + direct + ":" + silent)), "silent messages notify nobody");
      assertTrue(counts.keySet().stream().noneMatch(id -> id.endsWith(":" + direct + ":" + regretted)), "deleted before sent: never notified");
      assertTrue(counts.keySet().stream().noneMatch(id -> id.endsWith(":" + direct + ":" + whileOnline)), "nobody is pushed while online");
      assertEquals(2 * 4, counts.size(), "bob's two devices, for m1, g1, afterRestart and afterOffline, and nothing else");
    } finally {
      node.stop();
    }
  }
}
