package org.herald.projection.common;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;

/**
 * This node's {@link TagFeed}s, one per tag, started by the first projection instance of the tag
 * that runs here ({@code herald.projections.feed}).
 */
public final class TagFeeds implements Extension {
  private final ActorSystem<?> system;
  private final CurrentEventsByTagQuery journal;
  private final int capacity;
  private final int batch;
  private final Duration interval;
  private final Duration timeout;
  private final Duration idleReader;
  private final Map<String, ActorRef<TagFeed.Command>> feeds = new ConcurrentHashMap<>();

  private TagFeeds(ActorSystem<?> system) {
    this.system = system;
    this.journal =
        PersistenceQuery.get(Adapter.toClassic(system)).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    Config config = system.settings().config();
    Config feed = config.getConfig("herald.projections.feed");
    this.capacity = feed.getInt("capacity");
    this.batch = config.getInt("jdbc-read-journal.max-buffer-size");
    this.interval = config.getDuration("jdbc-read-journal.refresh-interval");
    this.timeout = feed.getDuration("ask-timeout");
    this.idleReader = feed.getDuration("idle-reader");
  }

  public static TagFeeds get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** A projection's source of the tag's events. */
  public <E> TagFeedSource<E> source(String tag) {
    return new TagFeedSource<>(system, tag, feed(tag), journal, batch, timeout);
  }

  /**
   * The position below which a reader of the tag reads the journal itself rather than the feed's
   * memory: what the feed has let go of (0 if no projection here reads the tag; asking starts no
   * feed). For tests: an event deleted from the journal after the feed read it is still served
   * from memory until the feed lets it go.
   */
  public CompletionStage<Long> floor(String tag) {
    ActorRef<TagFeed.Command> feed = feeds.get(tag);
    if (feed == null) {
      return CompletableFuture.completedFuture(0L);
    }
    return AskPattern.ask(feed, TagFeed.FloorOf::new, timeout, system.scheduler());
  }

  private ActorRef<TagFeed.Command> feed(String tag) {
    return feeds.computeIfAbsent(
        tag,
        t ->
            system.systemActorOf(
                Behaviors.supervise(TagFeed.create(t, journal, capacity, batch, interval, idleReader)).onFailure(SupervisorStrategy.restart()),
                "tag-feed-" + t,
                Props.empty()));
  }

  private static final class Id extends ExtensionId<TagFeeds> {
    static final Id INSTANCE = new Id();

    @Override
    public TagFeeds createExtension(ActorSystem<?> system) {
      return new TagFeeds(system);
    }
  }
}
