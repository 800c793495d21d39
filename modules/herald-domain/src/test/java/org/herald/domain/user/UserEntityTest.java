package org.herald.domain.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.herald.domain.DomainTestKit;
import org.herald.domain.DomainTestKit.RecordingPublisher;
import org.herald.domain.common.ErrorCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
class UserEntityTest {
  @JUnit5TestKit
  public ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(DomainTestKit.config()).build();

  RecordingPublisher publisher;
  EventSourcedBehaviorTestKit<UserCommand, UserEvent, UserState> kit;

  @BeforeEach
  void setUp() {
    publisher = new RecordingPublisher();
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), UserEntity.create("ualice", DomainTestKit.CLOCK, publisher));
    kit.clear();
  }

  void register() {
    var result =
        kit.<UserReply>runCommand(
            r -> new UserCommand.Register("Alice", null, "Alice A", "$argon2id$hash", new UserCommand.NewSession("s1", "phone", "h1"), r));
    assertInstanceOf(UserReply.Registered.class, result.reply());
    assertEquals(2, result.events().size());
  }

  UserReply authenticate(String sessionId, String hash) {
    return kit.<UserReply>runCommand(r -> new UserCommand.Authenticate(sessionId, hash, r)).reply();
  }

  @Test
  void registrationOpensTheFirstSession() {
    register();
    assertEquals(new UserReply.Authenticated("ualice", "s1"), authenticate("s1", "h1"));
    var profile = kit.<UserReply>runCommand(UserCommand.GetProfile::new).reply();
    assertEquals(new UserReply.Profile("ualice", "Alice", "Alice A"), profile);
  }

  @Test
  void rolesAreGrantedAndRevokedOnceAndSurviveARestart() {
    register();
    var granted = kit.<UserReply>runCommand(r -> new UserCommand.GrantRole(PlatformRole.ANALYST, "uadmin", r));
    assertEquals(new UserReply.Ack(), granted.reply());
    assertEquals(PlatformRole.ANALYST, assertInstanceOf(UserEvent.RoleGranted.class, granted.event()).role());
    var again = kit.<UserReply>runCommand(r -> new UserCommand.GrantRole(PlatformRole.ANALYST, "uadmin", r));
    assertTrue(again.hasNoEvents(), "granting a held role changes nothing");
    kit.restart();
    var profile = kit.<UserReply>runCommand(UserCommand.GetProfile::new).reply();
    assertEquals(new UserReply.Profile("ualice", "Alice", "Alice A", java.util.Set.of(PlatformRole.ANALYST)), profile);

    var revoked = kit.<UserReply>runCommand(r -> new UserCommand.RevokeRole(PlatformRole.ANALYST, "operator", r));
    assertInstanceOf(UserEvent.RoleRevoked.class, revoked.event());
    assertTrue(kit.<UserReply>runCommand(r -> new UserCommand.RevokeRole(PlatformRole.ANALYST, "operator", r)).hasNoEvents());
    assertEquals(java.util.Set.of(), ((UserState.Active) kit.getState()).roles());
  }

  @Test
  void anAdminSatisfiesAnalystChecksButNotTheOtherWayRound() {
    assertTrue(PlatformRole.ADMIN.satisfies(PlatformRole.ANALYST));
    assertTrue(PlatformRole.ANALYST.satisfies(PlatformRole.ANALYST));
    assertEquals(false, PlatformRole.ANALYST.satisfies(PlatformRole.ADMIN));
    assertEquals(PlatformRole.ADMIN, PlatformRole.fromWire("Admin"));
    assertEquals(null, PlatformRole.fromWire("owner"));
  }

  @Test
  void registeringTwiceIsRefused() {
    register();
    var again =
        kit.<UserReply>runCommand(
            r -> new UserCommand.Register("Alice", null, "x", "h", new UserCommand.NewSession("s2", "d", "h2"), r));
    assertEquals(ErrorCode.ALREADY_EXISTS, assertInstanceOf(UserReply.Rejected.class, again.reply()).rejection().code());
  }

  @Test
  void wrongTokenHashOrUnknownSessionDoesNotAuthenticate() {
    register();
    assertInstanceOf(UserReply.Rejected.class, authenticate("s1", "other"));
    assertInstanceOf(UserReply.Rejected.class, authenticate("s9", "h1"));
  }

  @Test
  void anUnregisteredUserDoesNotExist() {
    var reply = kit.<UserReply>runCommand(UserCommand.GetProfile::new).reply();
    assertEquals(ErrorCode.USER_NOT_FOUND, assertInstanceOf(UserReply.Rejected.class, reply).rejection().code());
    assertInstanceOf(UserReply.Rejected.class, authenticate("s1", "h1"));
  }

  @Test
  void anEndedSessionNeverAuthenticatesAgainAndItsSocketsAreTold() {
    register();
    kit.<UserReply>runCommand(r -> new UserCommand.OpenSession(new UserCommand.NewSession("s2", "laptop", "h2"), r));
    var sessions = assertInstanceOf(UserReply.Sessions.class, kit.<UserReply>runCommand(UserCommand.ListSessions::new).reply());
    assertEquals(2, sessions.sessions().size());
    assertInstanceOf(UserReply.Ack.class, kit.<UserReply>runCommand(r -> new UserCommand.EndSession("s2", r)).reply());
    assertInstanceOf(UserReply.Rejected.class, authenticate("s2", "h2"));
    assertEquals(
        new RecordingPublisher.Published(RecordingPublisher.EVERY_NODE, new UserNotification.SessionRevoked("ualice", "s2")),
        publisher.published.get(0));
    var twice = kit.<UserReply>runCommand(r -> new UserCommand.EndSession("s2", r)).reply();
    assertEquals(ErrorCode.SESSION_NOT_FOUND, assertInstanceOf(UserReply.Rejected.class, twice).rejection().code());
    kit.restart();
    assertInstanceOf(UserReply.Rejected.class, authenticate("s2", "h2"));
    assertEquals(new UserReply.Authenticated("ualice", "s1"), authenticate("s1", "h1"));
  }

  @Test
  void joinsAndLeavesApplyInTheChatsOrderHoweverLateTheyArrive() {
    register();
    assertInstanceOf(UserReply.Ack.class, kit.<UserReply>runCommand(r -> new UserCommand.RecordChat("g1", 2, r)).reply());
    assertInstanceOf(UserReply.Ack.class, kit.<UserReply>runCommand(r -> new UserCommand.ForgetChat("g1", 5, r)).reply());
    var late = kit.<UserReply>runCommand(r -> new UserCommand.RecordChat("g1", 2, r));
    assertTrue(late.events().isEmpty(), "an old join does not resurrect a chat the user left");
    assertEquals(java.util.List.of(), assertInstanceOf(UserReply.ChatList.class, kit.<UserReply>runCommand(UserCommand.ListChats::new).reply()).chatIds());
    assertInstanceOf(UserReply.Ack.class, kit.<UserReply>runCommand(r -> new UserCommand.RecordChat("g1", 7, r)).reply());
    kit.restart();
    assertEquals(java.util.List.of("g1"), assertInstanceOf(UserReply.ChatList.class, kit.<UserReply>runCommand(UserCommand.ListChats::new).reply()).chatIds());
    assertTrue(publisher.published.stream().anyMatch(p -> p.notification().equals(new UserNotification.ChatRemoved("ualice", "g1"))));
  }

  @Test
  void mutesAreForChatsTheUserIsInAndEndWithLeaving() {
    register();
    var notIn = kit.<UserReply>runCommand(r -> new UserCommand.MuteChat("g9", null, r)).reply();
    assertEquals(ErrorCode.CHAT_NOT_FOUND, assertInstanceOf(UserReply.Rejected.class, notIn).rejection().code());
    kit.<UserReply>runCommand(r -> new UserCommand.RecordChat("g9", 1, r));
    kit.<UserReply>runCommand(r -> new UserCommand.MuteChat("g9", null, r));
    var list = assertInstanceOf(UserReply.ChatList.class, kit.<UserReply>runCommand(UserCommand.ListChats::new).reply());
    assertEquals(java.time.Instant.MAX, list.mutedUntil().get("g9"), "null means forever");
    kit.<UserReply>runCommand(r -> new UserCommand.UnmuteChat("g9", r));
    assertTrue(assertInstanceOf(UserReply.ChatList.class, kit.<UserReply>runCommand(UserCommand.ListChats::new).reply()).mutedUntil().isEmpty());
  }

  @Test
  void chatsAreRecordedOnceAndAnnounced() {
    register();
    assertInstanceOf(UserReply.Ack.class, kit.<UserReply>runCommand(r -> new UserCommand.RecordChat("c1", 1, r)).reply());
    var again = kit.<UserReply>runCommand(r -> new UserCommand.RecordChat("c1", 1, r));
    assertTrue(again.events().isEmpty());
    assertEquals(1, publisher.published.size());
    var list = assertInstanceOf(UserReply.ChatList.class, kit.<UserReply>runCommand(UserCommand.ListChats::new).reply());
    assertEquals(java.util.List.of("c1"), list.chatIds());
  }

  @Test
  void pushTargetsAreDevicesWithTokensWhileNoConnectionIsOpen() {
    var clock = new DomainTestKit.MovableClock();
    var k = EventSourcedBehaviorTestKit.<UserCommand, UserEvent, UserState>create(testKit.system(), UserEntity.create("ubob", clock, publisher));
    k.clear();
    k.<UserReply>runCommand(r -> new UserCommand.Register("Bob", null, "Bob", "$argon2id$hash", new UserCommand.NewSession("s1", "phone", "h1"), r));
    k.<UserReply>runCommand(r -> new UserCommand.OpenSession(new UserCommand.NewSession("s2", "tablet", "h2"), r));
    k.<UserReply>runCommand(r -> new UserCommand.RecordChat("g1", 1, r));
    assertInstanceOf(UserReply.Ack.class, k.<UserReply>runCommand(r -> new UserCommand.SetPushToken("s1", "apns-1", r)).reply());
    assertInstanceOf(UserReply.Rejected.class, k.<UserReply>runCommand(r -> new UserCommand.SetPushToken("s9", "x", r)).reply());
    java.util.function.Supplier<UserReply.PushTargets> targets =
        () -> (UserReply.PushTargets) k.<UserReply>runCommand(r -> new UserCommand.GetPushTargets("g1", clock.instant(), r)).reply();

    assertEquals(new UserReply.PushTargets(true, false, false, java.util.Map.of("s1", "apns-1")), targets.get());
    assertEquals(false, ((UserReply.PushTargets) k.<UserReply>runCommand(r -> new UserCommand.GetPushTargets("g2", clock.instant(), r)).reply()).member());

    // Two sockets of one device; closing one leaves the device connected.
    k.runCommand(new UserCommand.DevicePresence("s1", "c1", clock.instant().plusSeconds(60)));
    k.runCommand(new UserCommand.DevicePresence("s1", "c2", clock.instant().plusSeconds(60)));
    k.runCommand(new UserCommand.DevicePresence("s1", "c1", java.time.Instant.EPOCH));
    assertEquals(true, targets.get().online());
    var sentWhileConnected = clock.instant();
    clock.advance(java.time.Duration.ofSeconds(1));
    k.runCommand(new UserCommand.DevicePresence("s1", "c2", java.time.Instant.EPOCH));
    var before = (UserReply.PushTargets) k.<UserReply>runCommand(r -> new UserCommand.GetPushTargets("g1", sentWhileConnected, r)).reply();
    assertEquals(true, before.online(), "a message sent while a device was connected was delivered live");
    clock.advance(java.time.Duration.ofSeconds(1));
    assertEquals(false, targets.get().online(), "a message sent after every socket closed is pushed");

    // A lease the node stopped renewing runs out.
    k.runCommand(new UserCommand.DevicePresence("s2", "c3", clock.instant().plusSeconds(60)));
    assertEquals(true, targets.get().online());
    clock.advance(java.time.Duration.ofSeconds(61));
    assertEquals(false, targets.get().online());

    k.<UserReply>runCommand(r -> new UserCommand.MuteChat("g1", null, r));
    assertEquals(true, targets.get().muted());
    k.<UserReply>runCommand(r -> new UserCommand.SetPushToken("s1", null, r));
    assertEquals(java.util.Map.of(), targets.get().tokens());
  }
}
