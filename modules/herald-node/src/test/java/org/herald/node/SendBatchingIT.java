package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sends that arrive for a busy chat wait on the node and go to the chat together
 * ({@code SendBatching}, {@code ChatCommand.SendMessages}), written as one atomic write. Three
 * members pipeline their sends over their sockets and a fourth sends over HTTP, all into one
 * group at once: every send is acknowledged, numbers stay 1, 2, 3, … with no gap, each client's
 * messages keep the order it sent them in, every member's socket gets every message in pts
 * order, history reads every text back, repeats answer the first result, and the node's batch
 * meter shows that sends did go together.
 */
class SendBatchingIT {
  @RegisterExtension static NodeExtension api = new NodeExtension();

  private static final int PER_SOCKET = 60;
  private static final int OVER_HTTP = 20;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void concurrentSendsToOneChatAreNumberedWithoutGapsInEachSendersOrder() throws Exception {
    HeraldClient client = api.client();
    List<Account> members = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      members.add(client.registerUnique("batch"));
    }
    String chatId =
        client
            .post(
                "/v1/chats",
                members.get(0).token(),
                Map.of("kind", "group", "title", "Busy", "memberIds", members.subList(1, 4).stream().map(Account::userId).toList()))
            .text("chatId");
    List<HeraldClient.Socket> sockets = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      sockets.add(client.connect(members.get(s).token()));
    }
    Scrape before = Scrape.of(api.node());

    CompletableFuture<List<Long>> overHttp =
        CompletableFuture.supplyAsync(
            () -> {
              List<Long> ids = new ArrayList<>();
              for (int m = 0; m < OVER_HTTP; m++) {
                ids.add(client.sendText(members.get(3), chatId, "http " + m));
              }
              return ids;
            });
    for (int m = 0; m < PER_SOCKET; m++) {
      for (int s = 0; s < 3; s++) {
        sockets.get(s).send(Map.of("type", "send", "chatId", chatId, "clientMessageId", "s" + s + "-" + m, "text", "socket " + s + " message " + m));
      }
    }
    int total = 3 * PER_SOCKET + OVER_HTTP;
    Map<String, Long> idByClientId = new HashMap<>();
    for (int s = 0; s < 3; s++) {
      List<JsonNode> sent = new ArrayList<>();
      List<Long> newPts = new ArrayList<>();
      while (sent.size() < PER_SOCKET || newPts.size() < total) {
        JsonNode frame = sockets.get(s).await(f -> true, WAIT);
        switch (frame.path("type").asText()) {
          case "sent" -> sent.add(frame);
          case "message.new" -> newPts.add(frame.path("pts").asLong());
          case "error" -> throw new AssertionError("a send failed: " + frame);
          default -> {}
        }
      }
      long previous = 0;
      for (int m = 0; m < PER_SOCKET; m++) {
        JsonNode ack = sent.get(m);
        assertEquals("s" + s + "-" + m, ack.path("clientMessageId").asText(), "acknowledged in the order sent");
        long id = ack.path("messageId").asLong();
        assertTrue(id > previous, "socket " + s + ": message " + m + " numbered " + id + " after " + previous);
        previous = id;
        idByClientId.put(ack.path("clientMessageId").asText(), id);
      }
      assertEquals(
          LongStream.rangeClosed(1, total).boxed().toList(), newPts, "socket " + s + " got every message once, in pts order");
    }
    List<Long> httpIds = overHttp.get();
    for (int m = 1; m < OVER_HTTP; m++) {
      assertTrue(httpIds.get(m) > httpIds.get(m - 1), "HTTP sends keep their order");
    }
    TreeSet<Long> all = new TreeSet<>(idByClientId.values());
    all.addAll(httpIds);
    assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), new ArrayList<>(all), "numbers 1.." + total + ", no gap, none twice");

    // Every text reads back, each under the number its sender was told.
    Map<Long, String> texts = new HashMap<>();
    for (long after = 0; after < total; ) {
      JsonNode page = client.get("/v1/chats/" + chatId + "/messages?afterId=" + after + "&limit=100", members.get(0).token()).body();
      for (JsonNode message : page.path("messages")) {
        texts.put(message.path("messageId").asLong(), message.path("text").asText());
        after = message.path("messageId").asLong();
      }
    }
    for (int s = 0; s < 3; s++) {
      for (int m = 0; m < PER_SOCKET; m++) {
        assertEquals("socket " + s + " message " + m, texts.get(idByClientId.get("s" + s + "-" + m)));
      }
    }

    // Repeats, sent all at once again, are answered with the first numbers and write nothing.
    for (int m = 0; m < PER_SOCKET; m++) {
      sockets.get(1).send(Map.of("type", "send", "chatId", chatId, "clientMessageId", "s1-" + m, "text", "socket 1 message " + m));
    }
    for (int m = 0; m < PER_SOCKET; m++) {
      JsonNode ack = sockets.get(1).await(f -> f.path("type").asText().equals("sent"), WAIT);
      assertEquals((long) idByClientId.get("s1-" + m), ack.path("messageId").asLong());
    }
    assertEquals(total, client.get("/v1/chats/" + chatId, members.get(0).token()).body().path("lastMessageId").asLong());

    // Sends did wait and go together: fewer commands reached the chat than there were sends.
    Scrape after = Scrape.of(api.node());
    double sends = after.get("herald_messages_send_batch_sends_sum") - before.get("herald_messages_send_batch_sends_sum");
    double commands = after.get("herald_messages_send_batch_sends_count") - before.get("herald_messages_send_batch_sends_count");
    assertEquals(total + PER_SOCKET, sends, 0.0);
    assertTrue(commands < sends, commands + " commands for " + sends + " sends");
    for (HeraldClient.Socket socket : sockets) {
      socket.close();
    }
  }
}
