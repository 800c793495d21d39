package org.herald.domain.chat;

import static org.herald.domain.DomainTestKit.ALICE;
import static org.herald.domain.DomainTestKit.BOB;
import static org.herald.domain.DomainTestKit.CAROL;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.herald.domain.DomainTestKit;
import org.herald.domain.DomainTestKit.RecordingPublisher;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.MessagesRead;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.SnapshotSpacing;
import org.herald.domain.common.Topics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
class ChatEntityTest {
  @JUnit5TestKit
  public ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(DomainTestKit.config()).build();

  static final String CHAT = ChatIds.direct(ALICE, BOB);

  RecordingPublisher publisher;
  final DomainTestKit.MemoryContentKeys keys = new DomainTestKit.MemoryContentKeys();
  EventSourcedBehaviorTestKit<ChatCommand, ChatEvent, ChatState> kit;

  @BeforeEach
  void setUp() {
    publisher = new RecordingPublisher();
    kit = newKit(new ChatEntity.Settings(4, 100));
  }

  EventSourcedBehaviorTestKit<ChatCommand, ChatEvent, ChatState> newKit(ChatEntity.Settings settings) {
    var k =
        EventSourcedBehaviorTestKit.<ChatCommand, ChatEvent, ChatState>create(
            testKit.system(), ChatEntity.create(CHAT, DomainTestKit.CLOCK, publisher, keys, settings));
    k.clear();
    return k;
  }

  void create() {
    var result = kit.<ChatReply>runCommand(r -> new ChatCommand.CreateChat(ChatKind.DIRECT, null, null, false, ALICE, List.of(ALICE, BOB), r));
    assertEquals(true, ((ChatReply.ChatCreated) result.reply()).created());
  }

  ChatReply send(String sender, String clientId, String text) {
    return kit.<ChatReply>runCommand(r -> new ChatCommand.SendMessage(sender, clientId, text, false, null, r)).reply();
  }

  static ErrorCode rejection(ChatReply reply) {
    return assertInstanceOf(ChatReply.Rejected.class, reply).rejection().code();
  }

  @Test
  void creatingTheSameDirectChatAgainAnswersTheExistingOne() {
    create();
    var again = kit.<ChatReply>runCommand(r -> new ChatCommand.CreateChat(ChatKind.DIRECT, null, null, false, BOB, List.of(BOB, ALICE), r));
    var reply = assertInstanceOf(ChatReply.ChatCreated.class, again.reply());
    assertEquals(false, reply.created());
    assertEquals(List.of(ALICE, BOB), reply.chat().memberIds());
    assertTrue(again.events().isEmpty());
  }

  @Test
  void aDirectChatNeedsTheTwoMembersItsIdNames() {
    var result = kit.<ChatReply>runCommand(r -> new ChatCommand.CreateChat(ChatKind.DIRECT, null, null, false, ALICE, List.of(ALICE, CAROL), r));
    assertEquals(ErrorCode.INVALID_FIELD, rejection(result.reply()));
    assertInstanceOf(ChatState.Empty.class, result.state());
  }

  @Test
  void messageIdAndPtsGrowByExactlyOne() {
    create();
    for (int i = 1; i <= 3; i++) {
      var result = kit.<ChatReply>runCommand(r -> new ChatCommand.SendMessage(ALICE, "c" + System.nanoTime(), "hi", false, null, r));
      var accepted = assertInstanceOf(ChatReply.MessageAccepted.class, result.reply());
      assertEquals(i, accepted.messageId());
      assertEquals(i, accepted.pts());
      var event = assertInstanceOf(MessageSent.class, result.event());
      assertEquals(i, event.messageId());
      assertEquals(DomainTestKit.NOW, event.date());
    }
    assertEquals(3, publisher.published.size());
    assertEquals(Topics.chat(CHAT), publisher.published.get(0).topic());
  }

  @Test
  void repeatedClientMessageIdReturnsFirstAnswer() {
    create();
    var first = assertInstanceOf(ChatReply.MessageAccepted.class, send(ALICE, "same", "hello"));
    assertFalse(first.repeated());
    var result = kit.<ChatReply>runCommand(r -> new ChatCommand.SendMessage(ALICE, "same", "hello", false, null, r));
    assertEquals(new ChatReply.MessageAccepted(first.messageId(), first.pts(), first.date(), true), result.reply());
    assertTrue(result.events().isEmpty());
    var fromBob = assertInstanceOf(ChatReply.MessageAccepted.class, send(BOB, "same", "hello"));
    assertEquals(2, fromBob.messageId(), "clientMessageIds are per sender");
  }

