package org.herald.domain.chat;

import static org.herald.domain.DomainTestKit.ALICE;
import static org.herald.domain.DomainTestKit.BOB;
import static org.herald.domain.DomainTestKit.code;
import static org.herald.domain.DomainTestKit.ok;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.herald.domain.DomainTestKit;
import org.herald.domain.DomainTestKit.MemoryContentKeys;
import org.herald.domain.DomainTestKit.MovableClock;
import org.herald.domain.DomainTestKit.RecordingPublisher;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatEvent.PostScheduled;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Ids;
import org.herald.domain.common.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scheduled posts in the chat entity: limits, who may schedule, and publishing exactly once
 * whatever the scheduler repeats, across restarts of the entity.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
class ScheduledPostsEntityTest {
  @JUnit5TestKit
  public ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(DomainTestKit.config()).build();


  final RecordingPublisher publisher = new RecordingPublisher();
  final MemoryContentKeys keys = new MemoryContentKeys();
  final GatedKeys gated = new GatedKeys(keys);
  final MovableClock clock = new MovableClock();
  String chatId;
  ActorRef<ChatCommand> chat;
  int incarnation;

  /**
   * The key table, except that a lookup, once {@link #hold} is called, waits until the test
   * releases or fails it: what happens to a post while its key is being looked up.
   */
  static final class GatedKeys implements org.herald.domain.content.ContentKeys {
    final MemoryContentKeys keys;
    volatile java.util.concurrent.CompletableFuture<Void> gate = java.util.concurrent.CompletableFuture.completedFuture(null);

    GatedKeys(MemoryContentKeys keys) {
      this.keys = keys;
    }

    void hold() {
      gate = new java.util.concurrent.CompletableFuture<>();
    }

    @Override
    public java.util.concurrent.CompletionStage<List<org.herald.domain.content.ContentKey>> issue(int count) {
      return keys.issue(count);
    }

    @Override
    public java.util.concurrent.CompletionStage<java.util.Map<String, org.herald.domain.content.ContentKey>> find(java.util.Collection<String> keyIds) {
      return gate.thenCompose(open -> keys.find(keyIds));
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> destroy(java.util.Collection<String> keyIds) {
      return keys.destroy(keyIds);
    }
  }

  /** A channel owned by Alice, Bob subscribed. */
  void start() {
    chatId = ChatIds.newId(ChatKind.CHANNEL);
    spawn();
    ok(run(r -> new ChatCommand.CreateChat(ChatKind.CHANNEL, "News", null, false, ALICE, List.of(ALICE, BOB), r)));
  }

  /** (Re)starts the entity from its journal, as after a crash or passivation. */
  void spawn() {
    if (chat != null) {
      testKit.stop(chat);
    }
    chat = testKit.spawn(
        ChatEntity.create(chatId, clock, publisher, gated, new ChatEntity.Settings(50, 1000)), "chat-" + (incarnation++));
  }

