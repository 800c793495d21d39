package org.herald.domain.chat;

import static org.herald.domain.DomainTestKit.ALICE;
import static org.herald.domain.DomainTestKit.BOB;
import static org.herald.domain.DomainTestKit.CAROL;
import static org.herald.domain.DomainTestKit.code;
import static org.herald.domain.DomainTestKit.ok;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.herald.domain.DomainTestKit;
import org.herald.domain.DomainTestKit.MemoryContentKeys;
import org.herald.domain.DomainTestKit.MovableClock;
import org.herald.domain.DomainTestKit.RecordingPublisher;
import org.herald.domain.chat.ChatEvent.MessageDeleted;
import org.herald.domain.chat.ChatEvent.MessageEdited;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Ids;
import org.herald.domain.content.ContentKey;
import org.herald.domain.content.ContentKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sealed content, edits and deletions: what the chat journals and what it shreds. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
class EditAndDeleteEntityTest {
  @JUnit5TestKit
  public ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(DomainTestKit.config()).build();


  final RecordingPublisher publisher = new RecordingPublisher();
  final MemoryContentKeys keys = new MemoryContentKeys();
  final MovableClock clock = new MovableClock();
  EventSourcedBehaviorTestKit<ChatCommand, ChatEvent, ChatState> kit;
  String chatId;

  void start(ChatKind kind, int window, ContentKeys contentKeys) {
    chatId = kind == ChatKind.DIRECT ? ChatIds.direct(ALICE, BOB) : ChatIds.newId(kind);
    kit = EventSourcedBehaviorTestKit.create(
        testKit.system(), ChatEntity.create(chatId, clock, publisher, contentKeys, new ChatEntity.Settings(window, 1000)));
    kit.clear();
    ok(run(r -> new ChatCommand.CreateChat(kind, kind == ChatKind.DIRECT ? null : "Team", null, false, ALICE, List.of(ALICE, BOB), r)));
  }

  void start(ChatKind kind) {
    start(kind, 50, keys);
  }

  ChatReply run(Function<ActorRef<ChatReply>, ChatCommand> command) {
    return kit.runCommand(command).reply();
  }

  long send(String sender, String text) {
    return assertInstanceOf(ChatReply.MessageAccepted.class, run(r -> new ChatCommand.SendMessage(sender, Ids.random(8), text, false, null, r))).messageId();
  }

  ChatReply edit(String actor, long messageId, String text) {
    return run(r -> new ChatCommand.EditMessage(actor, messageId, text, null, r));
  }

  ChatReply delete(String actor, long messageId) {
    return run(r -> new ChatCommand.DeleteMessage(actor, messageId, null, r));
  }

  List<Message> history(String reader) {
    return assertInstanceOf(ChatReply.History.class, run(r -> new ChatCommand.GetHistory(reader, ChatCommand.GetHistory.LATEST, 0, 50, r))).messages();
  }

  @Test
  void theJournalHoldsOnlySealedTextWhileLiveUpdatesCarryIt() {
    start(ChatKind.DIRECT);
    var result = kit.<ChatReply>runCommand(r -> new ChatCommand.SendMessage(ALICE, "c1", "meet at noon", false, null, r));
    var event = assertInstanceOf(MessageSent.class, result.event());
    assertNull(event.text(), "no text in the clear");
    assertEquals("meet at noon", keys.open(chatId, ChatUpdates.of(event).message()));
    var live = assertInstanceOf(ChatUpdate.MessageNew.class, publisher.published.get(publisher.published.size() - 1).notification());
    assertEquals("meet at noon", live.message().text());
    assertNull(live.message().content());
    Message stored = history(BOB).get(0);
    assertNull(stored.text(), "the window (and so the snapshot) holds the sealed form");
    assertEquals("meet at noon", keys.open(chatId, stored));
  }

  @Test
  void anEditShredsThePreviousVersionAndEveryUpdateCarriesTheNewOne() {
    start(ChatKind.DIRECT);
    long id = send(ALICE, "version one");
    String firstKey = history(ALICE).get(0).content().keyId();
    clock.advance(Duration.ofMinutes(5));
    var result = kit.<ChatReply>runCommand(r -> new ChatCommand.EditMessage(ALICE, id, "version two", null, r));
    var edited = assertInstanceOf(ChatReply.MessageEdited.class, result.reply());
    assertEquals(2, edited.pts());
    var event = assertInstanceOf(MessageEdited.class, result.event());
    assertEquals(firstKey, event.supersededKeyId());
    assertTrue(keys.destroyed.contains(firstKey), "the old version's key is destroyed");
    Message now = history(BOB).get(0);
    assertEquals("version two", keys.open(chatId, now));
    assertEquals(clock.instant(), now.editDate());
    var updates = assertInstanceOf(ChatReply.Updates.class, run(r -> new ChatCommand.GetUpdates(BOB, 0, 100, r))).updates();
    assertEquals(2, updates.size());
    for (ChatUpdate u : updates) {
      assertEquals("version two", keys.open(chatId, ChatUpdate.messageOf(u)), "no update still points at version one");
    }
    var live = assertInstanceOf(ChatUpdate.MessageEditedUpdate.class, publisher.published.get(publisher.published.size() - 1).notification());
    assertEquals("version two", live.message().text());
  }

