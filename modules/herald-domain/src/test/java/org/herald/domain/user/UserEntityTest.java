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
}