  @Test
  void outsidersLearnNothing() {
    create();
    send(ALICE, "1", "secret");
    assertEquals(ErrorCode.CHAT_NOT_FOUND, rejection(send(CAROL, "x", "hi")));
    assertEquals(ErrorCode.CHAT_NOT_FOUND, rejection(kit.<ChatReply>runCommand(r -> new ChatCommand.GetHistory(CAROL, ChatCommand.GetHistory.LATEST, 0, 50, r)).reply()));
    assertEquals(ErrorCode.CHAT_NOT_FOUND, rejection(kit.<ChatReply>runCommand(r -> new ChatCommand.GetUpdates(CAROL, 0, 50, r)).reply()));
    assertEquals(ErrorCode.CHAT_NOT_FOUND, rejection(kit.<ChatReply>runCommand(r -> new ChatCommand.GetChat(CAROL, r)).reply()));
    assertEquals(ErrorCode.CHAT_NOT_FOUND, rejection(kit.<ChatReply>runCommand(r -> new ChatCommand.MarkRead(CAROL, 1, r)).reply()));
  }

  @Test
  void aChatThatWasNeverCreatedIsNotFound() {
    assertEquals(ErrorCode.CHAT_NOT_FOUND, rejection(send(ALICE, "1", "hi")));
    assertInstanceOf(ChatState.Empty.class, kit.getState());
  }

  @Test
  void textMustBeOneTo4096Characters() {
    create();
    assertEquals(ErrorCode.TEXT_EMPTY, rejection(send(ALICE, "1", "")));
    assertEquals(ErrorCode.TEXT_EMPTY, rejection(send(ALICE, "2", "   ")));
    assertEquals(ErrorCode.TEXT_TOO_LONG, rejection(send(ALICE, "3", "x".repeat(4097))));
    var ok = assertInstanceOf(ChatReply.MessageAccepted.class, send(ALICE, "4", "\uD83D\uDE00".repeat(4096)));
    assertEquals(1, ok.messageId(), "rejections consume no numbers");
  }

  @Test
  void replyMustNameAnExistingMessage() {
    create();
    var result = kit.<ChatReply>runCommand(r -> new ChatCommand.SendMessage(ALICE, "1", "re", false, 1L, r));
    assertEquals(ErrorCode.REPLY_TARGET_NOT_FOUND, rejection(result.reply()));
    send(ALICE, "2", "first");
    var ok = kit.<ChatReply>runCommand(r -> new ChatCommand.SendMessage(BOB, "3", "re", true, 1L, r));
    var event = assertInstanceOf(MessageSent.class, ok.event());
    assertEquals(1L, event.replyToMessageId());
    assertTrue(event.silent());
  }

  @Test
  void readMarksMoveForwardOnlyAndNeverPastTheLastMessage() {
    create();
    send(ALICE, "1", "a");
    send(ALICE, "2", "b");
    assertEquals(ErrorCode.READ_BEYOND_LAST_MESSAGE, rejection(kit.<ChatReply>runCommand(r -> new ChatCommand.MarkRead(BOB, 3, r)).reply()));
    var read = kit.<ChatReply>runCommand(r -> new ChatCommand.MarkRead(BOB, 2, r));
    var event = assertInstanceOf(MessagesRead.class, read.event());
    assertEquals(3, event.pts());
    var back = kit.<ChatReply>runCommand(r -> new ChatCommand.MarkRead(BOB, 1, r));
    assertInstanceOf(ChatReply.Ack.class, back.reply());
    assertTrue(back.events().isEmpty());
    var own = kit.<ChatReply>runCommand(r -> new ChatCommand.MarkRead(ALICE, 2, r));
    assertTrue(own.events().isEmpty(), "sending already moved the sender's mark");
    var view = assertInstanceOf(ChatReply.ChatView.class, kit.<ChatReply>runCommand(r -> new ChatCommand.GetChat(BOB, r)).reply());
    assertEquals(2, view.myReadUpTo());
    assertEquals(3, view.pts());
    assertEquals(2, view.memberCount());
  }

