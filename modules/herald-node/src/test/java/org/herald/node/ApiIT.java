package org.herald.node;

import static org.herald.testkit.Eventually.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.herald.testkit.Eventually;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.HeraldClient.Socket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client contract of API.md over real HTTP and WebSocket against a node on PostgreSQL: two
 * devices of one user, another user and an outsider.
 */
class ApiIT {
  @RegisterExtension static NodeExtension api = new NodeExtension();

  static HeraldClient client;

  @BeforeAll
  static void client() {
    client = api.client();
  }

  static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  static Account register(String prefix) {
    String name = unique(prefix);
    return client.register(name, "User " + name, "correct horse", "phone");
  }

  static String directChat(Account a, Account b) {
    Response r = client.post("/v1/chats", a.token(), Map.of("kind", "direct", "userId", b.userId()));
    assertTrue(r.status() == 201 || r.status() == 200, r.raw());
    return r.text("chatId");
  }

  static Response send(Account a, String chatId, String clientMessageId, String text) {
    return client.post(
        "/v1/chats/" + chatId + "/messages", a.token(), Map.of("clientMessageId", clientMessageId, "text", text));
  }

  static JsonNode awaitMessage(Socket socket, String chatId, String text) {
    return socket.await(
        f -> f.path("type").asText().equals("message.new")
            && f.path("chatId").asText().equals(chatId)
            && f.path("message").path("text").asText().equals(text),
        Duration.ofSeconds(10));
  }

  @Test
  void registrationLoginAndSessions() {
    String name = unique("Alice");
    Response created =
        client.post("/v1/accounts", null, Map.of("username", name, "displayName", "Alice", "password", "pa55word", "deviceName", "phone"));
    assertEquals(201, created.status(), created.raw());
    String userId = created.text("userId");
    String token = created.body().path("session").path("token").asText();

    Response taken =
        client.post("/v1/accounts", null, Map.of("username", name.toLowerCase(), "displayName", "Other", "password", "pa55word", "deviceName", "x"));
    assertEquals(409, taken.status());
    assertEquals("USERNAME_TAKEN", taken.errorCode());

    Response wrong = client.post("/v1/sessions", null, Map.of("login", name, "password", "nope-nope", "deviceName", "laptop"));
    assertEquals(401, wrong.status());
    assertEquals("UNAUTHORIZED", wrong.errorCode());

    Response login =
        client.post("/v1/sessions", null, Map.of("login", name.toUpperCase(), "password", "pa55word", "deviceName", "laptop"));
    assertEquals(201, login.status(), login.raw());
    assertEquals(userId, login.text("userId"));
    String laptop = login.body().path("session").path("token").asText();
    String laptopSession = login.body().path("session").path("sessionId").asText();

    Response sessions = client.get("/v1/sessions", token);
    assertEquals(200, sessions.status());
    assertEquals(2, sessions.body().path("sessions").size());
    int current = 0;
    for (JsonNode s : sessions.body().path("sessions")) {
      current += s.path("current").asBoolean() ? 1 : 0;
      assertFalse(s.path("createdAt").asText().isEmpty());
    }
    assertEquals(1, current);

    Response me = client.get("/v1/users/" + userId, laptop);
    assertEquals(200, me.status());
    assertEquals(name, me.text("username"));
    assertEquals("Alice", me.text("displayName"));
    assertEquals(userId, client.get("/v1/users/by-username/" + name.toLowerCase(), laptop).text("userId"));
    assertEquals(404, client.get("/v1/users/by-username/nobody_" + name, laptop).status());
    assertEquals(404, client.get("/v1/users/u00000000000000000", laptop).status());

    Socket laptopSocket = client.connect(laptop);
    assertEquals(204, client.delete("/v1/sessions/" + laptopSession, token).status());
    assertEquals(401, client.get("/v1/sessions", laptop).status());
    laptopSocket.await(f -> f.path("type").asText().equals("session.ended"), Duration.ofSeconds(10));
    assertEquals(1000, laptopSocket.closed().orTimeout(10, TimeUnit.SECONDS).join());
    assertEquals(200, client.get("/v1/sessions", token).status());
    assertEquals(404, client.delete("/v1/sessions/" + laptopSession, token).status());
  }

