package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.content.MasterKey;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest with crypto-shredding, end to end: messages with unique markers are sent,
 * some edited and some deleted; then every table of the database (journal, snapshots, tags,
 * read models, keys) is scanned as raw bytes for the markers and none is found; the keys of
 * superseded and deleted versions are gone; the rest reads back through the API after a
 * restart; and a node with a wrong or missing master key refuses to start.
 */
class ContentAtRestIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  @TempDir Path dataDir;

  final String run = UUID.randomUUID().toString().substring(0, 8);

  String marker(String what, int i) {
    return "MRK" + run + "-" + what + "-" + i;
  }

  NodeOptions options() {
    // Frequent snapshots, so the scan covers them too.
    return TestNodes.on(pg).with("herald.chat.snapshot-every", 4).with("herald.data-dir", dataDir.toString());
  }

  @Test
  void noPlaintextAnywhereAndShreddedVersionsCannotBeOpened() throws Exception {
    HeraldNode node = TestNodes.start(options());
    HeraldClient c = new HeraldClient(node.baseUrl());
    Account alice = c.register("rest_alice_" + run, "Alice", "pa55word", "phone");
    Account bob = c.register("rest_bob_" + run, "Bob", "pa55word", "phone");
    String direct = c.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
    String group = c.post("/v1/chats", alice.token(), Map.of("kind", "group", "title", "Rest", "memberIds", List.of(bob.userId()))).text("chatId");

    // Expected text per (chat, messageId) after edits and deletions; null = deleted.
    Map<String, Map<Long, String>> expected = new LinkedHashMap<>();
    int n = 0;
    for (String chat : List.of(direct, group)) {
      Map<Long, String> texts = new LinkedHashMap<>();
      for (int i = 1; i <= 12; i++) {
        String text = "hello " + marker("sent", ++n);
        Response sent = c.post("/v1/chats/" + chat + "/messages", (i % 2 == 0 ? bob : alice).token(), Map.of("clientMessageId", "m" + i, "text", text));
        assertEquals(201, sent.status(), sent.raw());
        texts.put(sent.body().path("messageId").asLong(), text);
      }
      for (long id : List.of(2L, 5L, 9L)) {
        Account sender = id % 2 == 0 ? bob : alice;
        for (int v = 1; v <= 2; v++) {
          String text = "edited " + marker("edit", ++n);
          Response edited = c.patch("/v1/chats/" + chat + "/messages/" + id, sender.token(), Map.of("text", text));
          assertEquals(200, edited.status(), edited.raw());
          texts.put(id, text);
        }
      }
      for (long id : List.of(3L, 9L, 12L)) {
        Response deleted = c.delete("/v1/chats/" + chat + "/messages/" + id, (id % 2 == 0 ? bob : alice).token());
        assertEquals(204, deleted.status(), deleted.raw());
        texts.put(id, null);
      }
      expected.put(chat, texts);
    }
    assertHistory(c, alice, expected);
    Map<String, Long> pts = new LinkedHashMap<>();
    expected.keySet().forEach(chat -> pts.put(chat, c.get("/v1/chats/" + chat, alice.token()).body().path("pts").asLong()));
    awaitReadModels(pts);
    assertFalse(scanForMarker("rest_alice_" + run).isEmpty(), "the scan sees raw journal bytes (usernames are not sealed)");

    // Every table, every column, as raw bytes.
    List<String> found = scanForMarker("MRK" + run);
    assertEquals(List.of(), found, "no plaintext of any message, current, superseded or deleted, at rest");

    // Keys: each superseded or deleted version's key is gone, each current one is there.
    Set<String> liveKeys = keysInTable();
    var serialization = SerializationExtension.get(Adapter.toClassic(node.system()));
    int shredded = 0;
    Map<String, String> currentKey = new LinkedHashMap<>(); // "chat/messageId" -> key of its latest version
    try (Connection conn = connect(); Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT event_ser_id, event_ser_manifest, event_payload FROM event_journal WHERE persistence_id LIKE 'Chat|%' ORDER BY ordering")) {
      while (rs.next()) {
        Object event = serialization.deserialize(rs.getBytes(3), rs.getInt(1), rs.getString(2)).get();
        if (event instanceof ChatEvent.MessageSent e) {
          currentKey.put(e.chatId() + "/" + e.messageId(), e.content().keyId());
        } else if (event instanceof ChatEvent.MessageEdited e) {
          assertNotNull(e.supersededKeyId(), "an edit names the key it supersedes");
          assertFalse(liveKeys.contains(e.supersededKeyId()), "superseded version of " + e.messageId());
          currentKey.put(e.chatId() + "/" + e.messageId(), e.content().keyId());
          shredded++;
        } else if (event instanceof ChatEvent.MessageDeleted e) {
          assertNotNull(e.shreddedKeyId(), "a deletion names the key it shreds");
          assertFalse(liveKeys.contains(e.shreddedKeyId()), "deleted message " + e.messageId());
          currentKey.remove(e.chatId() + "/" + e.messageId());
          shredded++;
        }
      }
    }
    assertEquals(2 * (6 + 3), shredded);
    assertEquals(2 * (12 - 3), currentKey.size());
    currentKey.forEach((message, key) -> assertTrue(liveKeys.contains(key), "the current version of " + message + " can be read"));

    node.stop();
    HeraldNode again = TestNodes.start(options());
    try {
      assertHistory(new HeraldClient(again.baseUrl()), bob, expected);
    } finally {
      again.stop();
    }

    String otherKey = MasterKey.generate().toBase64();
    var wrong = assertThrows(Exception.class, () -> TestNodes.start(options().with("herald.crypto.master-key", otherKey)));
    assertTrue(rootMessage(wrong).startsWith("wrong master key"), rootMessage(wrong));
    var missing = assertThrows(Exception.class, () -> TestNodes.start(options().with("herald.crypto.master-key", "")));
    assertTrue(rootMessage(missing).contains("the master key is missing"), rootMessage(missing));
    assertFalse(Files.exists(dataDir.resolve("master.key")), "no key is generated for a database that has one");
  }

  static String rootMessage(Throwable t) {
    String message = t.getMessage();
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      message = t.getMessage();
    }
    return message;
  }

  void assertHistory(HeraldClient c, Account reader, Map<String, Map<Long, String>> expected) {
    for (var chat : expected.entrySet()) {
      JsonNode messages = c.get("/v1/chats/" + chat.getKey() + "/messages?limit=100", reader.token()).body().path("messages");
      Map<Long, String> shown = new LinkedHashMap<>();
      messages.forEach(m -> shown.put(m.path("messageId").asLong(), m.path("text").asText()));
      Map<Long, String> live = new LinkedHashMap<>();
      chat.getValue().forEach((id, text) -> {
        if (text != null) {
          live.put(id, text);
        }
      });
      assertEquals(live, shown, "history of " + chat.getKey());
      messages.forEach(m -> assertEquals(m.path("text").asText().startsWith("edited"), m.has("editDate") && !m.path("editDate").isNull()));
    }
  }

  /** Waits until the history read model holds every change of the chats. */
  void awaitReadModels(Map<String, Long> chats) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try (Connection conn = connect(); Statement st = conn.createStatement();
          ResultSet rs = st.executeQuery("SELECT chat_id, max(pts) FROM chat_updates GROUP BY chat_id")) {
        Map<String, Long> pts = new LinkedHashMap<>();
        while (rs.next()) {
          pts.put(rs.getString(1), rs.getLong(2));
        }
        boolean done = true;
        for (var chat : chats.entrySet()) {
          done &= pts.getOrDefault(chat.getKey(), 0L) >= chat.getValue();
        }
        if (done) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("read models did not catch up");
      }
      Thread.sleep(100);
    }
  }

  Connection connect() throws Exception {
    return DriverManager.getConnection(pg.url(), pg.user(), pg.password());
  }

  Set<String> keysInTable() throws Exception {
    Set<String> keys = new HashSet<>();
    try (Connection conn = connect(); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT key_id FROM content_keys")) {
      while (rs.next()) {
        keys.add(rs.getString(1));
      }
    }
    return keys;
  }

  /** "table.column" of every value whose raw bytes contain the marker. */
  List<String> scanForMarker(String marker) throws Exception {
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    List<String> hits = new ArrayList<>();
    int tables = 0;
    try (Connection conn = connect()) {
      List<String> names = new ArrayList<>();
      try (ResultSet rs = conn.getMetaData().getTables(null, "public", "%", new String[] {"TABLE"})) {
        while (rs.next()) {
          names.add(rs.getString("TABLE_NAME"));
        }
      }
      assertTrue(names.containsAll(List.of("event_journal", "snapshot", "event_tag", "chat_messages", "chat_updates", "dialog_chats", "content_keys")), names.toString());
      for (String table : names) {
        tables++;
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int col = 1; col <= columns; col++) {
              byte[] bytes = rs.getBytes(col);
              if (bytes != null && indexOf(bytes, needle) >= 0) {
                hits.add(table + "." + rs.getMetaData().getColumnName(col));
              }
            }
          }
        }
      }
      try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM snapshot WHERE persistence_id LIKE 'Chat|%'")) {
        rs.next();
        assertTrue(rs.getInt(1) > 0, "chat snapshots were written, so the scan covered them");
      }
    }
    assertTrue(tables >= 10);
    return hits;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
