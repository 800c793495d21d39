package org.herald.node;

import static org.herald.testkit.Eventually.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.HeraldClient.Socket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Editing and deleting over HTTP: live updates, history, dialogs, and every refusal's code. */
class EditDeleteIT {
  @RegisterExtension static NodeExtension api = new NodeExtension();

  static HeraldClient client;

  @BeforeAll
  static void client() {
    client = api.client();
  }

  static void assertError(Response r, int status, String code, String mentions) {
    assertEquals(status, r.status(), r.raw());
    assertEquals(code, r.errorCode(), r.raw());
    assertTrue(r.errorMessage().contains(mentions), r.errorMessage());
  }

  @Test
  void editsAndDeletionsReachEveryDeviceAndHistory() {
    Account alice = client.registerUnique("ea");
    Account bob = client.registerUnique("eb");
    Account alicePhone = client.login(alice.username(), "correct horse", "second phone");
    String chat = client.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
    Socket bobSocket = client.connect(bob.token());
    Socket aliceOther = client.connect(alicePhone.token());
    long first = client.sendText(alice, chat, "first");
    long typo = client.sendText(alice, chat, "helo");

    Response edited = client.patch("/v1/chats/" + chat + "/messages/" + typo, alice.token(), Map.of("text", "hello"));
    assertEquals(200, edited.status(), edited.raw());
    assertEquals(typo, edited.body().path("messageId").asLong());
    assertEquals(3, edited.body().path("pts").asLong());
    String editDate = edited.text("editDate");
    for (Socket s : List.of(bobSocket, aliceOther)) {
      JsonNode frame = s.await(f -> f.path("type").asText().equals("message.edited"), Duration.ofSeconds(10));
      assertEquals("hello", frame.path("message").path("text").asText());
      assertEquals(editDate, frame.path("message").path("editDate").asText());
      assertEquals(3, frame.path("pts").asLong());
    }

    assertEquals(204, client.delete("/v1/chats/" + chat + "/messages/" + typo, bob.token()).status(), "either side of a direct chat deletes");
    for (Socket s : List.of(bobSocket, aliceOther)) {
      JsonNode frame = s.await(f -> f.path("type").asText().equals("message.deleted"), Duration.ofSeconds(10));
      assertEquals(typo, frame.path("messageId").asLong());
      assertEquals(4, frame.path("pts").asLong());
    }

    JsonNode history = client.get("/v1/chats/" + chat + "/messages", bob.token()).body().path("messages");
    assertEquals(1, history.size(), "the deleted message is gone from history");
    assertEquals("first", history.get(0).path("text").asText());
    JsonNode updates = client.get("/v1/chats/" + chat + "/updates?afterPts=0", bob.token()).body().path("updates");
    assertEquals(List.of("message.new", "message.deleted"), updates.findValuesAsText("type"),
        "the deleted message's own updates (its sending and its edit) are left out; its deletion is there");
    assertFalse(updates.toString().contains("helo") || updates.toString().contains("\"hello\""), "no version of it is served");
    // The preview of the message left comes from the history read model, which may trail the
    // dialogs one by a group of events: wait for both.
    JsonNode dialog =
        eventually(
                () -> client.get("/v1/dialogs", bob.token()),
                r -> r.body().path("dialogs").path(0).path("pts").asLong() == 4
                    && r.body().path("dialogs").path(0).path("lastMessage").path("messageId").asLong() != 0)
            .body().path("dialogs").get(0);
    assertEquals(first, dialog.path("lastMessage").path("messageId").asLong(), "the dialog previews the message left");
    assertEquals("first", dialog.path("lastMessage").path("text").asText());
  }

  @Test
  void everyBadEditOrDeleteGetsAClearError() {
    Account alice = client.registerUnique("fa");
    Account bob = client.registerUnique("fb");
    Account eve = client.registerUnique("fe");
    String chat = client.post("/v1/chats", alice.token(), Map.of("kind", "group", "title", "Edits", "memberIds", List.of(bob.userId()))).text("chatId");
    long mine = client.sendText(alice, chat, "alice's");
    long bobs = client.sendText(bob, chat, "bob's");
    String path = "/v1/chats/" + chat + "/messages/";

    assertError(client.patch(path + mine, bob.token(), Map.of("text", "hijack")), 403, "MESSAGE_AUTHOR_REQUIRED", "only the sender");
    assertError(client.delete(path + mine, bob.token()), 403, "MESSAGE_AUTHOR_REQUIRED", "sender or an admin");
    assertError(client.patch(path + mine, eve.token(), Map.of("text", "outsider")), 404, "NOT_FOUND", "chat not found");
    assertError(client.delete(path + mine, eve.token()), 404, "NOT_FOUND", "chat not found");
    assertError(client.patch(path + 99, alice.token(), Map.of("text", "x")), 404, "MESSAGE_NOT_FOUND", "messageId");
    assertError(client.patch(path + mine, alice.token(), Map.of("text", "")), 400, "BAD_REQUEST", "text");
    assertError(client.patch(path + mine, alice.token(), Map.of("text", "x".repeat(4097))), 400, "BAD_REQUEST", "text");
    assertError(client.patch(path + mine, alice.token(), Map.of()), 400, "BAD_REQUEST", "text");
    assertError(client.patch(path + "abc", alice.token(), Map.of("text", "x")), 400, "BAD_REQUEST", "messageId");
    assertError(client.delete(path + "0", alice.token()), 400, "BAD_REQUEST", "messageId");
    assertEquals(401, client.delete(path + mine, null).status());

    assertEquals(204, client.delete(path + bobs, alice.token()).status(), "the owner deletes anyone's message");
    assertError(client.delete(path + bobs, alice.token()), 404, "MESSAGE_DELETED", "was deleted");
    assertError(client.patch(path + bobs, bob.token(), Map.of("text", "revive")), 404, "MESSAGE_DELETED", "was deleted");
    assertError(client.post("/v1/chats/" + chat + "/read", bob.token(), Map.of("upToMessageId", 3)), 400, "BAD_REQUEST", "upToMessageId");
    assertEquals("alice's", client.get("/v1/chats/" + chat + "/messages", bob.token()).body().path("messages").get(0).path("text").asText(),
        "refusals changed nothing");
  }
}