  @Test
  void historyAndUpdatesComeFromTheWindowAndSayWhereItStarts() {
    create();
    for (int i = 1; i <= 6; i++) {
      send(i % 2 == 0 ? ALICE : BOB, "m" + i, "t" + i);
    }
    // window of 4 updates: messages 3..6
    var latest = assertInstanceOf(ChatReply.History.class, kit.<ChatReply>runCommand(r -> new ChatCommand.GetHistory(ALICE, ChatCommand.GetHistory.LATEST, 0, 3, r)).reply());
    assertEquals(List.of(4L, 5L, 6L), latest.messages().stream().map(Message::messageId).toList());
    assertEquals(3, latest.windowFirstMessageId());
    var older = assertInstanceOf(ChatReply.History.class, kit.<ChatReply>runCommand(r -> new ChatCommand.GetHistory(ALICE, ChatCommand.GetHistory.LATEST, 4, 3, r)).reply());
    assertEquals(1, older.fromId());
    assertEquals(3, older.toId());
    assertEquals(List.of(3L), older.messages().stream().map(Message::messageId).toList(), "only 3 is in the window; 1-2 come from the read model");
    var after = assertInstanceOf(ChatReply.History.class, kit.<ChatReply>runCommand(r -> new ChatCommand.GetHistory(ALICE, 4, 0, 50, r)).reply());
    assertEquals(List.of(5L, 6L), after.messages().stream().map(Message::messageId).toList());
    var fromTheStart = assertInstanceOf(ChatReply.History.class, kit.<ChatReply>runCommand(r -> new ChatCommand.GetHistory(ALICE, 0, 0, 2, r)).reply());
    assertEquals(1, fromTheStart.fromId(), "afterId=0 pages from the first message, not the latest");
    assertEquals(2, fromTheStart.toId());
    var updates = assertInstanceOf(ChatReply.Updates.class, kit.<ChatReply>runCommand(r -> new ChatCommand.GetUpdates(ALICE, 1, 100, r)).reply());
    assertEquals(2, updates.fromPts());
    assertEquals(6, updates.toPts());
    assertEquals(3, updates.windowFirstPts());
    assertEquals(List.of(3L, 4L, 5L, 6L), updates.updates().stream().map(ChatUpdate::pts).toList());
  }

  @Test
  void stateSurvivesRecovery() {
    create();
    var first = assertInstanceOf(ChatReply.MessageAccepted.class, send(ALICE, "keep", "hello"));
    send(BOB, "2", "hi");
    kit.<ChatReply>runCommand(r -> new ChatCommand.MarkRead(ALICE, 2, r));
    var before = kit.getState();
    var restarted = kit.restart();
    assertEquals(before, restarted.state());
    assertEquals(
        new ChatReply.MessageAccepted(first.messageId(), first.pts(), first.date(), true),
        send(ALICE, "keep", "hello"),
        "idempotency survives recovery");
    var next = assertInstanceOf(ChatReply.MessageAccepted.class, send(BOB, "3", "next"));
    assertEquals(3, next.messageId());
    assertEquals(4, next.pts());
  }

  @Test
  void aChatSnapshotsAtItsOwnSpacedPointNotAtTheSettingItself() {
    var snapshots = SnapshotTestKit.create(testKit.system());
    snapshots.clearAll();
    // A setting this chat's id spaces (one in twenty lands on the setting itself).
    int setting = 100;
    while (SnapshotSpacing.interval(setting, CHAT) == setting) {
      setting++;
    }
    int every = SnapshotSpacing.interval(setting, CHAT);
    kit = newKit(new ChatEntity.Settings(4, setting));
    create(); // event 1
    for (int i = 2; i < every; i++) {
      assertInstanceOf(ChatReply.MessageAccepted.class, send(ALICE, "s" + i, "m" + i));
    }
    assertTrue(snapshots.persistedInStorage("Chat|" + CHAT).isEmpty(), "no snapshot at event " + setting + " nor before " + every);
    send(ALICE, "last", "m");
    var stored = snapshots.persistedInStorage("Chat|" + CHAT);
    assertEquals(1, stored.size());
    assertEquals(every, stored.get(0).first().sequenceNr());
  }

  static ChatCommand.SendMessage queued(String sender, String clientId, String text, Long replyTo) {
    return new ChatCommand.SendMessage(sender, clientId, text, false, replyTo, null);
  }

