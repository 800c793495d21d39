package org.herald.node;

import static org.herald.testkit.Eventually.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test of the embedded default: a node on H2 under a data directory, ready, restarted once. */
class EmbeddedH2IT {
  @TempDir Path dataDir;

  @Test
  void runsOnEmbeddedH2AndKeepsItsDataAcrossARestart() throws Exception {
    NodeOptions options = TestNodes.base().with("herald.data-dir", dataDir.toString());
    HeraldNode node = TestNodes.start(options);
    String chatId;
    Account alice;
    try {
      HeraldClient client = new HeraldClient(node.baseUrl());
      alice = client.register("h2_alice", "Alice", "pa55word", "phone");
      Account bob = client.register("h2_bob", "Bob", "pa55word", "phone");
      chatId = client.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
      HeraldClient.Socket socket = client.connect(bob.token());
      assertEquals(201, client.post("/v1/chats/" + chatId + "/messages", alice.token(), Map.of("clientMessageId", "1", "text", "on h2")).status());
      socket.await(f -> f.path("type").asText().equals("message.new"), Duration.ofSeconds(10));
      eventually(() -> client.get("/v1/dialogs", bob.token()), r -> r.body().path("dialogs").size() == 1);
      HeraldClient operator = new HeraldClient(node.adminUrl());
      eventually(() -> operator.get("/ready", null), r -> r.status() == 200); // the journal and schema checks read H2 too
      socket.close();
    } finally {
      node.stop();
    }
    assertTrue(Files.list(dataDir).findAny().isPresent(), "the database lives under the data directory");

    HeraldNode again = TestNodes.start(options);
    try {
      HeraldClient client = new HeraldClient(again.baseUrl());
      var history = client.get("/v1/chats/" + chatId + "/messages", alice.token());
      assertEquals(200, history.status());
      assertEquals("on h2", history.body().path("messages").get(0).path("text").asText());
      assertEquals(2, client.post("/v1/chats/" + chatId + "/messages", alice.token(), Map.of("clientMessageId", "2", "text", "again")).body().path("messageId").asLong());
    } finally {
      again.stop();
    }
  }
}