  @Test
  void onlyTheSenderEditsAndOnlyFor48Hours() {
    start(ChatKind.GROUP);
    long id = send(ALICE, "hello");
    assertEquals(ErrorCode.MESSAGE_AUTHOR_REQUIRED, code(edit(BOB, id, "not mine")));
    assertEquals(ErrorCode.CHAT_NOT_FOUND, code(edit(CAROL, id, "outsider")));
    assertEquals(ErrorCode.MESSAGE_NOT_FOUND, code(edit(ALICE, 2, "no such")));
    assertEquals(ErrorCode.TEXT_EMPTY, code(edit(ALICE, id, " ")));
    clock.advance(Duration.ofHours(47));
    ok(edit(ALICE, id, "still in time"));
    clock.advance(Duration.ofHours(2));
    assertEquals(ErrorCode.MESSAGE_EDIT_TIME_EXPIRED, code(edit(ALICE, id, "too late")));
  }

  @Test
  void channelAdminsEditAndDeleteAnyPostAtAnyTime() {
    start(ChatKind.CHANNEL);
    ok(run(r -> new ChatCommand.AddMembers(ALICE, List.of(CAROL), r)));
    ok(run(r -> new ChatCommand.SetRole(ALICE, CAROL, Role.ADMIN, r)));
    long id = send(ALICE, "post");
    clock.advance(Duration.ofDays(30));
    ok(edit(CAROL, id, "fixed by another admin"));
    assertEquals(ErrorCode.ADMIN_REQUIRED, code(edit(BOB, id, "subscriber")));
    assertEquals(ErrorCode.ADMIN_REQUIRED, code(delete(BOB, id)));
    ok(delete(CAROL, id));
  }

  @Test
  void aDeletionLeavesATombstoneAndShredsTheKey() {
    start(ChatKind.GROUP);
    long first = send(ALICE, "keep me");
    long second = send(BOB, "delete me");
    String key = history(ALICE).get(1).content().keyId();
    assertEquals(ErrorCode.MESSAGE_AUTHOR_REQUIRED, code(delete(BOB, first)), "a member deletes only their own");
    var result = kit.<ChatReply>runCommand(r -> new ChatCommand.DeleteMessage(BOB, second, null, r));
    assertInstanceOf(ChatReply.Ack.class, result.reply());
    assertEquals(key, assertInstanceOf(MessageDeleted.class, result.event()).shreddedKeyId());
    assertTrue(keys.destroyed.contains(key));
    List<Message> h = history(ALICE);
    assertFalse(h.get(0).deleted());
    assertTrue(h.get(1).deleted());
    assertNull(h.get(1).content(), "nothing of the text remains in the window");
    assertEquals(ErrorCode.MESSAGE_DELETED, code(delete(BOB, second)), "deleting twice");
    assertEquals(ErrorCode.MESSAGE_DELETED, code(edit(BOB, second, "edit a deleted one")));
    ok(delete(ALICE, first)); // the owner, an admin, deletes anyone's message
    var updates = assertInstanceOf(ChatReply.Updates.class, run(r -> new ChatCommand.GetUpdates(ALICE, 0, 100, r))).updates();
    assertEquals(List.of(true, true), updates.stream().filter(u -> u instanceof ChatUpdate.MessageNew).map(ChatUpdate::isTombstone).toList());
    assertEquals(2, updates.stream().filter(u -> u instanceof ChatUpdate.MessageDeletedUpdate).count());
  }

  @Test
  void aSendRepeatedAfterItsMessageWasDeletedStillAnswersTheFirstResult() {
    start(ChatKind.DIRECT);
    var first = assertInstanceOf(ChatReply.MessageAccepted.class, run(r -> new ChatCommand.SendMessage(ALICE, "same", "hi", false, null, r)));
    ok(delete(BOB, 1));
    assertEquals(
        new ChatReply.MessageAccepted(first.messageId(), first.pts(), first.date(), true),
        run(r -> new ChatCommand.SendMessage(ALICE, "same", "hi", false, null, r)));
  }

  @Test
  void aMessageOlderThanTheWindowIsLookedUpByTheCaller() {
    start(ChatKind.DIRECT, 3, keys);
    long old = send(ALICE, "old");
    Message asStored = history(ALICE).get(0);
    for (int i = 0; i < 4; i++) {
      send(BOB, "newer " + i);
    }
    var needed = assertInstanceOf(ChatReply.MessageNeeded.class, edit(ALICE, old, "changed"));
    assertEquals(old, needed.messageId());
    assertEquals(state().windowFirstPts() - 1, needed.appliedPts(), "the read model must have every change below the window");
    ok(run(r -> new ChatCommand.EditMessage(ALICE, old, "changed", asStored, r)));
    assertTrue(keys.destroyed.contains(asStored.content().keyId()));
    ok(run(r -> new ChatCommand.DeleteMessage(ALICE, old, null, r))); // the recent edit is in the window now
    assertEquals(ErrorCode.MESSAGE_DELETED, code(run(r -> new ChatCommand.DeleteMessage(ALICE, old, asStored.tombstone(), r))));
    assertEquals(ErrorCode.MESSAGE_DELETED, code(edit(ALICE, old, "revived")),
        "the deletion in the window settles it, whatever a lagging read model still holds");
    assertEquals(ErrorCode.MESSAGE_DELETED, code(run(r -> new ChatCommand.EditMessage(ALICE, old, "revived", asStored, r))));
  }

