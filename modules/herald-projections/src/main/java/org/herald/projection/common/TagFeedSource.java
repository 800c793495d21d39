package org.herald.projection.common;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A projection's source of one tag's events, served by the node's {@link TagFeed} for the tag:
 * the same events, in the same order, as the read journal's {@code eventsByTag} from the
 * projection's offset. While the projection is below the feed's buffer it reads batches from the
 * journal itself, then joins the feed.
 */
public final class TagFeedSource<E> extends SourceProvider<Offset, EventEnvelope<E>> {
  private final ActorSystem<?> system;
  private final String tag;
  private final ActorRef<TagFeed.Command> feed;
  private final CurrentEventsByTagQuery journal;
  private final int batch;
  private final Duration timeout;
  /** Names of readers, unique in the node: each stream of events is one reader of its feed. */
  private static final AtomicLong READERS = new AtomicLong();

  TagFeedSource(ActorSystem<?> system, String tag, ActorRef<TagFeed.Command> feed, CurrentEventsByTagQuery journal, int batch, Duration timeout) {
    this.system = system;
    this.tag = tag;
    this.feed = feed;
    this.journal = journal;
    this.batch = batch;
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<Source<EventEnvelope<E>, NotUsed>> source(Supplier<CompletionStage<Optional<Offset>>> offset) {
    return offset.get().thenApply(stored -> events(stored.map(Sql::ordering).orElse(0L)));
  }

  /** A reader's name (0 until it first asks) and the position it has read through. */
  private record Cursor(long reader, long after) {}

  /**
   * Every event of the tag after {@code start}, live. Each materialization is a reader of its
   * own, named when it first asks the feed.
   */
  Source<EventEnvelope<E>, NotUsed> events(long start) {
    return Source.unfoldAsync(
            new Cursor(0, start),
            cursor -> {
              long reader = cursor.reader() != 0 ? cursor.reader() : READERS.incrementAndGet();
              return next(reader, cursor.after())
                  .thenApply(read -> Optional.of(Pair.create(new Cursor(reader, read.first()), read.second())));
            })
        .mapConcat(list -> list)
        .map(TagFeedSource::toProjectionEnvelope);
  }

  /** The next batch after a position, and the position after it. */
  private CompletionStage<Pair<Long, List<org.apache.pekko.persistence.query.EventEnvelope>>> next(long reader, long after) {
    return AskPattern.<TagFeed.Command, TagFeed.Batch>ask(feed, replyTo -> new TagFeed.Read(reader, after, batch, replyTo), timeout, system.scheduler())
        .thenCompose(
            answer -> {
              if (!answer.behind()) {
                return CompletableFuture.completedFuture(Pair.create(last(after, answer.events()), answer.events()));
              }
              return journal
                  .currentEventsByTag(tag, Sequence.apply(after))
                  .take(batch)
                  .runWith(Sink.seq(), system)
                  .thenApply(
                      events -> {
                        // A short read is everything up to the journal's readable end, which is
                        // at or past the feed's floor (the feed read up to it first): whatever
                        // lies between was deleted, and the reader may join the feed.
                        long position = last(after, events);
                        return Pair.create(events.size() < batch ? Math.max(position, answer.floor()) : position, events);
                      });
            });
  }

  private static long last(long after, List<org.apache.pekko.persistence.query.EventEnvelope> events) {
    return events.isEmpty() ? after : TagFeed.ordering(events.get(events.size() - 1));
  }

  @SuppressWarnings("unchecked")
  private static <E> EventEnvelope<E> toProjectionEnvelope(org.apache.pekko.persistence.query.EventEnvelope envelope) {
    return EventEnvelope.create(
        envelope.offset(), envelope.persistenceId(), envelope.sequenceNr(), (E) envelope.event(), envelope.timestamp());
  }

  @Override
  public Offset extractOffset(EventEnvelope<E> envelope) {
    return envelope.offset();
  }

  @Override
  public long extractCreationTime(EventEnvelope<E> envelope) {
    return envelope.timestamp();
  }
}
