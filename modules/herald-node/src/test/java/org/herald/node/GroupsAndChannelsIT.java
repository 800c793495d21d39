package org.herald.node;

import static org.herald.testkit.Eventually.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.HeraldClient.Socket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Groups and channels over real HTTP and WebSocket on PostgreSQL. */
class GroupsAndChannelsIT {
  @RegisterExtension static NodeExtension api = new NodeExtension();

  static HeraldClient client;

  @BeforeAll
  static void client() {
    client = api.client();
  }

  static Account user(String prefix) {
    String name = ApiIT.unique(prefix);
    return client.register(name, "User " + name, "correct horse", "phone");
  }

  static String group(Account owner, boolean isPublic, String username, Account... members) {
    var body = new java.util.HashMap<String, Object>();
    body.put("kind", "group");
    body.put("title", "Group of " + owner.username());
    body.put("memberIds", java.util.Arrays.stream(members).map(Account::userId).toList());
    body.put("public", isPublic);
    if (username != null) {
      body.put("username", username);
    }
    Response r = client.post("/v1/chats", owner.token(), body);
    assertEquals(201, r.status(), r.raw());
    return r.text("chatId");
  }

  static Response post(Account a, String path, Object body) {
    return client.post(path, a.token(), body);
  }

  static Response send(Account a, String chatId, String text) {
    return client.post("/v1/chats/" + chatId + "/messages", a.token(), Map.of("clientMessageId", ApiIT.unique("c"), "text", text));
  }

  static JsonNode await(Socket s, String type, String chatId) {
    return s.await(f -> f.path("type").asText().equals(type) && f.path("chatId").asText().equals(chatId), Duration.ofSeconds(10));
  }

  @Test
  void aGroupIsCreatedWithMembersWhoAllPostAndSeeMemberChanges() {
    Account owner = user("gown");
    Account m1 = user("gmem");
    Account newcomer = user("gnew");
    Socket newcomerSocket = client.connect(newcomer.token());
    Socket m1Socket = client.connect(m1.token());
    String chatId = group(owner, false, null, m1);

    Response chat = client.get("/v1/chats/" + chatId, m1.token());
    assertEquals("group", chat.text("kind"));
    assertEquals(2, chat.body().path("memberCount").asInt());
    assertEquals("member", chat.text("myRole"));
    assertEquals("owner", client.get("/v1/chats/" + chatId, owner.token()).text("myRole"));

    assertEquals(201, send(m1, chatId, "hello group").status());
    ApiIT.awaitMessage(m1Socket, chatId, "hello group");

    assertEquals(403, post(m1, "/v1/chats/" + chatId + "/members", Map.of("userId", newcomer.userId())).status(), "members do not add");
    assertEquals(204, post(owner, "/v1/chats/" + chatId + "/members", Map.of("userId", newcomer.userId())).status());
    JsonNode joined = await(m1Socket, "member.joined", chatId);
    assertEquals(List.of(newcomer.userId()), List.of(joined.path("userIds").get(0).asText()));
    assertEquals(201, send(owner, chatId, "welcome").status());
    ApiIT.awaitMessage(newcomerSocket, chatId, "welcome");

    assertEquals(204, post(newcomer, "/v1/chats/" + chatId + "/leave", Map.of()).status());
    await(newcomerSocket, "member.left", chatId);
    assertEquals(201, send(owner, chatId, "after you left").status());
    ApiIT.awaitMessage(m1Socket, chatId, "after you left");
    assertTrue(newcomerSocket.drain(f -> f.path("chatId").asText().equals(chatId), Duration.ofMillis(500)).isEmpty(),
        "a leaver's socket gets nothing more of the chat");
    assertEquals(404, client.get("/v1/chats/" + chatId + "/messages", newcomer.token()).status());

    Response dialogs = eventually(() -> client.get("/v1/dialogs", m1.token()),
        r -> r.body().path("dialogs").size() == 1 && "after you left".equals(r.body().path("dialogs").get(0).path("lastMessage").path("text").asText()));
    JsonNode d = dialogs.body().path("dialogs").get(0);
    assertEquals("Group of " + owner.username(), d.path("title").asText());
    assertEquals("member", d.path("role").asText());
    assertFalse(d.path("muted").asBoolean());
    newcomerSocket.close();
    m1Socket.close();
  }