  ChatReply run(Function<ActorRef<ChatReply>, ChatCommand> command) {
    TestProbe<ChatReply> probe = testKit.createTestProbe();
    chat.tell(command.apply(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  ChatReply schedule(String author, String clientId, String text, Instant at) {
    return run(r -> new ChatCommand.SchedulePost(author, clientId, text, false, null, at, r));
  }

  ScheduledPost scheduled(String clientId, String text, Duration ahead) {
    return ((ChatReply.Scheduled) ok(schedule(ALICE, clientId, text, clock.instant().plus(ahead)))).post();
  }

  List<ChatEvent> journal() {
    return PersistenceTestKit.create(testKit.system())
        .persistedInStorage("Chat|" + chatId).stream().map(ChatEvent.class::cast).toList();
  }

  List<MessageSent> sent() {
    return journal().stream().filter(MessageSent.class::isInstance).map(MessageSent.class::cast).toList();
  }

  @Test
  void aScheduledPostIsSealedAndListedButNotAMessageUntilItsTime() {
    start();
    ScheduledPost post = scheduled("s1", "good morning", Duration.ofMinutes(5));
    assertEquals(1, post.scheduledId());
    PostScheduled event = (PostScheduled) journal().get(1);
    assertNull(post.text());
    assertEquals("good morning", keys.openScheduled(chatId, event.scheduledId(), event.content()));
    assertFalse(new String(event.content().box()).contains("good morning"));
    var list = (ChatReply.ScheduledList) ok(run(r -> new ChatCommand.ListScheduled(ALICE, r)));
    assertEquals(List.of(1L), list.posts().stream().map(ScheduledPost::scheduledId).toList());
    assertEquals(0, ((ChatReply.ChatView) ok(run(r -> new ChatCommand.GetChat(ALICE, r)))).lastMessageId());
    // The same clientMessageId again answers the pending post.
    assertEquals(1, ((ChatReply.Scheduled) ok(schedule(ALICE, "s1", "good morning", clock.instant().plusSeconds(300)))).post().scheduledId());
    assertEquals(2, journal().size());
  }

  @Test
  void publishesExactlyOnceHoweverOftenTheSchedulerAsksAndAcrossRestarts() {
    start();
    ScheduledPost post = scheduled("s1", "launch", Duration.ofSeconds(30));
    assertInstanceOf(ChatReply.ScheduleNotDue.class, run(r -> new ChatCommand.PublishScheduled(post.scheduledId(), r)));
    spawn();
    clock.advance(Duration.ofSeconds(30));
    // Two schedulers (a failover) ask at once: the second finds it settled.
    TestProbe<ChatReply> first = testKit.createTestProbe();
    TestProbe<ChatReply> second = testKit.createTestProbe();
    chat.tell(new ChatCommand.PublishScheduled(post.scheduledId(), first.ref()));
    chat.tell(new ChatCommand.PublishScheduled(post.scheduledId(), second.ref()));
    var published = assertInstanceOf(ChatReply.ScheduledPublished.class, first.receiveMessage(Duration.ofSeconds(5)));
    assertInstanceOf(ChatReply.ScheduleSettled.class, second.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(1, published.messageId());
    spawn();
    assertInstanceOf(ChatReply.ScheduleSettled.class, run(r -> new ChatCommand.PublishScheduled(post.scheduledId(), r)));
    List<MessageSent> sent = sent();
    assertEquals(1, sent.size());
    MessageSent message = sent.get(0);
    assertEquals(post.scheduledId(), message.scheduledId());
    assertEquals(ALICE, message.senderId());
    assertEquals("launch", keys.open(chatId, ChatUpdates.of(message).message()));
    // The scheduled copy's key is destroyed; the live update carried the text.
    assertTrue(keys.destroyed.contains(post.content().keyId()));
    var live = publisher.published.stream().filter(p -> p.topic().equals(Topics.chat(chatId))).toList();
    var update = (ChatUpdate.MessageNew) live.get(live.size() - 1).notification();
    assertEquals("launch", update.message().text());
    assertTrue(update.message().fromScheduled());
    assertTrue(((ChatReply.ScheduledList) ok(run(r -> new ChatCommand.ListScheduled(ALICE, r)))).posts().isEmpty());
  }

  @Test
  void editedAndCancelledPostsFollowTheirLatestState() {
    start();
    ScheduledPost a = scheduled("a", "first draft", Duration.ofSeconds(20));
    ScheduledPost b = scheduled("b", "to be cancelled", Duration.ofSeconds(20));
    var edited = (ChatReply.Scheduled) ok(run(r -> new ChatCommand.EditScheduled(ALICE, a.scheduledId(), "final", clock.instant().plusSeconds(60), r)));
    assertEquals(clock.instant().plusSeconds(60), edited.post().dueAt());
    assertTrue(keys.destroyed.contains(a.content().keyId()), "the draft's key is destroyed");
    ok(run(r -> new ChatCommand.CancelScheduled(ALICE, b.scheduledId(), r)));
    assertTrue(keys.destroyed.contains(b.content().keyId()));
    clock.advance(Duration.ofSeconds(20));
    assertInstanceOf(ChatReply.ScheduleNotDue.class, run(r -> new ChatCommand.PublishScheduled(a.scheduledId(), r)));
    assertInstanceOf(ChatReply.ScheduleSettled.class, run(r -> new ChatCommand.PublishScheduled(b.scheduledId(), r)));
    clock.advance(Duration.ofSeconds(40));
    ok(run(r -> new ChatCommand.PublishScheduled(a.scheduledId(), r)));
    assertEquals(1, sent().size());
    assertEquals("final", keys.open(chatId, ChatUpdates.of(sent().get(0)).message()));
    assertEquals(ErrorCode.SCHEDULED_NOT_FOUND, code(run(r -> new ChatCommand.CancelScheduled(ALICE, a.scheduledId(), r))));
  }

  @Test
  void limitsTimesAndWhoMaySchedule() {
    start();
    assertEquals(ErrorCode.SCHEDULE_DATE_INVALID, code(schedule(ALICE, "x", "t", clock.instant().plusSeconds(9))));
    assertEquals(ErrorCode.SCHEDULE_DATE_INVALID, code(schedule(ALICE, "x", "t", clock.instant().plus(Duration.ofDays(366)))));
    assertEquals(ErrorCode.CHANNEL_POSTING_RESTRICTED, code(schedule(BOB, "x", "t", clock.instant().plusSeconds(60))));
    assertEquals(ErrorCode.TEXT_EMPTY, code(schedule(ALICE, "x", "", clock.instant().plusSeconds(60))));
    for (int i = 0; i < ChatState.Active.SCHEDULED_LIMIT; i++) {
      scheduled("p" + i, "post " + i, Duration.ofHours(1 + i));
    }
    assertEquals(ErrorCode.SCHEDULE_TOO_MUCH, code(schedule(ALICE, "one-too-many", "t", clock.instant().plusSeconds(60))));
    // Bob may not see or cancel Alice's posts.
    assertEquals(ErrorCode.CHANNEL_POSTING_RESTRICTED, code(run(r -> new ChatCommand.ListScheduled(BOB, r))));
    assertEquals(ErrorCode.CHANNEL_POSTING_RESTRICTED, code(run(r -> new ChatCommand.CancelScheduled(BOB, 1, r))));
  }

  @Test
  void anAuthorWhoLostThePowerToPostPublishesNothing() {
    start();
    ok(run(r -> new ChatCommand.SetRole(ALICE, BOB, Role.ADMIN, r)));
    ScheduledPost post = ((ChatReply.Scheduled) ok(schedule(BOB, "b1", "from bob", clock.instant().plusSeconds(30)))).post();
    ok(run(r -> new ChatCommand.SetRole(ALICE, BOB, Role.MEMBER, r)));
    clock.advance(Duration.ofSeconds(30));
    assertInstanceOf(ChatReply.ScheduleSettled.class, run(r -> new ChatCommand.PublishScheduled(post.scheduledId(), r)));
    assertTrue(sent().isEmpty());
    assertTrue(journal().get(journal().size() - 1) instanceof ChatEvent.ScheduledPostCancelled c
        && c.reason() == ChatEvent.ScheduleCancelReason.AUTHOR_CANNOT_POST);
  }

  /** Sends the scheduler's command while the post's key lookup is held; answers the probe for its reply. */
  TestProbe<ChatReply> publishWhileLookupHeld(long scheduledId) {
    gated.hold();
    TestProbe<ChatReply> scheduler = testKit.createTestProbe();
    chat.tell(new ChatCommand.PublishScheduled(scheduledId, scheduler.ref()));
    return scheduler;
  }

  @Test
  void aPostMovedOrWhoseAuthorWasDemotedDuringItsKeyLookupIsDecidedAgain() {
    start();
    ok(run(r -> new ChatCommand.SetRole(ALICE, BOB, Role.ADMIN, r)));
    ScheduledPost moved = scheduled("m", "moved", Duration.ofSeconds(20));
    ScheduledPost bobs = ((ChatReply.Scheduled) ok(schedule(BOB, "b", "from bob", clock.instant().plusSeconds(20)))).post();
    clock.advance(Duration.ofSeconds(20));

    TestProbe<ChatReply> first = publishWhileLookupHeld(moved.scheduledId());
    ok(run(r -> new ChatCommand.EditScheduled(ALICE, moved.scheduledId(), null, clock.instant().plusSeconds(60), r)));
    gated.gate.complete(null);
    var notDue = assertInstanceOf(ChatReply.ScheduleNotDue.class, first.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(clock.instant().plusSeconds(60), notDue.dueAt());

    TestProbe<ChatReply> second = publishWhileLookupHeld(bobs.scheduledId());
    ok(run(r -> new ChatCommand.SetRole(ALICE, BOB, Role.MEMBER, r)));
    gated.gate.complete(null);
    assertInstanceOf(ChatReply.ScheduleSettled.class, second.receiveMessage(Duration.ofSeconds(5)));
    assertTrue(sent().isEmpty(), "neither was published: " + sent());
    assertTrue(journal().get(journal().size() - 1) instanceof ChatEvent.ScheduledPostCancelled c
        && c.reason() == ChatEvent.ScheduleCancelReason.AUTHOR_CANNOT_POST);
  }

  @Test
  void aFailedKeyLookupIsRetriedAndDoesNotStopSends() {
    start();
    ScheduledPost post = scheduled("f", "later", Duration.ofSeconds(20));
    clock.advance(Duration.ofSeconds(20));
    TestProbe<ChatReply> scheduler = publishWhileLookupHeld(post.scheduledId());
    gated.gate.completeExceptionally(new IllegalStateException("key table down"));
    var retry = assertInstanceOf(ChatReply.ScheduleNotDue.class, scheduler.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(clock.instant().plusSeconds(1), retry.dueAt(), "asked again in a second");
    assertInstanceOf(ChatReply.MessageAccepted.class, run(r -> new ChatCommand.SendMessage(ALICE, "now", "hello", false, null, r)),
        "a failed lookup of a scheduled post's key does not refuse the chat's sends");
    gated.gate = java.util.concurrent.CompletableFuture.completedFuture(null);
    assertInstanceOf(ChatReply.ScheduledPublished.class, run(r -> new ChatCommand.PublishScheduled(post.scheduledId(), r)));
  }

  @Test
  void aPostWhoseKeyIsGoneIsDroppedNotPublishedAsGarbage() {
    start();
    ScheduledPost post = scheduled("g", "lost", Duration.ofSeconds(20));
    keys.destroy(List.of(post.content().keyId()));
    clock.advance(Duration.ofSeconds(20));
    assertInstanceOf(ChatReply.ScheduleSettled.class, run(r -> new ChatCommand.PublishScheduled(post.scheduledId(), r)));
    assertTrue(sent().isEmpty());
    assertTrue(journal().get(journal().size() - 1) instanceof ChatEvent.ScheduledPostCancelled c
        && c.reason() == ChatEvent.ScheduleCancelReason.CONTENT_LOST);
  }
}
