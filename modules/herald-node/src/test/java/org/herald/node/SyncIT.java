package org.herald.node;

import static org.herald.testkit.Eventually.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.HeraldClient.Socket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A device that was offline catches up with {@code GET /v1/updates/difference} and ends with the
 * same chats and history as a device that stayed online (docs/sync.md).
 */
class SyncIT {
  @RegisterExtension static NodeExtension api = new NodeExtension();

  static HeraldClient client;

  @BeforeAll
  static void client() {
    client = api.client();
  }

  /** What a device knows: per chat, its pts and the text (and edit date) of each message by id. */
  static final class Device {
    final Map<String, Long> pts = new HashMap<>();
    final Map<String, TreeMap<Long, String>> messages = new HashMap<>();

    @Override
    public String toString() {
      return "Device" + pts + " " + messages;
    }

    void apply(JsonNode update) {
      String chatId = update.path("chatId").asText();
      long p = update.path("pts").asLong();
      if (p <= pts.getOrDefault(chatId, 0L)) {
        return;
      }
      pts.put(chatId, p);
      String type = update.path("type").asText();
      if (type.equals("message.new") || type.equals("message.edited")) {
        JsonNode m = update.path("message");
        messages.computeIfAbsent(chatId, k -> new TreeMap<>())
            .put(m.path("messageId").asLong(), m.path("text").asText() + (m.has("editDate") ? " (edited " + m.path("editDate").asText() + ")" : ""));
      } else if (type.equals("message.deleted")) {
        messages.computeIfAbsent(chatId, k -> new TreeMap<>()).remove(update.path("messageId").asLong());
      }
    }

    /** Loads a chat from scratch (a new chat, or one answered "too long"). */
    void reload(Account a, String chatId) {
      long after = 0;
      messages.remove(chatId);
      pts.remove(chatId);
      while (true) {
        Response r = client.get("/v1/chats/" + chatId + "/updates?afterPts=" + after + "&limit=1000", a.token());
        if (r.status() == 404) {
          // No longer a member: the difference that says so may still be on its way.
          return;
        }
        JsonNode body = r.body();
        body.path("updates").forEach(this::apply);
        after = pts.getOrDefault(chatId, 0L);
        if (after >= body.path("pts").asLong()) {
          pts.put(chatId, body.path("pts").asLong());
          return;
        }
      }
    }

    void forget(String chatId) {
      pts.remove(chatId);
      messages.remove(chatId);
    }
  }

  /** Follows differences from {@code state} to the end of one pass; returns the final state. */
  static String catchUp(Account a, Device device, String state, int pageSize) {
    while (true) {
      Response r = client.get("/v1/updates/difference?limit=" + pageSize + "&state=" + state, a.token());
      assertEquals(200, r.status(), r.raw());
      for (JsonNode chat : r.body().path("chats")) {
        String chatId = chat.path("chatId").asText();
        if (chat.path("left").asBoolean()) {
          device.forget(chatId);
        } else if (chat.path("joined").asBoolean() || chat.path("tooLong").asBoolean()) {
          device.reload(a, chatId);
        } else {
          chat.path("updates").forEach(device::apply);
        }
      }
      state = r.text("state");
      if (!r.body().path("more").asBoolean()) {
        return state;
      }
    }
  }

