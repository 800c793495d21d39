package org.herald.domain.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.herald.domain.DomainTestKit;
import org.herald.domain.views.ViewsCommand.Counted;
import org.herald.domain.views.ViewsEvent.ViewsRecorded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A post's view counter: each user once, durable before answered, batched under load. */
@ExtendWith(TestKitJUnit5Extension.class)
class PostViewsTest {
  @JUnit5TestKit
  public ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(DomainTestKit.config()).build();

  final String entityId = PostViews.entityId(org.herald.domain.chat.ChatIds.newId(org.herald.domain.chat.ChatKind.CHANNEL), 7);
  int incarnation;

  ActorRef<ViewsCommand> spawn() {
    return testKit.spawn(PostViews.create(entityId, DomainTestKit.CLOCK), "views-" + (incarnation++));
  }

  static String user(int i) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    StringBuilder id = new StringBuilder();
    for (int k = 0; k < 16; k++, i >>>= 5) {
      id.append(alphabet.charAt(i & 31));
    }
    return "u" + id;
  }

  List<ViewsRecorded> journal() {
    return PersistenceTestKit.create(testKit.system()).persistedInStorage("PostViews|" + entityId).stream()
        .map(ViewsRecorded.class::cast).toList();
  }

  @Test
  void countsEachViewerOnceAcrossDevicesRepeatsAndRestarts() {
    ActorRef<ViewsCommand> views = spawn();
    TestProbe<Counted> probe = testKit.createTestProbe();
    views.tell(new ViewsCommand.RecordView(user(1), probe.ref()));
    assertEquals(1, probe.receiveMessage().views());
    views.tell(new ViewsCommand.RecordView(user(1), probe.ref())); // another device, same user
    assertEquals(1, probe.receiveMessage().views());
    views.tell(new ViewsCommand.RecordView(user(2), probe.ref()));
    assertEquals(2, probe.receiveMessage().views());
    testKit.stop(views);
    views = spawn();
    views.tell(new ViewsCommand.RecordView(user(2), probe.ref()));
    assertEquals(2, probe.receiveMessage().views());
    views.tell(new ViewsCommand.GetViews(probe.ref()));
    assertEquals(2, probe.receiveMessage().views());
    assertEquals(List.of(List.of(user(1)), List.of(user(2))), journal().stream().map(ViewsRecorded::userIds).toList());
  }

  @Test
  void aBurstOfViewersIsJournaledInFewWritesWithEveryViewerOnce() {
    ActorRef<ViewsCommand> views = spawn();
    TestProbe<Counted> probe = testKit.createTestProbe();
    int n = 2_000;
    for (int i = 0; i < n; i++) {
      views.tell(new ViewsCommand.RecordView(user(i), probe.ref()));
      views.tell(new ViewsCommand.RecordView(user(i), probe.ref()));
    }
    List<Counted> replies = probe.receiveSeveralMessages(2 * n, Duration.ofSeconds(20));
    assertEquals(n, replies.stream().mapToLong(Counted::views).max().getAsLong());
    List<ViewsRecorded> events = journal();
    List<String> all = new ArrayList<>();
    events.forEach(e -> all.addAll(e.userIds()));
    assertEquals(n, all.size());
    assertEquals(n, new HashSet<>(all).size());
    assertTrue(events.size() < n / 10, "batched into " + events.size() + " writes");
  }
}