  @Test
  void ownersAdminsAndMembersHaveTheirPowers() {
    Account owner = user("rown");
    Account admin = user("radm");
    Account member = user("rmem");
    String chatId = group(owner, false, null, admin, member);
    String base = "/v1/chats/" + chatId;
    assertEquals(204, put(owner, base + "/members/" + admin.userId() + "/role", Map.of("role", "admin")));
    assertEquals(403, put(member, base + "/members/" + member.userId() + "/role", Map.of("role", "admin")));
    assertEquals(400, put(owner, base + "/members/" + member.userId() + "/role", Map.of("role", "owner")));
    assertEquals(409, post(owner, base + "/leave", Map.of()).status(), "the owner hands over first");
    assertEquals(403, client.delete(base + "/members/" + owner.userId(), admin.token()).status());
    assertEquals(204, post(owner, base + "/owner", Map.of("userId", admin.userId())).status());
    assertEquals("owner", client.get(base, admin.token()).text("myRole"));
    assertEquals(204, post(owner, base + "/leave", Map.of()).status());
    assertEquals(204, post(member, base + "/leave", Map.of()).status());
    assertEquals(404, post(member, base + "/leave", Map.of()).status(), "leaving a private chat twice: it is gone for you");
  }

  int put(Account a, String path, Object body) {
    return client.put(path, a.token(), body).status();
  }

  @Test
  void bannedUsersCannotRejoinAPublicGroup() {
    Account owner = user("bown");
    Account troll = user("btrl");
    String chatId = group(owner, true, null);
    assertEquals(204, post(troll, "/v1/chats/" + chatId + "/members", Map.of()).status());
    assertEquals(204, post(troll, "/v1/chats/" + chatId + "/members", Map.of()).status(), "joining twice is idempotent");
    assertEquals(204, client.delete("/v1/chats/" + chatId + "/members/" + troll.userId() + "?ban=true", owner.token()).status());
    Response again = post(troll, "/v1/chats/" + chatId + "/members", Map.of());
    assertEquals(403, again.status());
    assertEquals("USER_BANNED", again.body().path("error").path("reason").asText());
    assertEquals(204, client.delete("/v1/chats/" + chatId + "/bans/" + troll.userId(), owner.token()).status());
    assertEquals(204, post(troll, "/v1/chats/" + chatId + "/members", Map.of()).status());
  }

  @Test
  void publicChannelsAreFoundByUsernamePreviewedAndOnlyAdminsPost() {
    Account owner = user("cown");
    Account reader = user("crdr");
    String username = ApiIT.unique("news");
    Response created = client.post("/v1/chats", owner.token(), Map.of("kind", "channel", "title", "News", "username", username, "public", true));
    assertEquals(201, created.status(), created.raw());
    String chatId = created.text("chatId");
    assertEquals(201, send(owner, chatId, "first post").status());

    Response found = client.get("/v1/chats/by-username/" + username.toUpperCase(), reader.token());
    assertEquals(200, found.status(), found.raw());
    assertEquals(chatId, found.text("chatId"));
    assertTrue(found.body().path("myRole").isMissingNode() || found.body().path("myRole").isNull());
    assertEquals("first post", client.get("/v1/chats/" + chatId + "/messages", reader.token()).body().path("messages").get(0).path("text").asText(), "a preview");
    assertEquals(403, send(reader, chatId, "me too").status());

    Response taken = client.post("/v1/accounts", null, Map.of("username", username, "displayName", "x", "password", "pa55word", "deviceName", "d"));
    assertEquals(409, taken.status(), "one namespace for users, groups and channels");

    assertEquals(204, post(reader, "/v1/chats/" + chatId + "/members", Map.of()).status());
    assertTrue(client.get("/v1/chats/" + chatId, reader.token()).body().path("memberIds").isMissingNode(),
        "subscribers do not see each other");
    assertEquals(2, client.get("/v1/chats/" + chatId, owner.token()).body().path("memberIds").size(), "admins do");
    Socket socket = client.connect(reader.token());
    assertEquals(201, send(owner, chatId, "second post").status());
    ApiIT.awaitMessage(socket, chatId, "second post");
    Response forbidden = send(reader, chatId, "can I post now?");
    assertEquals(403, forbidden.status());
    JsonNode history = client.get("/v1/chats/" + chatId + "/messages", reader.token()).body().path("messages");
    assertEquals(2, history.size(), "a subscriber sees what was posted before they came");
    socket.close();
  }

