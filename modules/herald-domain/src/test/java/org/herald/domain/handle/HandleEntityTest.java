package org.herald.domain.handle;

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
import org.herald.domain.common.ErrorCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
class HandleEntityTest {
  @JUnit5TestKit
  public ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(DomainTestKit.config()).build();

  EventSourcedBehaviorTestKit<HandleEntity.Command, HandleEntity.Event, HandleEntity.State> kit;

  @BeforeEach
  void setUp() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), HandleEntity.create(HandleEntity.usernameId("Alice"), DomainTestKit.CLOCK));
    kit.clear();
  }

  HandleEntity.Reply claim(String owner) {
    return kit.<HandleEntity.Reply>runCommand(r -> new HandleEntity.Claim(owner, r)).reply();
  }

  @Test
  void usernamesAreOneEntityIgnoringCase() {
    assertEquals(HandleEntity.usernameId("alice"), HandleEntity.usernameId("ALICE"));
  }

  @Test
  void theFirstClaimWinsAndTheSecondIsTaken() {
    assertEquals(new HandleEntity.Claimed("u1"), claim("u1"));
    var second = assertInstanceOf(HandleEntity.Rejected.class, claim("u2"));
    assertEquals(ErrorCode.USERNAME_TAKEN, second.rejection().code());
    assertEquals("username", second.rejection().field());
  }

  @Test
  void claimingAgainByTheOwnerIsIdempotent() {
    claim("u1");
    var again = kit.<HandleEntity.Reply>runCommand(r -> new HandleEntity.Claim("u1", r));
    assertEquals(new HandleEntity.Claimed("u1"), again.reply());
    assertTrue(again.events().isEmpty());
  }

  @Test
  void onlyTheOwnerReleasesAndThenOthersMayClaim() {
    claim("u1");
    assertInstanceOf(HandleEntity.Rejected.class, kit.<HandleEntity.Reply>runCommand(r -> new HandleEntity.Release("u2", r)).reply());
    assertInstanceOf(HandleEntity.Released.class, kit.<HandleEntity.Reply>runCommand(r -> new HandleEntity.Release("u1", r)).reply());
    assertEquals(new HandleEntity.Owner(null), kit.<HandleEntity.Reply>runCommand(HandleEntity.Resolve::new).reply());
    assertEquals(new HandleEntity.Claimed("u2"), claim("u2"));
    kit.restart();
    assertEquals(new HandleEntity.Owner("u2"), kit.<HandleEntity.Reply>runCommand(HandleEntity.Resolve::new).reply());
  }

  @Test
  void phoneHandlesSayPhoneTaken() {
    var phone = EventSourcedBehaviorTestKit.<HandleEntity.Command, HandleEntity.Event, HandleEntity.State>create(
        testKit.system(), HandleEntity.create(HandleEntity.phoneId("+4915112345678"), DomainTestKit.CLOCK));
    phone.<HandleEntity.Reply>runCommand(r -> new HandleEntity.Claim("u1", r));
    var taken = phone.<HandleEntity.Reply>runCommand(r -> new HandleEntity.Claim("u2", r)).reply();
    assertEquals(ErrorCode.PHONE_TAKEN, assertInstanceOf(HandleEntity.Rejected.class, taken).rejection().code());
  }
}
