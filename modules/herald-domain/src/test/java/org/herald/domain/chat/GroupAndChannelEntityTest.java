package org.herald.domain.chat;

import static org.herald.domain.DomainTestKit.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.herald.domain.DomainTestKit;
import org.herald.domain.DomainTestKit.RecordingPublisher;
import org.herald.domain.chat.ChatEvent.MemberLeft;
import org.herald.domain.chat.ChatEvent.MembersJoined;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Ids;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
class GroupAndChannelEntityTest {
  @JUnit5TestKit
  public ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(DomainTestKit.config()).build();

  static final String OWNER = Ids.newUserId();
  static final String ADMIN = Ids.newUserId();
  static final String MEMBER = Ids.newUserId();
  static final String OUTSIDER = Ids.newUserId();

  RecordingPublisher publisher;
  final DomainTestKit.MemoryContentKeys keys = new DomainTestKit.MemoryContentKeys();
  EventSourcedBehaviorTestKit<ChatCommand, ChatEvent, ChatState> kit;

  @BeforeEach
  void setUp() {
    publisher = new RecordingPublisher();
  }

  void start(ChatKind kind, boolean isPublic, EventSourcedBehaviorTestKit.SerializationSettings serialization) {
    kit = EventSourcedBehaviorTestKit.create(
        testKit.system(),
        ChatEntity.create(ChatIds.newId(kind), DomainTestKit.CLOCK, publisher, keys, new ChatEntity.Settings(50, 1000)),
        serialization);
    kit.clear();
    var created = kit.<ChatReply>runCommand(r -> new ChatCommand.CreateChat(kind, " Friends ", null, isPublic, OWNER, List.of(MEMBER), r));
    var view = assertInstanceOf(ChatReply.ChatCreated.class, created.reply()).chat();
    assertEquals("Friends", view.title());
    assertEquals(Role.OWNER, view.myRole());
    ok(kit.runCommand(r -> new ChatCommand.AddMembers(OWNER, List.of(ADMIN), r)));
    ok(kit.runCommand(r -> new ChatCommand.SetRole(OWNER, ADMIN, Role.ADMIN, r)));
  }