  @Test
  void aChangedUsernameIsReleasedForOthers() {
    Account owner = user("uown");
    String first = ApiIT.unique("first");
    String second = ApiIT.unique("second");
    String chatId = client.post("/v1/chats", owner.token(), Map.of("kind", "group", "title", "Renamed", "username", first)).text("chatId");
    Response patched = client.patch("/v1/chats/" + chatId, owner.token(), Map.of("username", second));
    assertEquals(200, patched.status(), patched.raw());
    assertEquals(second, patched.text("username"));
    assertEquals(404, client.get("/v1/chats/by-username/" + first, owner.token()).status());
    assertEquals(chatId, client.get("/v1/chats/by-username/" + second, owner.token()).text("chatId"));
    assertEquals(201, client.post("/v1/accounts", null, Map.of("username", first, "displayName", "Taker", "password", "pa55word", "deviceName", "d")).status(),
        "the old name is free again");
    JsonNode updates = client.get("/v1/chats/" + chatId + "/updates?afterPts=0", owner.token()).body().path("updates");
    assertEquals("chat.edited", updates.get(updates.size() - 1).path("type").asText());
  }

  @Test
  void aSubscribersReadMarkReachesTheirOtherDevicesOnly() {
    Account owner = user("rmown");
    Account reader = user("rmrdr");
    Account laptop = client.login(reader.username(), "correct horse", "laptop");
    String chatId = client.post("/v1/chats", owner.token(), Map.of("kind", "channel", "title", "Reads", "public", true)).text("chatId");
    assertEquals(201, send(owner, chatId, "post").status());
    assertEquals(204, post(reader, "/v1/chats/" + chatId + "/members", Map.of()).status());
    Socket ownerSocket = client.connect(owner.token());
    Socket laptopSocket = client.connect(laptop.token());
    assertEquals(204, post(reader, "/v1/chats/" + chatId + "/read", Map.of("upToMessageId", 1)).status());
    JsonNode read = laptopSocket.await(f -> f.path("type").asText().equals("read"), Duration.ofSeconds(10));
    assertEquals(1, read.path("upToMessageId").asLong());
    assertTrue(read.path("pts").isMissingNode(), "a channel read is not numbered");
    assertTrue(ownerSocket.drain(f -> f.path("type").asText().equals("read"), Duration.ofMillis(500)).isEmpty(), "nobody else is told");
    ownerSocket.close();
    laptopSocket.close();
  }

  @Test
  void aSocketIsToldWhenItsUserJoinsOrLeavesAChat() {
    Account owner = user("aown");
    Account fan = user("afan");
    String chatId = client.post("/v1/chats", owner.token(), Map.of("kind", "channel", "title", "Live", "public", true)).text("chatId");
    Socket socket = client.connect(fan.token());
    assertEquals(204, post(fan, "/v1/chats/" + chatId + "/members", Map.of()).status());
    await(socket, "chat.added", chatId);
    assertEquals(201, send(owner, chatId, "live now").status());
    ApiIT.awaitMessage(socket, chatId, "live now");
    assertEquals(204, post(fan, "/v1/chats/" + chatId + "/leave", Map.of()).status());
    await(socket, "chat.removed", chatId);
    assertEquals(201, send(owner, chatId, "gone").status());
    assertTrue(socket.drain(f -> f.path("chatId").asText().equals(chatId) && f.has("message"), Duration.ofMillis(500)).isEmpty(),
        "nothing of a chat after chat.removed");
    socket.close();
  }

  @Test
  void privateChannelsAreJoinedByRevocableInviteLinks() {
    Account owner = user("pown");
    Account friend = user("pfrd");
    Account stranger = user("pstr");
    Response created = client.post("/v1/chats", owner.token(), Map.of("kind", "channel", "title", "Private"));
    String chatId = created.text("chatId");
    assertEquals(404, client.get("/v1/chats/" + chatId, stranger.token()).status());
    Response invite = post(owner, "/v1/chats/" + chatId + "/invites", Map.of());
    assertEquals(201, invite.status(), invite.raw());
    String token = invite.text("inviteToken");
    Response joined = post(friend, "/v1/chats/join", Map.of("inviteToken", token));
    assertEquals(200, joined.status(), joined.raw());
    assertEquals("member", joined.text("myRole"));
    assertEquals(204, client.delete("/v1/chats/" + chatId + "/invites/" + token, owner.token()).status());
    assertEquals(404, post(stranger, "/v1/chats/join", Map.of("inviteToken", token)).status());
    assertEquals(404, post(stranger, "/v1/chats/join", Map.of("inviteToken", "bogus")).status());
  }