  @Test
  void outsidersLearnNothingFromARefusedEdit() {
    start(ChatKind.GROUP);
    long id = send(ALICE, "hello");
    assertEquals(ErrorCode.CHAT_NOT_FOUND, code(edit(CAROL, id, "")), "not TEXT_EMPTY: that would tell the chat exists");
    assertEquals(ErrorCode.CHAT_NOT_FOUND, code(edit(CAROL, 99, "x")));
  }

  ChatState.Active state() {
    return (ChatState.Active) kit.getState();
  }

  @Test
  void editsAndDeletionsSurviveRecovery() {
    start(ChatKind.DIRECT);
    long a = send(ALICE, "a");
    long b = send(BOB, "b");
    ok(edit(ALICE, a, "a2"));
    ok(delete(BOB, b));
    var before = kit.getState();
    assertEquals(before, kit.restart().state());
    assertEquals("a2", keys.open(chatId, history(BOB).get(0)));
    assertEquals(ErrorCode.MESSAGE_DELETED, code(delete(BOB, b)));
  }

  @Test
  void whenTheKeyTableFailsSendsAreRefusedAsUnavailableAndNothingIsJournaled() {
    ContentKeys failing =
        new ContentKeys() {
          @Override
          public CompletionStage<List<ContentKey>> issue(int count) {
            return CompletableFuture.failedFuture(new IllegalStateException("database down"));
          }

          @Override
          public CompletionStage<Map<String, ContentKey>> find(Collection<String> keyIds) {
            return CompletableFuture.completedFuture(Map.of());
          }

          @Override
          public CompletionStage<Void> destroy(Collection<String> keyIds) {
            return CompletableFuture.completedFuture(null);
          }
        };
    start(ChatKind.DIRECT, 50, failing);
    var result = kit.<ChatReply>runCommand(r -> new ChatCommand.SendMessage(ALICE, "c", "hi", false, null, r));
    assertEquals(ErrorCode.CONTENT_KEYS_UNAVAILABLE, code(result.reply()));
    assertTrue(result.events().isEmpty());
    assertEquals(0, ((ChatState.Active) kit.getState()).lastMessageId());
  }

  @Test
  void aBusyChatAsksForItsNextKeysBeforeItRunsOut() {
    List<Integer> requested = new java.util.concurrent.CopyOnWriteArrayList<>();
    CompletableFuture<List<ContentKey>> third = new CompletableFuture<>();
    ContentKeys gated =
        new ContentKeys() {
          @Override
          public CompletionStage<List<ContentKey>> issue(int count) {
            requested.add(count);
            return requested.size() <= 2 ? keys.issue(count) : third;
          }

          @Override
          public CompletionStage<Map<String, ContentKey>> find(Collection<String> keyIds) {
            return keys.find(keyIds);
          }

          @Override
          public CompletionStage<Void> destroy(Collection<String> keyIds) {
            return keys.destroy(keyIds);
          }
        };
    start(ChatKind.DIRECT, 50, gated);
    // Batches of 4, then 8: twelve sends use them up.
    for (int i = 1; i <= 12; i++) {
      assertEquals(i, send(i % 2 == 0 ? ALICE : BOB, "m" + i));
    }
    assertEquals(List.of(4, 8, 16), requested, "the third batch was asked for while keys were left");
    third.complete(keys.issue(16).toCompletableFuture().join());
    assertEquals(13, send(ALICE, "m13"));
    assertEquals(3, requested.size());
  }

  @Test
  void aFailedPrefetchIsNotRetriedWhileTheKeyTableIsPaused() {
    List<Integer> requested = new java.util.concurrent.CopyOnWriteArrayList<>();
    ContentKeys failingThird =
        new ContentKeys() {
          @Override
          public CompletionStage<List<ContentKey>> issue(int count) {
            requested.add(count);
            return requested.size() <= 2
                ? keys.issue(count)
                : CompletableFuture.failedFuture(new IllegalStateException("key table down"));
          }

          @Override
          public CompletionStage<Map<String, ContentKey>> find(Collection<String> keyIds) {
            return keys.find(keyIds);
          }

          @Override
          public CompletionStage<Void> destroy(Collection<String> keyIds) {
            return keys.destroy(keyIds);
          }
        };
    start(ChatKind.DIRECT, 50, failingThird);
    // Batches of 4 and 8; the prefetch after the tenth send fails, the last two keys still serve.
    for (int i = 1; i <= 12; i++) {
      assertEquals(i, send(i % 2 == 0 ? ALICE : BOB, "m" + i));
    }
    assertEquals(List.of(4, 8, 16), requested, "no new request during the pause after the failure");
  }
}
