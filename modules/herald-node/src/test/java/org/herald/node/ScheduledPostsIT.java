package org.herald.node;

import static org.herald.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.HeraldClient.Socket;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scheduled posts over HTTP: they fire on time as ordinary messages flagged fromScheduled,
 * exactly once, also when the node was down at their time; cancel, edit, limits and errors.
 */
class ScheduledPostsIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  static String channel(HeraldClient client, Account owner, Account... subscribers) {
    Map<String, Object> body = new HashMap<>();
    body.put("kind", "channel");
    body.put("title", "News of " + owner.username());
    Response r = client.post("/v1/chats", owner.token(), body);
    assertEquals(201, r.status(), r.raw());
    for (Account s : subscribers) {
      assertEquals(204, client.post("/v1/chats/" + r.text("chatId") + "/members", owner.token(), Map.of("userId", s.userId())).status());
    }
    return r.text("chatId");
  }

  static Response schedule(HeraldClient client, Account a, String chatId, String clientId, String text, Instant at) {
    return client.post("/v1/chats/" + chatId + "/messages", a.token(),
        Map.of("clientMessageId", clientId, "text", text, "scheduleAt", at.toString()));
  }

  static JsonNode history(HeraldClient client, Account a, String chatId) {
    return client.get("/v1/chats/" + chatId + "/messages", a.token()).body().path("messages");
  }

  @Test
  void postsFireOnTimeOnceAndSurviveARestartThatComesLate() throws Exception {
    HeraldNode node = TestNodes.start(TestNodes.on(pg));
    HeraldClient client = new HeraldClient(node.baseUrl());
    Account owner = client.registerUnique("so");
    Account reader = client.registerUnique("sr");
    String chatId = channel(client, owner, reader);
    Socket socket = client.connect(reader.token());

    // On time: due in 11 s, published within a second of it, as an ordinary message.
    Instant due = Instant.now().plusSeconds(11);
    Response created = schedule(client, owner, chatId, "s-on-time", "on time", due);
    assertEquals(201, created.status(), created.raw());
    long scheduledId = created.body().path("scheduledId").asLong();
    assertEquals("on time", created.text("text"));
    assertEquals(due.toEpochMilli(), Instant.parse(created.text("scheduleAt")).toEpochMilli());
    assertEquals(List.of(scheduledId),
        client.get("/v1/chats/" + chatId + "/scheduled", owner.token()).body().path("scheduled").findValues("scheduledId").stream().map(JsonNode::asLong).toList());
    assertEquals(0, history(client, owner, chatId).size(), "not a message before its time");

    // Cancelled and moved posts.
    Response cancelled = schedule(client, owner, chatId, "s-cancel", "never", Instant.now().plusSeconds(12));
    assertEquals(204, client.delete("/v1/chats/" + chatId + "/scheduled/" + cancelled.body().path("scheduledId").asLong(), owner.token()).status());
    Response moved = schedule(client, owner, chatId, "s-moved", "moved", Instant.now().plusSeconds(12));
    long movedId = moved.body().path("scheduledId").asLong();
    Response patched = client.patch("/v1/chats/" + chatId + "/scheduled/" + movedId, owner.token(),
        Map.of("scheduleAt", Instant.now().plus(Duration.ofDays(1)).toString(), "text", "moved and edited"));
    assertEquals(200, patched.status(), patched.raw());
    assertEquals("moved and edited", patched.text("text"));

    JsonNode frame = socket.await(f -> f.path("type").asText().equals("message.new"), Duration.ofSeconds(20));
    Instant arrived = Instant.now();
    assertTrue(arrived.isBefore(due.plusSeconds(1)), "published within 1 s of its time: " + Duration.between(due, arrived));
    assertTrue(!arrived.isBefore(due.minusMillis(150)), "not early: " + Duration.between(due, arrived));
    assertEquals("on time", frame.path("message").path("text").asText());
    assertTrue(frame.path("message").path("fromScheduled").asBoolean());
    assertEquals(1, frame.path("message").path("messageId").asLong());
    assertEquals(owner.userId(), frame.path("message").path("senderId").asText());

    // Due while the node is down: stop it, wait past the time, start again: fires at once.
    Instant lateDue = Instant.now().plusSeconds(11);
    assertEquals(201, schedule(client, owner, chatId, "s-late", "late but sure", lateDue).status());
    Thread.sleep(1500); // the scheduled-posts projection has the row before the node stops
    node.stop();
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), lateDue).toMillis()) + 3000);
    node = TestNodes.start(TestNodes.on(pg));
    try {
      HeraldClient again = new HeraldClient(node.baseUrl());
      JsonNode messages = eventually(() -> history(again, reader, chatId), h -> h.size() == 2);
      assertEquals("late but sure", messages.get(1).path("text").asText());
      assertTrue(messages.get(1).path("fromScheduled").asBoolean());
      Thread.sleep(2000);
      JsonNode settled = history(again, reader, chatId);
      assertEquals(2, settled.size(), "each post published exactly once: " + settled);
      assertEquals(List.of(movedId),
          again.get("/v1/chats/" + chatId + "/scheduled", owner.token()).body().path("scheduled").findValues("scheduledId").stream().map(JsonNode::asLong).toList(),
          "only the moved post is still pending");
    } finally {
      node.stop();
    }
  }

  @Test
  void refusalsNameTheProblem() {
    HeraldNode node = TestNodes.start(TestNodes.on(pg));
    try {
      HeraldClient client = new HeraldClient(node.baseUrl());
      Account owner = client.registerUnique("sq");
      Account reader = client.registerUnique("sx");
      String chatId = channel(client, owner, reader);
      Response soon = schedule(client, owner, chatId, "soon", "t", Instant.now().plusSeconds(3));
      assertEquals(400, soon.status());
      assertEquals("SCHEDULE_DATE_INVALID", soon.errorCode());
      assertTrue(soon.errorMessage().contains("scheduleAt"));
      Response garbage = client.post("/v1/chats/" + chatId + "/messages", owner.token(),
          Map.of("clientMessageId", "g", "text", "t", "scheduleAt", "tomorrow"));
      assertEquals(400, garbage.status());
      assertTrue(garbage.errorMessage().contains("scheduleAt"));
      assertEquals(403, schedule(client, reader, chatId, "r", "t", Instant.now().plusSeconds(60)).status(), "subscribers do not post");
      assertEquals(403, client.get("/v1/chats/" + chatId + "/scheduled", reader.token()).status());
      for (int i = 0; i < 100; i++) {
        assertEquals(201, schedule(client, owner, chatId, "p" + i, "post " + i, Instant.now().plus(Duration.ofHours(1 + i))).status());
      }
      Response tooMany = schedule(client, owner, chatId, "p100", "one too many", Instant.now().plusSeconds(60));
      assertEquals(409, tooMany.status(), tooMany.raw());
      assertEquals("SCHEDULE_TOO_MUCH", tooMany.errorCode());
      Response unknown = client.delete("/v1/chats/" + chatId + "/scheduled/999", owner.token());
      assertEquals(404, unknown.status());
      assertEquals("SCHEDULED_NOT_FOUND", unknown.errorCode());
      assertEquals(400, client.patch("/v1/chats/" + chatId + "/scheduled/1", owner.token(), Map.of()).status());
      Socket socket = client.connect(owner.token());
      socket.send(Map.of("type", "send", "chatId", chatId, "clientMessageId", "ws", "text", "t",
          "scheduleAt", Instant.now().plusSeconds(60).toString()));
      JsonNode refused = socket.await(f -> f.path("type").asText().equals("error"), Duration.ofSeconds(10));
      assertTrue(refused.toString().contains("scheduleAt"), refused.toString());
      assertEquals(0, history(client, owner, chatId).size(), "a socket send with scheduleAt neither sends nor schedules");
    } finally {
      node.stop();
    }
  }
}