  void start(ChatKind kind, boolean isPublic) {
    start(kind, isPublic, EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  static ChatReply ok(EventSourcedBehaviorTestKit.CommandResultWithReply<ChatCommand, ChatEvent, ChatState, ChatReply> result) {
    if (result.reply() instanceof ChatReply.Rejected r) {
      throw new AssertionError("rejected: " + r.rejection());
    }
    return result.reply();
  }

  ChatReply run(java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<ChatReply>, ChatCommand> command) {
    return kit.runCommand(command).reply();
  }

  ChatReply send(String sender, String text) {
    return run(r -> new ChatCommand.SendMessage(sender, Ids.random(8), text, false, null, r));
  }

  ChatState.Active state() {
    return (ChatState.Active) kit.getState();
  }

  @Test
  void everyGroupMemberPostsAndMembershipChangesAreNumberedUpdates() {
    start(ChatKind.GROUP, false);
    assertEquals(2, state().pts(), "admin joined (1), promoted (2)");
    var sent = assertInstanceOf(ChatReply.MessageAccepted.class, send(MEMBER, "hi"));
    assertEquals(3, sent.pts());
    assertTrue(publisher.published.stream().anyMatch(p -> p.notification() instanceof ChatUpdate.MembersJoinedUpdate j && j.userIds().equals(List.of(ADMIN))));
    assertTrue(publisher.published.stream().anyMatch(p -> p.notification() instanceof ChatUpdate.RoleChangedUpdate c && c.role() == Role.ADMIN));
    var left = kit.<ChatReply>runCommand(r -> new ChatCommand.Leave(MEMBER, r));
    assertEquals(4, assertInstanceOf(MemberLeft.class, left.event()).pts());
    assertEquals(ErrorCode.CHAT_NOT_FOUND, code(send(MEMBER, "still here?")), "a private group is invisible once left");
  }

  @Test
  void onlyOwnerAndAdminsManageMembers() {
    start(ChatKind.GROUP, false);
    String newcomer = Ids.newUserId();
    assertEquals(ErrorCode.ADMIN_REQUIRED, code(run(r -> new ChatCommand.AddMembers(MEMBER, List.of(newcomer), r))));
    assertEquals(ErrorCode.CHAT_NOT_FOUND, code(run(r -> new ChatCommand.AddMembers(OUTSIDER, List.of(newcomer), r))));
    var added = assertInstanceOf(ChatReply.MembershipChanged.class, run(r -> new ChatCommand.AddMembers(ADMIN, List.of(newcomer, MEMBER), r)));
    assertEquals(List.of(newcomer), added.joined(), "existing members are skipped");
    var again = kit.<ChatReply>runCommand(r -> new ChatCommand.AddMembers(ADMIN, List.of(newcomer), r));
    assertTrue(again.events().isEmpty(), "adding a member twice changes nothing");
    assertEquals(ErrorCode.ADMIN_REQUIRED, code(run(r -> new ChatCommand.RemoveMember(MEMBER, newcomer, false, r))));
    ok(kit.runCommand(r -> new ChatCommand.RemoveMember(ADMIN, newcomer, false, r)));
    assertEquals(ErrorCode.MEMBER_NOT_FOUND, code(run(r -> new ChatCommand.RemoveMember(ADMIN, newcomer, false, r))));
  }

  @Test
  void ownerAndAdminsAreProtectedFromLesserRoles() {
    start(ChatKind.GROUP, false);
    assertEquals(ErrorCode.OWNER_REQUIRED, code(run(r -> new ChatCommand.RemoveMember(ADMIN, OWNER, false, r))));
    String admin2 = Ids.newUserId();
    ok(kit.runCommand(r -> new ChatCommand.AddMembers(ADMIN, List.of(admin2), r)));
    ok(kit.runCommand(r -> new ChatCommand.SetRole(ADMIN, admin2, Role.ADMIN, r)));
    assertEquals(ErrorCode.OWNER_REQUIRED, code(run(r -> new ChatCommand.SetRole(ADMIN, admin2, Role.MEMBER, r))), "only the owner demotes");
    assertEquals(ErrorCode.OWNER_REQUIRED, code(run(r -> new ChatCommand.RemoveMember(ADMIN, admin2, false, r))));
    ok(kit.runCommand(r -> new ChatCommand.SetRole(OWNER, admin2, Role.MEMBER, r)));
    assertEquals(Role.MEMBER, state().roleOf(admin2));
    assertEquals(ErrorCode.INVALID_FIELD, code(run(r -> new ChatCommand.SetRole(OWNER, admin2, Role.OWNER, r))));
  }

  @Test
  void theOwnerLeavesOnlyAfterHandingOwnershipOver() {
    start(ChatKind.GROUP, false);
    assertEquals(ErrorCode.OWNER_CANNOT_LEAVE, code(run(r -> new ChatCommand.Leave(OWNER, r))));
    assertEquals(ErrorCode.OWNER_REQUIRED, code(run(r -> new ChatCommand.TransferOwnership(ADMIN, MEMBER, r))));
    var transfer = kit.<ChatReply>runCommand(r -> new ChatCommand.TransferOwnership(OWNER, MEMBER, r));
    assertEquals(2, transfer.events().size());
    assertEquals(Role.OWNER, state().roleOf(MEMBER));
    assertEquals(Role.ADMIN, state().roleOf(OWNER));
    ok(kit.runCommand(r -> new ChatCommand.Leave(OWNER, r)));
    assertEquals(MEMBER, state().ownerId());
  }

  @Test
  void leavingAChatYouAreNotInIsAClearError() {
    start(ChatKind.GROUP, true);
    assertEquals(ErrorCode.NOT_A_MEMBER, code(run(r -> new ChatCommand.Leave(OUTSIDER, r))));
  }

  @Test
  void publicGroupsAreJoinedByAnyoneOnceAndPreviewedBeforehand() {
    start(ChatKind.GROUP, true);
    send(MEMBER, "before you came");
    var history = assertInstanceOf(ChatReply.History.class, run(r -> new ChatCommand.GetHistory(OUTSIDER, ChatCommand.GetHistory.LATEST, 0, 50, r)));
    assertEquals(1, history.messages().size(), "a public group can be previewed");
    assertNull(assertInstanceOf(ChatReply.ChatView.class, run(r -> new ChatCommand.GetChat(OUTSIDER, r))).myRole());
    assertEquals(ErrorCode.NOT_A_MEMBER, code(send(OUTSIDER, "let me talk")));
    var joined = kit.<ChatReply>runCommand(r -> new ChatCommand.Join(OUTSIDER, null, r));
    assertEquals(ChatEvent.JoinMethod.JOINED, assertInstanceOf(MembersJoined.class, joined.event()).via());
    assertTrue(kit.<ChatReply>runCommand(r -> new ChatCommand.Join(OUTSIDER, null, r)).events().isEmpty(), "joining twice is idempotent");
    assertInstanceOf(ChatReply.MessageAccepted.class, send(OUTSIDER, "hello all"));
  }

  @Test
  void privateChatsAreJoinedOnlyWithALiveInvite() {
    start(ChatKind.GROUP, false);
    assertEquals(ErrorCode.CHAT_NOT_FOUND, code(run(r -> new ChatCommand.Join(OUTSIDER, null, r))));
    assertEquals(ErrorCode.INVITE_INVALID, code(run(r -> new ChatCommand.Join(OUTSIDER, "nope", r))));
    assertEquals(ErrorCode.ADMIN_REQUIRED, code(run(r -> new ChatCommand.CreateInvite(MEMBER, "t1", r))));
    ok(kit.runCommand(r -> new ChatCommand.CreateInvite(ADMIN, "t1", r)));
    assertEquals(List.of("t1"), assertInstanceOf(ChatReply.Invites.class, run(r -> new ChatCommand.ListInvites(OWNER, r))).tokens());
    var joined = kit.<ChatReply>runCommand(r -> new ChatCommand.Join(OUTSIDER, "t1", r));
    assertEquals(ChatEvent.JoinMethod.INVITE_LINK, assertInstanceOf(MembersJoined.class, joined.event()).via());
    ok(kit.runCommand(r -> new ChatCommand.RevokeInvite(OWNER, "t1", r)));
    assertEquals(ErrorCode.INVITE_INVALID, code(run(r -> new ChatCommand.Join(Ids.newUserId(), "t1", r))));
  }

  @Test
  void aBannedUserCannotRejoinUntilUnbanned() {
    start(ChatKind.GROUP, true);
    ok(kit.runCommand(r -> new ChatCommand.RemoveMember(ADMIN, MEMBER, true, r)));
    assertEquals(ErrorCode.USER_BANNED, code(run(r -> new ChatCommand.Join(MEMBER, null, r))));
    assertEquals(ErrorCode.USER_BANNED, code(run(r -> new ChatCommand.AddMembers(OWNER, List.of(MEMBER), r))));
    assertEquals(ErrorCode.USER_BANNED, code(run(r -> new ChatCommand.GetHistory(MEMBER, ChatCommand.GetHistory.LATEST, 0, 10, r))), "no preview either");
    ok(kit.runCommand(r -> new ChatCommand.RemoveMember(ADMIN, OUTSIDER, true, r)));
    assertEquals(ErrorCode.USER_BANNED, code(run(r -> new ChatCommand.Join(OUTSIDER, null, r))), "non-members can be banned ahead");
    ok(kit.runCommand(r -> new ChatCommand.Unban(ADMIN, MEMBER, r)));
    ok(kit.runCommand(r -> new ChatCommand.Join(MEMBER, null, r)));
    kit.restart();
    assertTrue(state().isMember(MEMBER));
    assertTrue(state().banned().contains(OUTSIDER));
  }

  @Test
  void onlyChannelAdminsPostAndSubscriptionsAreNotNumbered() {
    start(ChatKind.CHANNEL, true);
    long pts = state().pts();
    assertEquals(ErrorCode.CHANNEL_POSTING_RESTRICTED, code(send(MEMBER, "can I?")));
    assertEquals(ErrorCode.NOT_A_MEMBER, code(send(OUTSIDER, "can I?")));
    assertInstanceOf(ChatReply.MessageAccepted.class, send(ADMIN, "news"));
    var sub = kit.<ChatReply>runCommand(r -> new ChatCommand.Join(OUTSIDER, null, r));
    assertEquals(0, assertInstanceOf(MembersJoined.class, sub.event()).pts(), "subscribers do not see each other come");
    assertEquals(pts + 1, state().pts());
    var history = assertInstanceOf(ChatReply.History.class, run(r -> new ChatCommand.GetHistory(OUTSIDER, ChatCommand.GetHistory.LATEST, 0, 50, r)));
    assertEquals(List.of("news"), history.messages().stream().map(m -> keys.open(state().chatId(), m)).toList(), "a new subscriber sees the whole history");
    var read = kit.<ChatReply>runCommand(r -> new ChatCommand.MarkRead(OUTSIDER, 1, r));
    assertEquals(0, assertInstanceOf(ChatEvent.MessagesRead.class, read.event()).pts(), "reads in a channel are not numbered");
    var again = kit.<ChatReply>runCommand(r -> new ChatCommand.MarkRead(OUTSIDER, 1, r));
    assertTrue(again.events().isEmpty(), "a read mark that does not move is not journaled again");
  }

  @Test
  void aPrivateChannelDoesNotExistForOutsiders() {
    start(ChatKind.CHANNEL, false);
    assertEquals(ErrorCode.CHAT_NOT_FOUND, code(run(r -> new ChatCommand.GetHistory(OUTSIDER, ChatCommand.GetHistory.LATEST, 0, 10, r))));
    assertEquals(ErrorCode.CHAT_NOT_FOUND, code(run(r -> new ChatCommand.GetChat(OUTSIDER, r))));
  }

  @Test
  void titlesAreEditedByAdminsAsNumberedChanges() {
    start(ChatKind.GROUP, false);
    assertEquals(ErrorCode.ADMIN_REQUIRED, code(run(r -> new ChatCommand.EditChat(MEMBER, "Mine", false, null, r))));
    assertEquals(ErrorCode.INVALID_FIELD, code(run(r -> new ChatCommand.EditChat(ADMIN, " ", false, null, r))));
    var edited = kit.<ChatReply>runCommand(r -> new ChatCommand.EditChat(ADMIN, "Best friends", true, "best_friends", r));
    var event = assertInstanceOf(ChatEvent.ChatEdited.class, edited.event());
    assertEquals("best_friends", event.username());
    assertEquals("Best friends", state().title());
  }

  @Test
  void aGroupHoldsAtMost200000MembersAndAPostStaysOneEvent() {
    start(ChatKind.GROUP, true, EventSourcedBehaviorTestKit.disabledSerializationSettings());
    List<String> crowd = new ArrayList<>();
    while (crowd.size() + 3 < ChatEntity.GROUP_MEMBER_LIMIT) {
      crowd.add(Ids.newUserId());
    }
    var bulk = kit.<ChatReply>runCommand(r -> new ChatCommand.AddMembers(OWNER, crowd, r));
    assertEquals(1, bulk.events().size(), "a bulk add is one event");
    assertEquals(ChatEntity.GROUP_MEMBER_LIMIT, state().members().size());
    assertEquals(ErrorCode.CHAT_FULL, code(run(r -> new ChatCommand.Join(OUTSIDER, null, r))), "the 200,001st is refused");
    assertEquals(ErrorCode.CHAT_FULL, code(run(r -> new ChatCommand.AddMembers(OWNER, List.of(OUTSIDER), r))));
    var post = kit.<ChatReply>runCommand(r -> new ChatCommand.SendMessage(crowd.get(7), "c1", "hello crowd", false, null, r));
    assertEquals(1, post.events().size(), "posting writes one event whatever the member count");
    var update = publisher.published.get(publisher.published.size() - 1).notification();
    assertInstanceOf(ChatUpdate.MessageNew.class, update);
  }

  @Test
  void aGroupThatWasOnceLargeKeepsReadMarksOutOfTheEntityAfterShrinking() {
    start(ChatKind.GROUP, false);
    assertInstanceOf(ChatReply.MessageAccepted.class, send(OWNER, "hello"));
    List<String> crowd = new java.util.ArrayList<>();
    for (int i = 0; i < ChatState.READ_MARKS_LIMIT; i++) {
      crowd.add(Ids.newUserId());
    }
    ok(kit.runCommand(r -> new ChatCommand.AddMembers(OWNER, crowd, r)));
    assertTrue(!state().tracksReadMarks());
    for (String user : crowd) {
      ok(kit.runCommand(r -> new ChatCommand.RemoveMember(OWNER, user, false, r)));
    }
    assertTrue(state().members().size() <= ChatState.READ_MARKS_LIMIT);
    var read = kit.<ChatReply>runCommand(r -> new ChatCommand.MarkRead(MEMBER, 1, r));
    assertEquals(0, assertInstanceOf(ChatEvent.MessagesRead.class, read.event()).pts(),
        "the entity no longer knows the marks, so it neither numbers nor broadcasts them");
  }
}
