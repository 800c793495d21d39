package org.herald.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.herald.chaos.Checker.ClientChat;
import org.herald.chaos.Checker.ClientState;
import org.herald.chaos.Checker.ServerChat;
import org.herald.chaos.Checker.StoredMessage;
import org.herald.chaos.Checker.StoredUpdate;
import org.herald.chaos.Checker.Verdict;
import org.junit.jupiter.api.Test;

/** The checker on hand-made histories: a clean one, then one flaw at a time. */
class CheckerTest {
  /** A chat "g1" whose messages 1..n are "m1".."mn", sent by "alice", at pts 1..n. */
  private static ServerChat chat(String chatId, int n) {
    List<StoredMessage> history = new ArrayList<>();
    List<StoredUpdate> updates = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      history.add(new StoredMessage(i, "alice", "chaos m" + i));
      updates.add(new StoredUpdate(i, "message.new", i));
    }
    return new ServerChat(chatId, history, updates, n);
  }

  private static List<Ledger.Ack> acks(String chatId, int n) {
    List<Ledger.Ack> acks = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      acks.add(new Ledger.Ack(chatId, "m" + i, "alice", i, i));
    }
    return acks;
  }

  /** A client that synced {@code chat} exactly. */
  private static ClientState client(String name, ServerChat chat) {
    Map<Long, String> messages = new HashMap<>();
    chat.history().forEach(m -> messages.put(m.messageId(), m.text()));
    return new ClientState(name, Map.of(chat.chatId(), new ClientChat(chat.pts(), messages)));
  }

  private static Verdict check(List<Ledger.Ack> acks, ServerChat chat, ClientState... clients) {
    return Checker.check(acks, Map.of(chat.chatId(), chat), List.of(), List.of(clients));
  }

  @Test
  void aCompleteHistoryIsClean() {
    ServerChat chat = chat("g1", 5);
    Verdict v = check(acks("g1", 5), chat, client("u1", chat), client("u2", chat));
    assertEquals(5, v.acked());
    assertEquals(5, v.stored());
    assertEquals(0, v.lost());
    assertEquals(0, v.duplicates());
    assertEquals(0, v.gaps());
    assertEquals(0, v.diverged());
    assertTrue(v.clean(), v.findings().toString());
  }

  @Test
  void anAcknowledgedMessageMissingFromHistoryIsLost() {
    ServerChat chat = chat("g1", 5);
    List<Ledger.Ack> acks = acks("g1", 5);
    acks.add(new Ledger.Ack("g1", "m6", "alice", 6, 6));
    Verdict v = check(acks, chat, client("u1", chat));
    assertEquals(6, v.acked());
    assertEquals(1, v.lost());
    assertEquals(0, v.gaps());
    assertFalse(v.clean());
    assertTrue(v.findings().get(0).contains("has no m6"), v.findings().toString());
  }

  @Test
  void aMessageStoredUnderAnotherMessageIdOrPtsIsLost() {
    ServerChat chat = chat("g1", 3);
    List<Ledger.Ack> acks = acks("g1", 3);
    acks.set(1, new Ledger.Ack("g1", "m2", "alice", 3, 2));
    assertEquals(1, check(acks, chat).lost());
    List<Ledger.Ack> wrongPts = acks("g1", 3);
    wrongPts.set(2, new Ledger.Ack("g1", "m3", "alice", 3, 7));
    assertEquals(1, check(wrongPts, chat).lost());
  }

  @Test
  void aSecondAnswerThatDisagreesWithTheFirstIsLost() {
    ServerChat chat = chat("g1", 3);
    List<Ledger.Ack> acks = acks("g1", 3);
    acks.add(new Ledger.Ack("g1", "m1", "alice", 4, 4));
    Verdict v = check(acks, chat);
    assertEquals(3, v.acked(), "one message, however many answers");
    assertEquals(1, v.lost());
  }

  @Test
  void aClientMessageIdStoredTwiceIsADuplicate() {
    List<StoredMessage> history = new ArrayList<>(chat("g1", 3).history());
    history.add(new StoredMessage(4, "alice", "chaos m2"));
    List<StoredUpdate> updates = new ArrayList<>(chat("g1", 3).updates());
    updates.add(new StoredUpdate(4, "message.new", 4));
    ServerChat chat = new ServerChat("g1", history, updates, 4);
    Verdict v = check(acks("g1", 3), chat, client("u1", chat));
    assertEquals(1, v.duplicates());
    assertEquals(0, v.lost());
    assertEquals(0, v.gaps());
    assertTrue(v.findings().get(0).contains("stores m2 2 times"), v.findings().toString());
  }

  @Test
  void aMissingMessageIdIsAGap() {
    ServerChat full = chat("g1", 4);
    List<StoredMessage> history = new ArrayList<>(full.history());
    history.remove(2);
    List<StoredUpdate> updates = new ArrayList<>(full.updates());
    updates.remove(2);
    updates.add(2, new StoredUpdate(3, "read", 0));
    ServerChat chat = new ServerChat("g1", history, updates, 4);
    List<Ledger.Ack> acks = acks("g1", 4);
    acks.remove(2);
    Verdict v = check(acks, chat, client("u1", chat));
    assertEquals(1, v.gaps(), v.findings().toString());
    assertTrue(v.findings().get(0).contains("messageId 4 after 2"), v.findings().toString());
    assertEquals(0, v.lost());
  }

  @Test
  void missingOrReorderedPtsAreGaps() {
    ServerChat full = chat("g1", 4);
    List<StoredUpdate> skipped = new ArrayList<>(full.updates());
    skipped.set(2, new StoredUpdate(5, "message.new", 3));
    skipped.set(3, new StoredUpdate(6, "message.new", 4));
    ServerChat hole = new ServerChat("g1", full.history(), skipped, 6);
    assertEquals(1, check(acks("g1", 2), hole).gaps(), "pts 5 after 2");

    List<StoredUpdate> swapped = new ArrayList<>(full.updates());
    swapped.set(1, full.updates().get(2));
    swapped.set(2, full.updates().get(1));
    ServerChat reordered = new ServerChat("g1", full.history(), swapped, 4);
    assertEquals(3, check(acks("g1", 1), reordered).gaps(), "3 after 1, 2 after 3, 4 after 2");
  }

  @Test
  void aHistoryListingOtherMessagesThanTheUpdatesIsAGap() {
    ServerChat full = chat("g1", 3);
    List<StoredUpdate> updates = new ArrayList<>(full.updates());
    updates.set(2, new StoredUpdate(3, "read", 0));
    ServerChat chat = new ServerChat("g1", full.history(), updates, 3);
    Verdict v = check(acks("g1", 3), chat);
    assertEquals(1, v.gaps(), v.findings().toString());
    assertTrue(v.findings().get(0).contains("only in history [3]"), v.findings().toString());
  }

  @Test
  void updatesEndingBelowTheChatsPtsAreAGap() {
    ServerChat full = chat("g1", 3);
    ServerChat shortUpdates = new ServerChat("g1", full.history(), full.updates(), 4);
    assertEquals(1, check(acks("g1", 3), shortUpdates).gaps());
  }

  @Test
  void aClientWithAnotherTextAMissingMessageOrAnotherPtsHasDiverged() {
    ServerChat chat = chat("g1", 3);
    Map<Long, String> otherText = new HashMap<>(Map.of(1L, "chaos m1", 2L, "chaos mX", 3L, "chaos m3"));
    Map<Long, String> missing = new HashMap<>(Map.of(1L, "chaos m1", 3L, "chaos m3"));
    Map<Long, String> extra = new HashMap<>(Map.of(1L, "chaos m1", 2L, "chaos m2", 3L, "chaos m3", 4L, "chaos m4"));
    Map<Long, String> exact = new HashMap<>(Map.of(1L, "chaos m1", 2L, "chaos m2", 3L, "chaos m3"));
    Verdict v =
        check(acks("g1", 3), chat,
            new ClientState("text", Map.of("g1", new ClientChat(3, otherText))),
            new ClientState("missing", Map.of("g1", new ClientChat(3, missing))),
            new ClientState("extra", Map.of("g1", new ClientChat(3, extra))),
            new ClientState("behind", Map.of("g1", new ClientChat(2, exact))),
            new ClientState("fine", Map.of("g1", new ClientChat(3, exact))));
    assertEquals(4, v.diverged(), v.findings().toString());
    assertEquals(0, v.lost());
    assertEquals(0, v.gaps());
    assertTrue(v.findings().stream().noneMatch(f -> f.contains("client fine")));
  }

  @Test
  void aClientDivergingInSeveralChatsCountsOnce() {
    ServerChat a = chat("g1", 2);
    ServerChat b = chat("g2", 2);
    ClientState client =
        new ClientState("u1", Map.of("g1", new ClientChat(1, Map.of(1L, "chaos m1")), "g2", new ClientChat(1, Map.of(1L, "chaos m1"))));
    Verdict v = Checker.check(List.of(), Map.of("g1", a, "g2", b), List.of(), List.of(client));
    assertEquals(1, v.diverged());
  }

  @Test
  void acknowledgedMessagesInAChatThatCouldNotBeReadAreUnverifiedNotFine() {
    Verdict v = Checker.check(acks("g9", 2), Map.of(), List.of("g9"), List.of());
    assertEquals(2, v.unverified());
    assertEquals(0, v.lost());
    assertFalse(v.clean());
  }

  @Test
  void storedMessagesNobodySawAcknowledgedAreCountedButNotAFlaw() {
    ServerChat chat = chat("g1", 3);
    Verdict v = check(acks("g1", 2), chat);
    assertEquals(1, v.storedUnacked());
    assertTrue(v.clean());
  }

  @Test
  void theClientMessageIdIsReadFromTheText() {
    assertEquals("c1-u7-000123", Checker.clientMessageIdOf(SimClient.text("c1-u7-000123")));
    assertEquals(null, Checker.clientMessageIdOf("hello"));
  }
}