  @Test
  void sendsThatWaitedTogetherAreNumberedInOrderAndWrittenAsOneWrite() {
    create();
    send(ALICE, "before", "first");
    var result =
        kit.<ChatReply>runCommand(
            r ->
                new ChatCommand.SendMessages(
                    List.of(
                        queued(ALICE, "a", "two", null),
                        queued(BOB, "b", "", null), // rejected: consumes no number
                        queued(BOB, "c", "three", 2L), // replies to the message just before it in the batch
                        queued(ALICE, "a", "two again", null), // repeats a send of this batch
                        queued(ALICE, "before", "first again", null), // repeats an earlier send
                        queued(CAROL, "d", "outsider", null), // not a member
                        queued(BOB, "e", "five?", 9L)), // no such message, even counting the batch
                    r));
    var answered = assertInstanceOf(ChatReply.SendsAnswered.class, result.reply());
    assertEquals(7, answered.answers().size());
    var two = assertInstanceOf(ChatReply.MessageAccepted.class, answered.answer(0));
    assertEquals(List.of(2L, 2L, false), List.of(two.messageId(), two.pts(), two.repeated()));
    assertEquals(ErrorCode.TEXT_EMPTY, rejection(answered.answer(1)));
    var three = assertInstanceOf(ChatReply.MessageAccepted.class, answered.answer(2));
    assertEquals(List.of(3L, 3L, false), List.of(three.messageId(), three.pts(), three.repeated()));
    assertEquals(new ChatReply.MessageAccepted(2, 2, two.date(), true), answered.answer(3));
    assertEquals(new ChatReply.MessageAccepted(1, 1, DomainTestKit.NOW, true), answered.answer(4));
    assertEquals(ErrorCode.CHAT_NOT_FOUND, rejection(answered.answer(5)));
    assertEquals(ErrorCode.REPLY_TARGET_NOT_FOUND, rejection(answered.answer(6)));

    // One command, one atomic write of the two new messages, each sealed under a key of its own.
    assertEquals(2, result.events().size());
    var second = assertInstanceOf(MessageSent.class, result.events().get(0));
    var third = assertInstanceOf(MessageSent.class, result.events().get(1));
    assertEquals(List.of(2L, 3L), List.of(second.messageId(), third.messageId()));
    assertEquals(2L, third.replyToMessageId());
    assertTrue(second.text() == null && third.text() == null, "no text in the clear at rest");
    assertFalse(second.content().keyId().equals(third.content().keyId()));
    assertEquals(
        List.of("first", "two", "three"),
        publisher.published.stream()
            .map(p -> ChatUpdate.messageOf((ChatUpdate) p.notification()).text())
            .toList(),
        "each new message is published once durable, with its text, in order");

    // The chat goes on from the batch's numbers, and remembers its clientMessageIds.
    var next = assertInstanceOf(ChatReply.MessageAccepted.class, send(BOB, "f", "four"));
    assertEquals(4, next.messageId());
    assertEquals(new ChatReply.MessageAccepted(3, 3, three.date(), true), send(BOB, "c", "three"));
    var restarted = kit.restart();
    assertEquals(4, ((ChatState.Active) restarted.state()).lastMessageId());
  }

  @Test
  void aBatchLargerThanTheKeyPoolWaitsForKeysAndLosesNoSend() {
    create();
    List<ChatCommand.SendMessage> sends = new java.util.ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      sends.add(queued(i % 2 == 0 ? ALICE : BOB, "k" + i, "m" + i, null));
    }
    int issuesBefore = keys.issues.size();
    var result = kit.<ChatReply>runCommand(r -> new ChatCommand.SendMessages(sends, r));
    // The batch waits for one answer of the key table: its first request asks for every key
    // missing (a new chat holds none), not for the pool's usual 4, 8, 16 … (later requests are
    // the pool filling ahead of need).
    assertTrue(keys.issues.get(issuesBefore) >= 20, "the first request covers the whole batch: " + keys.issues);
    var answered = assertInstanceOf(ChatReply.SendsAnswered.class, result.reply());
    for (int i = 0; i < 20; i++) {
      assertEquals(i + 1, assertInstanceOf(ChatReply.MessageAccepted.class, answered.answer(i)).messageId());
    }
    assertEquals(20, result.events().size());
    assertEquals(20, result.events().stream().map(e -> ((MessageSent) e).content().keyId()).distinct().count());
  }

  @Test
  void aBatchThatCrossesTheSnapshotPointIsSnapshotted() {
    var snapshots = SnapshotTestKit.create(testKit.system());
    snapshots.clearAll();
    int every = SnapshotSpacing.interval(10, CHAT);
    kit = newKit(new ChatEntity.Settings(4, 10));
    create(); // event 1
    List<ChatCommand.SendMessage> sends = new java.util.ArrayList<>();
    for (int i = 0; i < every; i++) {
      sends.add(queued(ALICE, "s" + i, "m" + i, null));
    }
    kit.<ChatReply>runCommand(r -> new ChatCommand.SendMessages(sends, r));
    assertEquals(1, snapshots.persistedInStorage("Chat|" + CHAT).size(), "events 2.." + (every + 1) + " pass " + every);
  }

  @Test
  void aBatchAndItsAnswersCrossNodes() {
    var serialization = org.apache.pekko.serialization.SerializationExtension.get(testKit.system());
    var answered =
        ChatReply.SendsAnswered.of(
            List.of(
                new ChatReply.MessageAccepted(7, 9, DomainTestKit.NOW, false),
                new ChatReply.Rejected(org.herald.domain.common.Rejection.onField(ErrorCode.TEXT_EMPTY, "text", "text must not be empty"))));
    var batch =
        new ChatCommand.SendMessages(
            List.of(queued(ALICE, "a", "hi \uD83D\uDE00", null), queued(BOB, "b", "re", 1L)), testKit.createTestProbe(ChatReply.class).ref());
    for (Object message : List.of(answered, batch)) {
      byte[] bytes = serialization.serialize(message).get();
      var manifest = org.apache.pekko.serialization.Serializers.manifestFor(serialization.findSerializerFor(message), message);
      assertEquals(message, serialization.deserialize(bytes, serialization.findSerializerFor(message).identifier(), manifest).get());
    }
  }
}