  @Test
  void muteShowsInDialogsAndUnmuteClearsIt() {
    Account owner = user("mown");
    String chatId = group(owner, false, null);
    assertEquals(204, post(owner, "/v1/chats/" + chatId + "/mute", Map.of()).status());
    Response dialogs = eventually(() -> client.get("/v1/dialogs", owner.token()), r -> r.body().path("dialogs").size() == 1);
    assertTrue(dialogs.body().path("dialogs").get(0).path("muted").asBoolean());
    assertEquals(204, client.delete("/v1/chats/" + chatId + "/mute", owner.token()).status());
    assertFalse(client.get("/v1/dialogs", owner.token()).body().path("dialogs").get(0).path("muted").asBoolean());
    assertEquals(400, post(owner, "/v1/chats/" + chatId + "/mute", Map.of("until", "tomorrow")).status());
    assertEquals(404, post(user("mstr"), "/v1/chats/" + chatId + "/mute", Map.of()).status());
  }

  /** One call of the matrix: what it does as a given user (null: anonymous). */
  record Call(String name, java.util.function.Function<Account, Response> run, Map<String, Integer> expected) {}

  static Map<String, Integer> expect(int owner, int admin, int member, int banned, int outsider) {
    return Map.of("owner", owner, "admin", admin, "member", member, "banned", banned, "outsider", outsider, "anonymous", 401);
  }

  static Response as(Account a, String method, String path, Object body) {
    String token = a == null ? null : a.token();
    return switch (method) {
      case "GET" -> client.get(path, token);
      case "POST" -> client.post(path, token, body);
      case "PUT" -> client.put(path, token, body);
      case "PATCH" -> client.patch(path, token, body);
      default -> client.delete(path, token);
    };
  }