  @Test
  void registrationByPhoneAndLoginByPhone() {
    String phone = "+49" + (100000000L + (long) (Math.random() * 800000000L));
    Response created =
        client.post("/v1/accounts", null, Map.of("phone", phone, "displayName", "Phone User", "password", "pa55word", "deviceName", "phone"));
    assertEquals(201, created.status(), created.raw());
    Response again =
        client.post("/v1/accounts", null, Map.of("phone", phone.substring(1), "displayName", "Other", "password", "pa55word", "deviceName", "x"));
    assertEquals(409, again.status());
    Response login = client.post("/v1/sessions", null, Map.of("login", phone, "password", "pa55word", "deviceName", "tablet"));
    assertEquals(201, login.status(), login.raw());
    assertEquals(created.text("userId"), login.text("userId"));
  }

  @Test
  void directChatDeliversToEveryDeviceOfBothMembersAndNobodyElse() {
    Account alice = register("alice");
    Account alice2 = client.login(alice.username(), "correct horse", "laptop");
    Account bob = register("bob");
    Account carol = register("carol");

    Response created = client.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId()));
    assertEquals(201, created.status(), created.raw());
    String chatId = created.text("chatId");
    assertEquals("direct", created.text("kind"));
    Response again = client.post("/v1/chats", bob.token(), Map.of("kind", "direct", "userId", alice.userId()));
    assertEquals(200, again.status());
    assertEquals(chatId, again.text("chatId"));

    Socket a1 = client.connect(alice.token());
    Socket a2 = client.connect(alice2.token());
    Socket b = client.connect(bob.token());
    Socket c = client.connect(carol.token());

    Response sent = send(alice, chatId, "c-1", "hello bob");
    assertEquals(201, sent.status(), sent.raw());
    assertEquals(1, sent.body().path("messageId").asLong());
    assertEquals(1, sent.body().path("pts").asLong());
    for (Socket s : List.of(a1, a2, b)) {
      JsonNode frame = awaitMessage(s, chatId, "hello bob");
      assertEquals(1, frame.path("pts").asLong());
      assertEquals(alice.userId(), frame.path("message").path("senderId").asText());
    }

    b.send(Map.of("type", "send", "chatId", chatId, "clientMessageId", "b-1", "text", "hi alice", "silent", true));
    JsonNode ack = b.await(f -> f.path("type").asText().equals("sent"), Duration.ofSeconds(10));
    assertEquals("b-1", ack.path("clientMessageId").asText());
    assertEquals(2, ack.path("messageId").asLong());
    assertEquals(2, ack.path("pts").asLong());
    assertEquals(chatId, ack.path("chatId").asText());
    for (Socket s : List.of(a1, a2)) {
      JsonNode frame = awaitMessage(s, chatId, "hi alice");
      assertTrue(frame.path("message").path("silent").asBoolean());
    }

    Response retry = send(alice, chatId, "c-1", "hello bob");
    assertEquals(sent.body(), retry.body(), "a repeated clientMessageId answers the first result");

    assertEquals(
        204,
        client.post("/v1/chats/" + chatId + "/read", bob.token(), Map.of("upToMessageId", 1)).status(),
        "bob's own send already moved his read mark to 2: reading 1 is a no-op");
    assertEquals(204, client.post("/v1/chats/" + chatId + "/read", alice.token(), Map.of("upToMessageId", 2)).status());
    for (Socket s : List.of(b, a2)) {
      JsonNode read = s.await(f -> f.path("type").asText().equals("read"), Duration.ofSeconds(10));
      assertEquals(alice.userId(), read.path("userId").asText());
      assertEquals(2, read.path("upToMessageId").asLong());
      assertEquals(3, read.path("pts").asLong());
    }

    Response history = client.get("/v1/chats/" + chatId + "/messages", alice2.token());
    assertEquals(200, history.status());
    JsonNode messages = history.body().path("messages");
    assertEquals(2, messages.size());
    assertEquals("hello bob", messages.get(0).path("text").asText());
    assertEquals(2, messages.get(1).path("messageId").asLong());

    Response updates = client.get("/v1/chats/" + chatId + "/updates?afterPts=1", bob.token());
    assertEquals(200, updates.status());
    assertEquals(3, updates.body().path("pts").asLong());
    assertEquals(2, updates.body().path("updates").size());
    assertEquals("message.new", updates.body().path("updates").get(0).path("type").asText());
    assertEquals("read", updates.body().path("updates").get(1).path("type").asText());

    Response chat = client.get("/v1/chats/" + chatId, bob.token());
    assertEquals(200, chat.status());
    assertEquals(2, chat.body().path("memberCount").asInt());
    assertEquals(2, chat.body().path("lastMessageId").asLong());
    assertEquals(3, chat.body().path("pts").asLong());
    assertEquals("member", chat.text("myRole"));

    assertTrue(c.drain(f -> f.path("chatId").asText().equals(chatId), Duration.ofMillis(500)).isEmpty(), "the outsider's socket stays silent");
    for (String path : List.of("/v1/chats/" + chatId, "/v1/chats/" + chatId + "/messages", "/v1/chats/" + chatId + "/updates?afterPts=0")) {
      Response r = client.get(path, carol.token());
      assertEquals(404, r.status(), path);
      assertFalse(r.raw().contains("hello bob"));
    }
    assertEquals(404, send(carol, chatId, "x-1", "let me in").status());
    assertEquals(404, client.post("/v1/chats/" + chatId + "/read", carol.token(), Map.of("upToMessageId", 1)).status());

    Response bobDialogs =
        eventually(() -> client.get("/v1/dialogs", bob.token()), r -> r.body().path("dialogs").size() == 1
            && r.body().path("dialogs").get(0).path("pts").asLong() == 3);
    JsonNode dialog = bobDialogs.body().path("dialogs").get(0);
    assertEquals(chatId, dialog.path("chatId").asText());
    assertEquals(alice.userId(), dialog.path("peerUserId").asText());
    assertEquals(0, dialog.path("unreadCount").asLong(), "bob's own message is the last one");
    assertEquals("hi alice", dialog.path("lastMessage").path("text").asText());
    Response aliceDialogs = client.get("/v1/dialogs", alice.token());
    assertEquals(0, aliceDialogs.body().path("dialogs").get(0).path("unreadCount").asLong(), "alice read up to 2");
    assertEquals(0, client.get("/v1/dialogs", carol.token()).body().path("dialogs").size());

    for (Socket s : List.of(a1, a2, b, c)) {
      s.close();
    }
  }

  @Test
  void typingReachesTheOtherMembersThrottledAndNeverPersisted() {
    Account alice = register("tya");
    Account alice2 = client.login(alice.username(), "correct horse", "laptop");
    Account bob = register("tyb");
    Account carol = register("tyc");
    String chatId = directChat(alice, bob);
    Socket a2 = client.connect(alice2.token());
    Socket b = client.connect(bob.token());
    Socket a = client.connect(alice.token());
    Socket c = client.connect(carol.token());
    a.send(Map.of("type", "typing", "chatId", chatId));
    JsonNode typing = b.await(f -> f.path("type").asText().equals("typing"), Duration.ofSeconds(10));
    assertEquals(alice.userId(), typing.path("userId").asText());
    assertEquals(chatId, typing.path("chatId").asText());
    a.send(Map.of("type", "typing", "chatId", chatId));
    assertTrue(b.drain(f -> f.path("type").asText().equals("typing"), Duration.ofMillis(700)).isEmpty(), "throttled");
    assertTrue(a2.drain(f -> f.path("type").asText().equals("typing"), Duration.ofMillis(100)).isEmpty(), "not echoed to the typer's devices");
    c.send(Map.of("type", "typing", "chatId", chatId));
    assertEquals("NOT_FOUND", c.await(f -> f.path("type").asText().equals("error"), Duration.ofSeconds(5)).path("error").path("code").asText());
    assertEquals(0, client.get("/v1/chats/" + chatId + "/updates?afterPts=0", bob.token()).body().path("pts").asLong(), "typing is not a change");
    for (Socket s : List.of(a, a2, b, c)) {
      s.close();
    }
  }

  @Test
  void socketFollowsChatsCreatedAfterItConnected() {
    Account dave = register("dave");
    Account erin = register("erin");
    Socket erinSocket = client.connect(erin.token());
    String chatId = directChat(dave, erin);
    assertEquals(201, send(dave, chatId, "d-1", "new chat").status());
    awaitMessage(erinSocket, chatId, "new chat");
    erinSocket.close();
  }

  @Test
  void dialogsAreOrderedByLatestActivityAndCountUnread() {
    Account me = register("frank");
    Account p1 = register("gina");
    Account p2 = register("hank");
    String c1 = directChat(me, p1);
    String c2 = directChat(me, p2);
    send(p1, c1, "1", "one");
    send(p1, c1, "2", "two");
    send(p2, c2, "1", "three");
    Response dialogs =
        eventually(() -> client.get("/v1/dialogs", me.token()), r -> r.body().path("dialogs").size() == 2
            && r.body().path("dialogs").get(0).path("lastMessage").path("text").asText().equals("three")
            && r.body().path("dialogs").get(1).path("lastMessage").path("text").asText().equals("two"));
    assertEquals(c2, dialogs.body().path("dialogs").get(0).path("chatId").asText());
    assertEquals(1, dialogs.body().path("dialogs").get(0).path("unreadCount").asLong());
    assertEquals(2, dialogs.body().path("dialogs").get(1).path("unreadCount").asLong());
    assertEquals(204, client.post("/v1/chats/" + c1 + "/read", me.token(), Map.of("upToMessageId", 2)).status());
    eventually(() -> client.get("/v1/dialogs", me.token()),
        r -> r.body().path("dialogs").get(1).path("unreadCount").asLong() == 0);
  }

  @Test
  void historyPagesForwardAndBackward() {
    Account a = register("ivan");
    Account b = register("judy");
    String chatId = directChat(a, b);
    for (int i = 1; i <= 12; i++) {
      assertEquals(201, send(i % 2 == 0 ? a : b, chatId, "m" + i, "text " + i).status());
    }
    JsonNode latest = client.get("/v1/chats/" + chatId + "/messages?limit=5", a.token()).body().path("messages");
    assertEquals(List.of(8L, 9L, 10L, 11L, 12L), ids(latest));
    JsonNode before = client.get("/v1/chats/" + chatId + "/messages?beforeId=8&limit=3", a.token()).body().path("messages");
    assertEquals(List.of(5L, 6L, 7L), ids(before));
    JsonNode after = client.get("/v1/chats/" + chatId + "/messages?afterId=10", a.token()).body().path("messages");
    assertEquals(List.of(11L, 12L), ids(after));
    JsonNode between = client.get("/v1/chats/" + chatId + "/messages?afterId=2&beforeId=6", a.token()).body().path("messages");
    assertEquals(List.of(3L, 4L, 5L), ids(between));
    Response reply = client.post("/v1/chats/" + chatId + "/messages", a.token(),
        Map.of("clientMessageId", "r1", "text", "answer", "replyToMessageId", 3));
    assertEquals(201, reply.status(), reply.raw());
    JsonNode last = client.get("/v1/chats/" + chatId + "/messages?limit=1", b.token()).body().path("messages").get(0);
    assertEquals(3, last.path("replyToMessageId").asLong());
  }

  static List<Long> ids(JsonNode messages) {
    List<Long> ids = new ArrayList<>();
    messages.forEach(m -> ids.add(m.path("messageId").asLong()));
    return ids;
  }

  @Test
  void badInputGetsTheErrorShapeAndLosesNothing() {
    Account a = register("kate");
    Account b = register("liam");
    String chatId = directChat(a, b);
    String path = "/v1/chats/" + chatId + "/messages";

    assertBad(client.postRaw(path, a.token(), "{\"clientMessageId\": \"x\", \"text\": "), 400, null);
    assertBad(client.post(path, a.token(), Map.of("text", "no id")), 400, "clientMessageId");
    assertBad(client.post(path, a.token(), Map.of("clientMessageId", "x")), 400, "text");
    assertBad(client.post(path, a.token(), Map.of("clientMessageId", "x", "text", "")), 400, "text");
    assertBad(client.post(path, a.token(), Map.of("clientMessageId", "x", "text", 42)), 400, "text");
    assertBad(client.post(path, a.token(), Map.of("clientMessageId", "x", "text", "a".repeat(4097))), 400, "text");
    assertBad(client.post(path, a.token(), Map.of("clientMessageId", "x", "text", "ok", "silent", "yes")), 400, "silent");
    assertBad(client.post(path, a.token(), Map.of("clientMessageId", "x", "text", "ok", "replyToMessageId", 99)), 400, "replyToMessageId");
    assertBad(client.postRaw(path, a.token(), "[1,2]"), 400, null);
    assertBad(client.postRaw(path, a.token(), "{\"clientMessageId\":\"big\",\"text\":\"" + "b".repeat(70_000) + "\"}"), 413, null);
    assertBad(client.post(path, null, Map.of("clientMessageId", "x", "text", "hi")), 401, null);
    assertBad(client.post(path, "garbage", Map.of("clientMessageId", "x", "text", "hi")), 401, null);
    assertBad(client.post(path, a.userId() + "." + a.sessionId() + "." + "A".repeat(43), Map.of("clientMessageId", "x", "text", "hi")), 401, null);
    assertBad(client.post("/v1/chats/d-nope-nothing/messages", a.token(), Map.of("clientMessageId", "x", "text", "hi")), 404, null);
    assertBad(client.get(path + "?limit=101", a.token()), 400, "limit");
    assertBad(client.get(path + "?afterId=abc", a.token()), 400, "afterId");
    assertBad(client.post("/v1/chats/" + chatId + "/read", a.token(), Map.of("upToMessageId", 5)), 400, "upToMessageId");
    assertBad(client.post("/v1/chats", a.token(), Map.of("kind", "direct", "userId", a.userId())), 400, "userId");
    assertBad(client.post("/v1/chats", a.token(), Map.of("kind", "direct", "userId", "u0000000000000000")), 404, "userId");
    assertBad(client.post("/v1/chats", a.token(), Map.of("kind", "secret")), 400, "kind");
    assertBad(client.post("/v1/accounts", null, Map.of("username", "1bad", "displayName", "x", "password", "pa55word", "deviceName", "d")), 400, "username");
    assertBad(client.post("/v1/accounts", null, Map.of("username", unique("okname"), "displayName", "x".repeat(65), "password", "pa55word", "deviceName", "d")), 400, "displayName");
    assertBad(client.post("/v1/accounts", null, Map.of("displayName", "x", "password", "pa55word", "deviceName", "d")), 400, "username");
    assertBad(client.get("/v1/no-such-route", a.token()), 404, null);

    String emoji = "\uD83D\uDE00".repeat(4096);
    Response longest = client.post(path, a.token(), Map.of("clientMessageId", "emoji", "text", emoji));
    assertEquals(201, longest.status(), "4,096 characters of any Unicode are accepted");
    assertEquals(1, longest.body().path("messageId").asLong(), "no rejected request consumed a number");
    JsonNode stored = client.get(path, b.token()).body().path("messages").get(0);
    assertEquals(emoji, stored.path("text").asText());

    Socket s = client.connect(a.token());
    s.sendText("{not json");
    assertEquals("BAD_REQUEST", s.await(f -> f.path("type").asText().equals("error"), Duration.ofSeconds(5)).path("error").path("code").asText());
    s.send(Map.of("type", "dance"));
    assertTrue(s.await(f -> f.path("type").asText().equals("error"), Duration.ofSeconds(5)).path("error").path("message").asText().contains("type"));
    s.sendBinary(new byte[] {1, 2, 3});
    s.await(f -> f.path("type").asText().equals("error"), Duration.ofSeconds(5));
    s.send(Map.of("type", "send", "chatId", chatId, "clientMessageId", "ws-bad", "text", ""));
    JsonNode err = s.await(f -> f.path("type").asText().equals("error"), Duration.ofSeconds(5));
    assertEquals("ws-bad", err.path("clientMessageId").asText());
    assertTrue(err.path("error").path("message").asText().contains("text"));
    s.send(Map.of("type", "send", "chatId", chatId, "clientMessageId", "ws-ok", "text", "still usable"));
    JsonNode sent = s.await(f -> f.path("type").asText().equals("sent"), Duration.ofSeconds(5));
    assertEquals(2, sent.path("messageId").asLong());
    s.close();

    assertEquals(401, client.connectRawStatus("/v1/updates", null));
    assertEquals(401, client.connectRawStatus("/v1/updates?token=bogus", null));
    assertBad(client.get("/v1/updates", a.token()), 400, null);
    Socket viaQuery = client.connectRaw("/v1/updates?token=" + a.token(), null);
    viaQuery.await(f -> f.path("type").asText().equals("ready"), Duration.ofSeconds(10));
    viaQuery.close();
  }

  static void assertBad(Response r, int status, String field) {
    assertEquals(status, r.status(), r.raw());
    JsonNode error = r.body().path("error");
    assertFalse(error.path("code").asText().isEmpty(), r.raw());
    assertFalse(error.path("message").asText().isEmpty(), r.raw());
    if (field != null) {
      assertTrue(error.path("message").asText().contains(field), "message names " + field + ": " + r.raw());
    }
    assertNotEquals(500, r.status());
  }

  @Test
  void openApiDocumentIsServed() {
    Response r = client.get("/v1/openapi.json", null);
    assertEquals(200, r.status());
    assertTrue(r.body().path("paths").has("/v1/chats/{chatId}/messages"));
  }
}
