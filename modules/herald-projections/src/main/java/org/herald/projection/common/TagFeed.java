package org.herald.projection.common;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * One reader of a tag's events for every projection instance of that tag on this node. Each
 * projection used to poll the journal and deserialize every event itself: the five projections of
 * the chat tags (six with push) read and decoded each chat event five times, and that was a
 * sixth of the node's CPU under load (docs/benchmarks.md). The feed polls once, decodes once, and
 * keeps the envelopes its readers have not read yet, at most {@code capacity}; a projection that
 * has caught up is answered from memory.
 *
 * <p>Each reader (one projection instance's stream) names itself in every {@link Read}, and the
 * position it asks from is what it has read. After each poll the feed drops every envelope that
 * all its readers have read, so that in the steady state it holds about one poll's worth of
 * events instead of its whole capacity: the envelopes, kept for half a minute at 1,000 events a
 * second, were a large part of what every young collection copied (docs/benchmarks.md). A reader
 * silent for longer than {@code idleReader} (stopped, restarted under a new name, or stuck)
 * holds nothing back; if it asks again from below the floor, it reads the journal like any
 * reader that fell behind.
 *
 * <p>The buffer holds every event of the tag after {@code floor} up to {@code head}, the position
 * read through. A projection asks for the events after its offset ({@link Read}):
 * <ul>
 *   <li>at or past the floor, it gets the buffered events after it, or waits for the next poll
 *       (every waiting reader is answered after each poll, with whatever it brought, possibly
 *       nothing: a reader never waits longer than one poll);
 *   <li>below the floor (starting, rebuilding, or fallen behind by more than the buffer), it is
 *       told so, and reads that stretch from the journal itself ({@link TagFeedSource}).
 * </ul>
 * The feed polls only while someone waits: at once if the last poll filled a batch (more is
 * there), else one refresh interval after the last. Positions come from the read journal's
 * {@code currentEventsByTag}, which never reads past a gap still being written, so the buffer
 * has no holes. Node-local, never serialized.
 */
final class TagFeed extends AbstractBehavior<TagFeed.Command> {

  sealed interface Command {}

  /** The events after {@code after}, at most {@code max}, for {@code reader}, which has read up to {@code after}. */
  record Read(long reader, long after, int max, ActorRef<Batch> replyTo) implements Command {}

  /**
   * Events after the asked position, in order (possibly none yet); or {@code behind}: the reader
   * is below {@code floor} and reads up to it from the journal.
   */
  record Batch(List<EventEnvelope> events, boolean behind, long floor) {}

  /** The feed's floor: readers below it read the journal themselves (0 before the first reader). */
  record FloorOf(ActorRef<Long> replyTo) implements Command {}

  private record Polled(List<EventEnvelope> events) implements Command {}

  private record PollFailed(Throwable cause) implements Command {}

  private enum Poll implements Command {
    INSTANCE
  }

  static Behavior<Command> create(
      String tag, CurrentEventsByTagQuery journal, int capacity, int batch, Duration interval, Duration idleReader) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> new TagFeed(context, timers, tag, journal, capacity, batch, interval, idleReader)));
  }

  /** Where a reader has read to, and when it last asked. */
  private static final class Mark {
    long position;
    long seenNanos;
  }

  private final TimerScheduler<Command> timers;
  private final String tag;
  private final CurrentEventsByTagQuery journal;
  private final int capacity;
  private final int batch;
  private final Duration interval;
  private final long idleReaderNanos;
  private final Map<Long, Mark> readers = new HashMap<>();
  /** The buffered events from index {@code first} on, oldest first; evicted slots are nulled. */
  private final ArrayList<EventEnvelope> buffer = new ArrayList<>();
  private int first;
  private final List<Read> waiting = new ArrayList<>();
  private boolean started;
  private long floor;
  private long head;
  private boolean polling;
  private boolean moreToRead;
  private long lastPollNanos;

  private TagFeed(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String tag,
      CurrentEventsByTagQuery journal,
      int capacity,
      int batch,
      Duration interval,
      Duration idleReader) {
    super(context);
    this.timers = timers;
    this.tag = tag;
    this.journal = journal;
    this.capacity = capacity;
    this.batch = batch;
    this.interval = interval;
    this.idleReaderNanos = idleReader.toNanos();
    this.lastPollNanos = System.nanoTime() - interval.toNanos();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Read.class, this::onRead)
        .onMessage(FloorOf.class, this::onFloorOf)
        .onMessage(Polled.class, this::onPolled)
        .onMessage(PollFailed.class, this::onPollFailed)
        .onMessageEquals(Poll.INSTANCE, this::onPoll)
        .build();
  }

  private Behavior<Command> onRead(Read read) {
    if (!started) {
      // The first reader's position starts the buffer; readers below it read the journal.
      started = true;
      floor = read.after();
      head = read.after();
    }
    Mark mark = readers.computeIfAbsent(read.reader(), r -> new Mark());
    mark.position = read.after();
    mark.seenNanos = System.nanoTime();
    if (read.after() < floor) {
      read.replyTo().tell(new Batch(List.of(), true, floor));
      return this;
    }
    List<EventEnvelope> events = after(read.after(), read.max());
    if (!events.isEmpty()) {
      read.replyTo().tell(new Batch(events, false, floor));
      return this;
    }
    waiting.add(read);
    schedulePoll();
    return this;
  }

  private Behavior<Command> onFloorOf(FloorOf ask) {
    ask.replyTo().tell(floor);
    return this;
  }

  private void schedulePoll() {
    if (polling || timers.isTimerActive(Poll.INSTANCE)) {
      return;
    }
    long sinceLast = System.nanoTime() - lastPollNanos;
    if (moreToRead || sinceLast >= interval.toNanos()) {
      onPoll();
    } else {
      timers.startSingleTimer(Poll.INSTANCE, Duration.ofNanos(interval.toNanos() - sinceLast));
    }
  }

  private Behavior<Command> onPoll() {
    if (polling) {
      return this;
    }
    polling = true;
    lastPollNanos = System.nanoTime();
    getContext()
        .pipeToSelf(
            journal.currentEventsByTag(tag, Sequence.apply(head)).take(batch).runWith(Sink.seq(), getContext().getSystem()),
            (events, failure) -> failure == null ? new Polled(events) : new PollFailed(failure));
    return this;
  }

  private Behavior<Command> onPolled(Polled polled) {
    polling = false;
    moreToRead = polled.events().size() >= batch;
    for (EventEnvelope envelope : polled.events()) {
      long ordering = ordering(envelope);
      if (ordering > head) {
        buffer.add(envelope);
        head = ordering;
      }
    }
    long read = readThrough();
    while (first < buffer.size() && (buffer.size() - first > capacity || ordering(buffer.get(first)) <= read)) {
      floor = ordering(buffer.get(first));
      buffer.set(first++, null);
    }
    if (first > capacity) {
      buffer.subList(0, first).clear();
      first = 0;
    }
    answerWaiting();
    return this;
  }

  private Behavior<Command> onPollFailed(PollFailed failed) {
    polling = false;
    moreToRead = false;
    getContext().getLog().warn("Reading tag {} failed; readers retry after the next poll", tag, failed.cause());
    answerWaiting();
    return this;
  }

  /**
   * The position every reader heard from within {@code idleReader} has read through (forgetting
   * the others), or {@link Long#MIN_VALUE} when there is none: nothing is dropped for readers
   * that are not there.
   */
  private long readThrough() {
    long now = System.nanoTime();
    long low = Long.MAX_VALUE;
    for (Iterator<Mark> marks = readers.values().iterator(); marks.hasNext(); ) {
      Mark mark = marks.next();
      if (now - mark.seenNanos > idleReaderNanos) {
        marks.remove();
      } else {
        low = Math.min(low, mark.position);
      }
    }
    return low == Long.MAX_VALUE ? Long.MIN_VALUE : low;
  }

  /** Every waiting reader gets what the poll brought it (possibly nothing) and asks again. */
  private void answerWaiting() {
    for (Read read : waiting) {
      if (read.after() < floor) {
        read.replyTo().tell(new Batch(List.of(), true, floor));
      } else {
        read.replyTo().tell(new Batch(after(read.after(), read.max()), false, floor));
      }
    }
    waiting.clear();
  }

  /** The buffered events after {@code position}, at most {@code max}, oldest first. */
  private List<EventEnvelope> after(long position, int max) {
    if (position >= head) {
      return List.of();
    }
    // Binary search for the first buffered event after the position.
    int low = first;
    int high = buffer.size();
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (ordering(buffer.get(middle)) <= position) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return List.copyOf(buffer.subList(low, Math.min(buffer.size(), low + max)));
  }

  static long ordering(EventEnvelope envelope) {
    return Sql.ordering(envelope.offset());
  }
}
