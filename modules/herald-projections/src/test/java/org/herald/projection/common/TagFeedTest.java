package org.herald.projection.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The feed keeps only what its readers have not all read: a reader that asks from below what
 * every reader has read is sent to the journal, and a reader that went silent stops holding
 * events back. (TagFeedIT reads through the feed on a real node and journal.)
 */
class TagFeedTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** A tag whose events have orderings 1, 2, 3, ... */
  static final class Journal implements CurrentEventsByTagQuery {
    final List<EventEnvelope> events = new CopyOnWriteArrayList<>();

    void append(int count) {
      for (int i = 0; i < count; i++) {
        long ordering = events.size() + 1;
        events.add(new EventEnvelope(Sequence.apply(ordering), "Chat|c", ordering, "event " + ordering, 0L));
      }
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
      long after = Sql.ordering(offset);
      return Source.from(events.stream().filter(e -> TagFeed.ordering(e) > after).toList());
    }
  }

  final Journal journal = new Journal();

  ActorRef<TagFeed.Command> feed(Duration idleReader) {
    return kit.spawn(TagFeed.create("t", journal, 1_000, 100, Duration.ofMillis(20), idleReader));
  }

  static TagFeed.Batch read(ActorRef<TagFeed.Command> feed, long reader, long after) {
    TestProbe<TagFeed.Batch> probe = kit.createTestProbe();
    feed.tell(new TagFeed.Read(reader, after, 100, probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  static List<Long> orderings(TagFeed.Batch batch) {
    return batch.events().stream().map(TagFeed::ordering).toList();
  }

  @Test
  void eventsThatEveryReaderHasReadAreDroppedAndALaterReaderFromBelowIsSentToTheJournal() {
    journal.append(10);
    var feed = feed(Duration.ofSeconds(30));
    assertEquals(10, read(feed, 1, 0).events().size());
    assertEquals(10, read(feed, 2, 0).events().size(), "the second reader is served from the buffer");
    assertEquals(List.of(6L, 7L, 8L, 9L, 10L), orderings(read(feed, 2, 5)));
    journal.append(5);
    // Reader 1 has read 10, reader 2 has read 5: the poll this brings drops 1..5 and no more.
    assertEquals(List.of(11L, 12L, 13L, 14L, 15L), orderings(read(feed, 1, 10)));
    assertEquals(List.of(11L, 12L, 13L, 14L, 15L), orderings(read(feed, 2, 10)));

    TagFeed.Batch late = read(feed, 3, 4);
    assertTrue(late.behind(), "1..5 are gone from the feed, so a new reader from 4 reads the journal");
    assertEquals(5, late.floor());
    TagFeed.Batch fromSix = read(feed, 4, 5);
    assertFalse(fromSix.behind());
    assertEquals(6L, orderings(fromSix).get(0), "6..15 are still held: reader 2 asked from 10, not further");
  }

  @Test
  void aReaderSilentForLongerThanIdleReaderHoldsNothingBack() throws InterruptedException {
    journal.append(10);
    var feed = feed(Duration.ofMillis(300));
    assertEquals(10, read(feed, 1, 0).events().size());
    assertEquals(10, read(feed, 2, 0).events().size());
    journal.append(5);
    assertEquals(5, read(feed, 1, 10).events().size());
    assertFalse(read(feed, 5, 0).behind(), "reader 2 has read nothing it was given yet: all is held");

    Thread.sleep(500); // readers 2 and 5 say nothing for longer than idle-reader
    journal.append(1);
    assertEquals(List.of(16L), orderings(read(feed, 1, 15)));
    TagFeed.Batch back = read(feed, 2, 10);
    assertTrue(back.behind(), "the silent reader's events were dropped; it reads them from the journal");
    assertEquals(15, back.floor());
  }
}