  void checkMatrix(Map<String, Account> roles, List<Call> calls) {
    List<String> failures = new java.util.ArrayList<>();
    for (Call call : calls) {
      for (String role : List.of("owner", "admin", "member", "banned", "outsider", "anonymous")) {
        Response r = call.run().apply(roles.get(role));
        int want = call.expected().get(role);
        if (r.status() != want) {
          failures.add(call.name() + " as " + role + ": " + r.status() + " (want " + want + ") " + r.raw());
        }
        if (r.status() >= 400 && r.errorCode() == null) {
          failures.add(call.name() + " as " + role + ": no error body");
        }
        if (r.status() >= 400 && r.raw() != null && r.raw().contains("secret post")) {
          failures.add(call.name() + " as " + role + ": content leaked in an error");
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void permissionsMatrixOfAPrivateGroup() {
    Account owner = user("xo");
    Account admin = user("xa");
    Account member = user("xm");
    Account banned = user("xb");
    Account outsider = user("xx");
    Account extra = user("xe");
    String chatId = group(owner, false, null, admin, member, banned, extra);
    String base = "/v1/chats/" + chatId;
    assertEquals(204, put(owner, base + "/members/" + admin.userId() + "/role", Map.of("role", "admin")));
    assertEquals(201, send(member, chatId, "secret post").status());
    assertEquals(204, post(owner, base + "/bans", Map.of("userId", banned.userId())).status());
    Map<String, Account> roles = new java.util.HashMap<>(Map.of("owner", owner, "admin", admin, "member", member, "banned", banned, "outsider", outsider));
    roles.put("anonymous", null);
    checkMatrix(roles, List.of(
        new Call("get chat", a -> as(a, "GET", base, null), expect(200, 200, 200, 404, 404)),
        new Call("history", a -> as(a, "GET", base + "/messages", null), expect(200, 200, 200, 404, 404)),
        new Call("updates", a -> as(a, "GET", base + "/updates?afterPts=0", null), expect(200, 200, 200, 404, 404)),
        new Call("send", a -> as(a, "POST", base + "/messages", Map.of("clientMessageId", ApiIT.unique("m"), "text", "hi")), expect(201, 201, 201, 404, 404)),
        new Call("read", a -> as(a, "POST", base + "/read", Map.of("upToMessageId", 1)), expect(204, 204, 204, 404, 404)),
        new Call("add member", a -> as(a, "POST", base + "/members", Map.of("userId", extra.userId())), expect(204, 204, 403, 404, 404)),
        new Call("edit title", a -> as(a, "PATCH", base, Map.of("title", "Renamed")), expect(200, 200, 403, 404, 404)),
        new Call("create invite", a -> as(a, "POST", base + "/invites", Map.of()), expect(201, 201, 403, 404, 404)),
        new Call("list invites", a -> as(a, "GET", base + "/invites", null), expect(200, 200, 403, 404, 404)),
        new Call("set role", a -> as(a, "PUT", base + "/members/" + extra.userId() + "/role", Map.of("role", "member")), expect(204, 204, 403, 404, 404)),
        new Call("ban", a -> as(a, "POST", base + "/bans", Map.of("userId", banned.userId())), expect(204, 204, 403, 404, 404)),
        new Call("unban stranger", a -> as(a, "DELETE", base + "/bans/" + outsider.userId(), null), expect(204, 204, 403, 404, 404)),
        new Call("transfer", a -> as(a, "POST", base + "/owner", Map.of("userId", outsider.userId())), expect(404, 403, 403, 404, 404)),
        new Call("mute", a -> as(a, "POST", base + "/mute", Map.of()), expect(204, 204, 204, 404, 404))));
  }

  @Test
  void permissionsMatrixOfAPublicChannel() {
    Account owner = user("yo");
    Account admin = user("ya");
    Account subscriber = user("ys");
    Account banned = user("yb");
    Account outsider = user("yx");
    Response created = client.post("/v1/chats", owner.token(), Map.of("kind", "channel", "title", "Matrix", "public", true));
    String chatId = created.text("chatId");
    String base = "/v1/chats/" + chatId;
    for (Account a : List.of(admin, subscriber, banned)) {
      assertEquals(204, post(a, base + "/members", Map.of()).status());
    }
    assertEquals(204, put(owner, base + "/members/" + admin.userId() + "/role", Map.of("role", "admin")));
    assertEquals(204, post(owner, base + "/bans", Map.of("userId", banned.userId())).status());
    assertEquals(201, send(owner, chatId, "post one").status());
    Map<String, Account> roles = new java.util.HashMap<>(Map.of("owner", owner, "admin", admin, "member", subscriber, "banned", banned, "outsider", outsider));
    roles.put("anonymous", null);
    checkMatrix(roles, List.of(
        new Call("get chat", a -> as(a, "GET", base, null), expect(200, 200, 200, 403, 200)),
        new Call("history", a -> as(a, "GET", base + "/messages", null), expect(200, 200, 200, 403, 200)),
        new Call("post", a -> as(a, "POST", base + "/messages", Map.of("clientMessageId", ApiIT.unique("m"), "text", "hi")), expect(201, 201, 403, 403, 403)),
        new Call("read", a -> as(a, "POST", base + "/read", Map.of("upToMessageId", 1)), expect(204, 204, 204, 403, 403)),
        new Call("edit title", a -> as(a, "PATCH", base, Map.of("title", "Renamed")), expect(200, 200, 403, 403, 403)),
        new Call("create invite", a -> as(a, "POST", base + "/invites", Map.of()), expect(201, 201, 403, 403, 403)),
        new Call("rejoin", a -> as(a, "POST", base + "/members", Map.of()), expect(204, 204, 204, 403, 204))));
  }

  @Test
  void badInputToGroupCallsGetClearErrors() {
    Account owner = user("eown");
    assertEquals(400, client.post("/v1/chats", owner.token(), Map.of("kind", "group")).status(), "title is required");
    assertEquals(400, client.post("/v1/chats", owner.token(), Map.of("kind", "group", "title", " ")).status());
    assertEquals(404, client.post("/v1/chats", owner.token(), Map.of("kind", "group", "title", "x", "memberIds", List.of("u0000000000000000"))).status());
    assertEquals(400, client.post("/v1/chats", owner.token(), Map.of("kind", "group", "title", "x", "memberIds", "nope")).status());
    assertEquals(400, client.post("/v1/chats", owner.token(), Map.of("kind", "group", "title", "x", "username", "bad name")).status());
    String chatId = group(owner, false, null);
    assertEquals(400, put(owner, "/v1/chats/" + chatId + "/members/" + owner.userId() + "/role", Map.of("role", "king")));
    assertEquals(404, client.delete("/v1/chats/" + chatId + "/members/" + user("nobody").userId(), owner.token()).status());
    Account other = user("eoth");
    Response both = post(owner, "/v1/chats/" + chatId + "/members", Map.of("userId", other.userId(), "userIds", List.of(other.userId())));
    assertEquals(400, both.status());
    assertTrue(both.errorMessage().contains("userIds"));
    assertEquals(400, post(owner, "/v1/chats/" + chatId + "/members", Map.of("userIds", List.of())).status());
  }
}
