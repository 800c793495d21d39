package org.herald.node;

import static org.herald.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** View counters: each user once whatever their devices, exact in history and updates, kept across a restart. */
class ViewsIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  static Response views(HeraldClient client, Account a, String chatId, Object ids) {
    return client.post("/v1/chats/" + chatId + "/views", a.token(), Map.of("messageIds", ids));
  }

  @Test
  void eachUserCountsOncePerPostAndTheCountsAreServedWithThePosts() {
    HeraldNode node = TestNodes.start(TestNodes.on(pg));
    String chatId;
    Account owner;
    try {
      HeraldClient client = new HeraldClient(node.baseUrl());
      owner = client.registerUnique("vo");
      Account a = client.registerUnique("va");
      Account b = client.registerUnique("vb");
      Account aLaptop = client.login(a.username(), "correct horse", "laptop");
      Map<String, Object> body = new HashMap<>();
      body.put("kind", "channel");
      body.put("title", "Views");
      chatId = client.post("/v1/chats", owner.token(), body).text("chatId");
      for (Account s : List.of(a, b)) {
        assertEquals(204, client.post("/v1/chats/" + chatId + "/members", owner.token(), Map.of("userId", s.userId())).status());
      }
      for (int i = 1; i <= 3; i++) {
        client.sendText(owner, chatId, "post " + i);
      }
      Response first = views(client, a, chatId, List.of(1, 2));
      assertEquals(200, first.status(), first.raw());
      assertEquals(List.of(1L, 1L), first.body().path("views").findValues("views").stream().map(JsonNode::asLong).toList());
      views(client, aLaptop, chatId, List.of(1, 2, 2)); // another device of the same user, a repeat
      Response second = views(client, b, chatId, List.of(2));
      assertEquals(2, second.body().path("views").get(0).path("views").asLong());

      String cid = chatId;
      JsonNode history = eventually(() -> client.get("/v1/chats/" + cid + "/messages", a.token()).body().path("messages"),
          h -> h.get(1).path("views").asLong() == 2);
      assertEquals(List.of(1L, 2L, 0L), history.findValues("views").stream().map(JsonNode::asLong).toList());
      JsonNode updates = client.get("/v1/chats/" + chatId + "/updates?afterPts=0", a.token()).body().path("updates");
      assertEquals(List.of(1L, 2L, 0L), updates.findValues("views").stream().map(JsonNode::asLong).toList());

      // Bad input and outsiders.
      assertEquals(400, views(client, a, chatId, List.of()).status());
      assertEquals(400, views(client, a, chatId, "1").status());
      Response beyond = views(client, a, chatId, List.of(4));
      assertEquals(404, beyond.status());
      assertEquals("MESSAGE_NOT_FOUND", beyond.errorCode());
      Account stranger = client.registerUnique("vs");
      assertEquals(404, views(client, stranger, chatId, List.of(1)).status(), "a private channel does not exist to outsiders");
      String direct = client.post("/v1/chats", a.token(), Map.of("kind", "direct", "userId", b.userId())).text("chatId");
      client.sendText(a, direct, "hi");
      assertEquals(409, views(client, b, direct, List.of(1)).status(), "direct chats have read receipts, not views");
      assertFalse(client.get("/v1/chats/" + direct + "/messages", b.token()).body().path("messages").get(0).has("views"));
    } finally {
      node.stop();
    }

    HeraldNode again = TestNodes.start(TestNodes.on(pg));
    try {
      HeraldClient client = new HeraldClient(again.baseUrl());
      Account c = client.registerUnique("vc");
      assertEquals(204, client.post("/v1/chats/" + chatId + "/members", owner.token(), Map.of("userId", c.userId())).status());
      assertEquals(3, views(client, c, chatId, List.of(2)).body().path("views").get(0).path("views").asLong(),
          "the count continues after a restart");
    } finally {
      again.stop();
    }
  }
}
