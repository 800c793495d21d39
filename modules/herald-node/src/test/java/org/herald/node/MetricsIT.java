package org.herald.node;

import static org.herald.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.time.Duration;
import java.util.Map;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Socket;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every meter of docs/operations.md on a node's {@code /metrics}, moving with traffic: sends
 * over HTTP and the socket counted by transport (a repeated clientMessageId not), their latency
 * histogram, journal writes and their batch statements, open sockets, entity recovery times, the chat entities and shards the node hosts, the push
 * outbox depth while the gateway fails, and the projection lag gauges beside them.
 */
class MetricsIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  static HttpServer failingGateway;
  static HeraldNode node;

  @BeforeAll
  static void start() throws Exception {
    // The gateway refuses every batch, so notifications stay in the outbox (retried with backoff).
    failingGateway = TestNodes.pushGateway(500);
    node =
        TestNodes.start(
            TestNodes.on(pg)
                .with("herald.push.webhook-url", TestNodes.webhookUrl(failingGateway))
                .with("herald.metrics.refresh-interval", "500ms"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop();
    }
    if (failingGateway != null) {
      failingGateway.stop(0);
    }
  }

  @Test
  void everyMeterIsPresentAndMovesWithTraffic() {
    HeraldClient client = new HeraldClient(node.baseUrl());
    Account alice = client.registerUnique("m_alice");
    Account bob = client.registerUnique("m_bob");
    assertEquals(204, client.put("/v1/sessions/" + bob.sessionId() + "/push", bob.token(), Map.of("token", "apns-bob")).status());
    String chat = client.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
    Scrape before = Scrape.of(node);
    assertEquals(0.0, before.get("herald_messages_accepted_total", "transport", "http"));
    assertEquals(0.0, before.get("herald_websocket_connections"));

    String path = "/v1/chats/" + chat + "/messages";
    for (int i = 0; i < 3; i++) {
      assertEquals(201, client.post(path, alice.token(), Map.of("clientMessageId", "h" + i, "text", "over http " + i)).status());
    }
    assertEquals(201, client.post(path, alice.token(), Map.of("clientMessageId", "h0", "text", "over http 0")).status(), "a retry");
    Socket socket = client.connect(alice.token());
    for (int i = 0; i < 2; i++) {
      String id = "w" + i;
      socket.send(Map.of("type", "send", "chatId", chat, "clientMessageId", id, "text", "over the socket " + i));
      socket.await(f -> f.path("type").asText().equals("sent") && f.path("clientMessageId").asText().equals(id), Duration.ofSeconds(10));
    }

    Scrape after = Scrape.of(node);
    assertEquals(3.0, after.get("herald_messages_accepted_total", "transport", "http"), "the retry is not a new message");
    assertEquals(2.0, after.get("herald_messages_accepted_total", "transport", "ws"));
    assertEquals(3.0, after.get("herald_messages_send_duration_seconds_count", "transport", "http"));
    assertEquals(3.0, after.get("herald_messages_send_duration_seconds_bucket", "transport", "http", "le", "+Inf"));
    assertEquals(2.0, after.get("herald_messages_send_duration_seconds_bucket", "transport", "ws", "le", "+Inf"));
    assertTrue(after.count("herald_messages_send_duration_seconds_bucket", "transport", "http") > 10, "a histogram with buckets");
    assertTrue(after.get("herald_messages_send_duration_seconds_sum", "transport", "http") > 0);
    assertTrue(
        after.get("herald_journal_events_written_total") >= 5 + 2,
        "five messages, the chat and the accounts were written: " + after.get("herald_journal_events_written_total"));
    assertTrue(after.get("herald_journal_write_duration_seconds_count", "outcome", "ok") > 0);
    assertTrue(after.count("herald_journal_write_duration_seconds_bucket", "outcome", "ok") > 10);
    assertEquals(0.0, after.get("herald_journal_write_duration_seconds_count", "outcome", "failed"));
    // On PostgreSQL every batch of writes is one timed statement.
    assertTrue(after.get("herald_journal_statement_duration_seconds_count", "outcome", "ok") > 0);
    assertEquals(0.0, after.get("herald_journal_statement_duration_seconds_count", "outcome", "failed"));
    assertTrue(after.count("herald_journal_statement_duration_seconds_bucket", "outcome", "ok") > 10);
    assertEquals(1.0, after.get("herald_websocket_connections"));
    // Every entity that started recovered once: the chat, and alice and bob.
    assertEquals(1.0, after.get("herald_entity_recovery_duration_seconds_count", "entity_type", "Chat"));
    assertTrue(after.get("herald_entity_recovery_duration_seconds_count", "entity_type", "User") >= 2, "alice and bob");
    assertTrue(after.get("herald_entity_recovery_duration_seconds_sum", "entity_type", "Chat") > 0);
    assertTrue(after.count("herald_entity_recovery_duration_seconds_bucket", "entity_type", "Chat") > 10, "a histogram with buckets");

    Scrape hosted =
        eventually(
            () -> Scrape.of(node),
            s -> s.value("herald_sharding_entities", "entity_type", "Chat").orElse(0) >= 1
                && s.value("herald_push_outbox_deliveries_pending").orElse(0) >= 1);
    assertTrue(hosted.get("herald_sharding_shards", "entity_type", "Chat") >= 1);
    assertTrue(hosted.get("herald_sharding_entities", "entity_type", "User") >= 2, "alice and bob");
    assertTrue(hosted.value("herald_push_outbox_jobs").isPresent());
    assertTrue(hosted.value("herald_projection_lag_events", "projection", "dialogs", "tag", "chat-0").isPresent());
    assertTrue(hosted.text().contains("# TYPE herald_messages_accepted_total counter"), "a counter, for rate()");
    assertTrue(hosted.text().contains("# TYPE herald_messages_send_duration_seconds histogram"));

    socket.close();
    eventually(() -> Scrape.of(node).get("herald_websocket_connections"), open -> open == 0.0);
  }
}
