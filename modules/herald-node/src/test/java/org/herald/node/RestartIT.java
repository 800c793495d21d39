package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Everything is in the journal: a node stopped and started again on the same PostgreSQL has
 * every account, session, chat and message, and numbering continues without gaps. Stopping
 * closes open sockets cleanly first.
 */
class RestartIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  @Test
  void stateSurvivesARestartAndNumberingContinues() {
    HeraldNode first = TestNodes.start(TestNodes.on(pg));
    HeraldClient c1 = new HeraldClient(first.baseUrl());
    Account alice = c1.register("restart_alice", "Alice", "pa55word", "phone");
    Account bob = c1.register("restart_bob", "Bob", "pa55word", "phone");
    String chatId = c1.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
    for (int i = 1; i <= 5; i++) {
      Response r = c1.post("/v1/chats/" + chatId + "/messages", alice.token(), Map.of("clientMessageId", "m" + i, "text", "before " + i));
      assertEquals(201, r.status(), r.raw());
    }
    assertEquals(204, c1.post("/v1/chats/" + chatId + "/read", bob.token(), Map.of("upToMessageId", 5)).status());
    HeraldClient.Socket socket = c1.connect(bob.token());
    first.stop();
    socket.await(f -> f.path("type").asText().equals("server.shutdown"), Duration.ofSeconds(5));
    assertEquals(1000, socket.closed().orTimeout(5, TimeUnit.SECONDS).join(), "sockets are closed cleanly on stop");

    HeraldNode second = TestNodes.start(TestNodes.on(pg));
    try {
      HeraldClient c2 = new HeraldClient(second.baseUrl());
      assertEquals(200, c2.get("/v1/sessions", alice.token()).status(), "the old token still works");
      Account relogin = c2.login("RESTART_ALICE", "pa55word", "laptop");
      assertEquals(alice.userId(), relogin.userId());
      assertEquals(409, c2.post("/v1/accounts", null, Map.of("username", "restart_alice", "displayName", "x", "password", "pa55word", "deviceName", "d")).status());

      Response chat = c2.get("/v1/chats/" + chatId, bob.token());
      assertEquals(5, chat.body().path("lastMessageId").asLong());
      assertEquals(6, chat.body().path("pts").asLong());
      assertEquals(5, chat.body().path("readUpTo").asLong());

      Response retry = c2.post("/v1/chats/" + chatId + "/messages", alice.token(), Map.of("clientMessageId", "m5", "text", "before 5"));
      assertEquals(5, retry.body().path("messageId").asLong(), "idempotency survives recovery");

      Response next = c2.post("/v1/chats/" + chatId + "/messages", bob.token(), Map.of("clientMessageId", "n1", "text", "after"));
      assertEquals(201, next.status());
      assertEquals(6, next.body().path("messageId").asLong());
      assertEquals(7, next.body().path("pts").asLong());

      JsonNode messages = c2.get("/v1/chats/" + chatId + "/messages", alice.token()).body().path("messages");
      assertEquals(6, messages.size());
      for (int i = 0; i < 6; i++) {
        assertEquals(i + 1, messages.get(i).path("messageId").asLong());
      }
      JsonNode updates = c2.get("/v1/chats/" + chatId + "/updates?afterPts=0", alice.token()).body().path("updates");
      assertEquals(7, updates.size());
      for (int i = 0; i < 7; i++) {
        assertEquals(i + 1, updates.get(i).path("pts").asLong());
      }
    } finally {
      second.stop();
    }
  }
}