  @Test
  void anOfflineDeviceCatchesUpToTheSameStateAsAnOnlineOne() {
    Account alice = client.registerUnique("sa");
    Account laptop = client.login(alice.username(), "correct horse", "laptop");
    Account bob = client.registerUnique("sb");
    Account carol = client.registerUnique("sc");
    String direct = client.post("/v1/chats", bob.token(), Map.of("kind", "direct", "userId", alice.userId())).text("chatId");
    String group = client.post("/v1/chats", carol.token(), Map.of("kind", "group", "title", "G", "memberIds", List.of(alice.userId(), bob.userId()))).text("chatId");
    String leaving = client.post("/v1/chats", carol.token(), Map.of("kind", "group", "title", "H", "memberIds", List.of(alice.userId()))).text("chatId");
    String channel = client.post("/v1/chats", carol.token(), Map.of("kind", "channel", "title", "C", "public", true)).text("chatId");
    long before1 = client.sendText(bob, direct, "before 1");
    long before2 = client.sendText(carol, group, "before 2");

    // Both devices start in sync: the laptop loads its chats and keeps the dialogs' state.
    Device online = new Device();
    Device offline = new Device();
    Response dialogs = eventually(() -> client.get("/v1/dialogs", laptop.token()),
        r -> r.body().path("dialogs").size() == 3 && r.body().path("dialogs").findValues("pts").stream().mapToLong(JsonNode::asLong).sum() >= 2);
    String state = dialogs.text("state");
    for (JsonNode d : dialogs.body().path("dialogs")) {
      offline.reload(laptop, d.path("chatId").asText());
      online.reload(alice, d.path("chatId").asText());
    }
    Socket phone = client.connect(alice.token());

    // While the laptop is away: messages, a member change, a role change, a title change,
    // alice removed from one group, subscribed to a channel, and a chat that moves on a lot.
    client.sendText(bob, direct, "away 1");
    long away2 = client.sendText(alice, direct, "away 2 from the phone");
    // Edits and deletions of messages the laptop saw, and of ones it never saw.
    assertEquals(200, client.patch("/v1/chats/" + direct + "/messages/" + away2, alice.token(), Map.of("text", "away 2, edited")).status());
    assertEquals(204, client.delete("/v1/chats/" + direct + "/messages/" + before1, bob.token()).status());
    assertEquals(200, client.patch("/v1/chats/" + group + "/messages/" + before2, carol.token(), Map.of("text", "before 2, edited")).status());
    long away5 = client.sendText(bob, group, "away 5, soon deleted");
    assertEquals(204, client.delete("/v1/chats/" + group + "/messages/" + away5, carol.token()).status());
    assertEquals(204, client.post("/v1/chats/" + group + "/members", carol.token(), Map.of("userId", client.registerUnique("sd").userId())).status());
    assertEquals(204, client.put("/v1/chats/" + group + "/members/" + bob.userId() + "/role", carol.token(), Map.of("role", "admin")).status());
    assertEquals(200, client.patch("/v1/chats/" + group, carol.token(), Map.of("title", "G renamed")).status());
    client.sendText(bob, group, "away 3");
    assertEquals(204, client.delete("/v1/chats/" + leaving + "/members/" + alice.userId(), carol.token()).status());
    assertEquals(204, client.post("/v1/chats/" + channel + "/members", alice.token(), Map.of()).status());
    client.sendText(carol, channel, "away 4 in the channel");
    phone.await(f -> f.path("type").asText().equals("chat.added") && f.path("chatId").asText().equals(channel), Duration.ofSeconds(10));
    for (int i = 0; i < 105; i++) {
      client.sendText(bob, direct, "flood " + i);
    }

    // The phone stayed online: its socket saw everything.
    String last = "flood 104";
    phone.await(f -> f.path("message").path("text").asText().equals(last), Duration.ofSeconds(20));
    // The phone follows the client rules of docs/sync.md: a chat added is loaded, a chat
    // removed (or left) is dropped, everything else is applied by pts.
    for (JsonNode frame : phone.seen()) {
      String type = frame.path("type").asText();
      String chatId = frame.path("chatId").asText();
      if (type.equals("chat.added")) {
        online.reload(alice, chatId);
      } else if (type.equals("chat.removed")
          || (type.equals("member.left") && frame.path("userId").asText().equals(alice.userId()))) {
        online.forget(chatId);
      } else if (frame.has("pts")) {
        online.apply(frame);
      }
    }
    phone.close();

    // The laptop comes back and catches up, two chats a page.
    eventually(() -> client.get("/v1/dialogs", laptop.token()),
        r -> r.body().path("dialogs").size() == 3 && r.body().path("dialogs").findValues("lastMessage").stream()
            .anyMatch(m -> m.path("text").asText().equals(last)));
    // The sync state trails the journal by the commit lag (3 s): a client asks again until it
    // has caught up, as it would on every reconnect.
    String[] position = {state};
    eventually(
        () -> {
          position[0] = catchUp(laptop, offline, position[0], 2);
          return offline;
        },
        d -> d.pts.equals(online.pts) && d.messages.equals(online.messages));

    assertEquals(online.pts, offline.pts, "same chats at the same pts");
    assertEquals(online.messages, offline.messages, "same history");
    assertFalse(offline.pts.containsKey(leaving), "the chat alice was removed from is gone");
    assertTrue(offline.messages.get(channel).containsValue("away 4 in the channel"), "the channel joined while away is there");
    assertTrue(offline.messages.get(group).get(before2).startsWith("before 2, edited (edited "), "the edit reached the laptop");
    assertFalse(offline.messages.get(group).containsKey(away5), "a message sent and deleted while away never shows");
    assertFalse(offline.messages.get(direct).containsKey(before1), "the deletion reached the laptop");
    assertEquals(client.get("/v1/chats/" + direct, alice.token()).body().path("pts").asLong(), offline.pts.get(direct));
  }

  @Test
  void aDifferenceAfterTheLastStateIsEmptyAndBogusStatesAreRefused() {
    Account a = client.registerUnique("ta");
    Account b = client.registerUnique("tb");
    String chat = client.post("/v1/chats", a.token(), Map.of("kind", "direct", "userId", b.userId())).text("chatId");
    String start = client.get("/v1/updates/state", b.token()).text("state");
    client.sendText(a, chat, "one");
    Device device = new Device();
    String[] position = {start};
    eventually(
        () -> {
          position[0] = catchUp(b, device, position[0], 100);
          return device;
        },
        d -> d.messages.containsKey(chat) && "one".equals(d.messages.get(chat).get(1L)));
    String next = position[0];
    // A later difference may repeat what a reload already brought (the client drops it by pts),
    // but it brings nothing new.
    Map<String, Long> ptsBefore = new HashMap<>(device.pts);
    Map<String, TreeMap<Long, String>> messagesBefore = new HashMap<>();
    device.messages.forEach((chatId, messages) -> messagesBefore.put(chatId, new TreeMap<>(messages)));
    String after = catchUp(b, device, next, 100);
    assertEquals(ptsBefore, device.pts);
    assertEquals(messagesBefore, device.messages);
    // Once the sync state has passed the last change (it trails by the commit lag), a
    // difference from it is empty.
    String[] latest = {after};
    Response quiet =
        eventually(
            () -> {
              latest[0] = catchUp(b, device, latest[0], 100);
              return client.get("/v1/updates/difference?state=" + latest[0], b.token());
            },
            r -> r.status() != 200 || r.body().path("chats").isEmpty());
    assertEquals(200, quiet.status());
    assertEquals(0, quiet.body().path("chats").size(), "nothing happened since: " + quiet.raw());
    assertFalse(quiet.body().path("more").asBoolean());
    assertEquals(ptsBefore, device.pts, "and nothing new came meanwhile");
    assertEquals(messagesBefore, device.messages);
    assertEquals(400, client.get("/v1/updates/difference?state=garbage", b.token()).status());
    assertEquals(400, client.get("/v1/updates/difference", b.token()).status());
    assertEquals(400, client.get("/v1/updates/difference?state=" + next + "&limit=0", b.token()).status());
    assertEquals(401, client.get("/v1/updates/difference?state=" + next, null).status());
  }
}
