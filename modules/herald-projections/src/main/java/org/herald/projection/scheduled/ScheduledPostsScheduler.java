package org.herald.projection.scheduled;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatReply;
import org.herald.projection.common.Sql;

/**
 * Fires scheduled posts at their time, as one cluster singleton. It polls {@code scheduled_posts}
 * for posts due soon, arms a timer for each, and at the due time asks the chat to publish
 * ({@link ChatCommand.PublishScheduled}). Exactly once is the chat's job, not this one's: the
 * chat publishes only a pending post and removes it in the same event, so a repeated command
 * (a timeout and retry, a second scheduler during a failover, a restart that polls again)
 * finds it settled. Posts whose time passed while no scheduler ran (a cluster down for hours)
 * are due at once and fire on the first poll, oldest first.
 */
public final class ScheduledPostsScheduler {
  private ScheduledPostsScheduler() {}

  /** Settings read from {@code herald.scheduled}. */
  public record Settings(Duration poll, Duration lookahead, int batch, Duration timeout) {
    public static Settings fromConfig(com.typesafe.config.Config config) {
      var c = config.getConfig("herald.scheduled");
      return new Settings(c.getDuration("poll"), c.getDuration("lookahead"), c.getInt("batch"), c.getDuration("timeout"));
    }
  }

  public static void init(ActorSystem<?> system, DataSource dataSource, Clock clock) {
    Settings settings = Settings.fromConfig(system.settings().config());
    Executor jdbc = system.dispatchers().lookup(DispatcherSelector.fromConfig("herald.jdbc-dispatcher"));
    ClusterSharding sharding = ClusterSharding.get(system);
    ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                    Behaviors.supervise(behavior(dataSource, jdbc, sharding, clock, settings))
                        .onFailure(SupervisorStrategy.restart()),
                    "scheduled-posts-scheduler")
                .withStopMessage(new Stop()));
  }

  record Key(String chatId, long scheduledId) {}

  record Due(Key key, Instant dueAt) {}

  interface Msg {}

  record Stop() implements Msg {}

  private record Poll() implements Msg {}

  private record Polled(List<Due> rows, Throwable failure) implements Msg {}

  private record Fire(Key key) implements Msg {}

  private record Fired(Key key, ChatReply reply, Throwable failure) implements Msg {}

  /** The shortest wait before asking a chat again that answered "not due". */
  private static final Duration MIN_RETRY = Duration.ofMillis(50);

  /** Settled posts the table may still list (the projection lags a little), and since when. */
  private static final Duration SETTLED_MEMORY = Duration.ofSeconds(30);

  static Behavior<Msg> behavior(DataSource dataSource, Executor jdbc, ClusterSharding sharding, Clock clock, Settings settings) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  Set<Key> inFlight = new HashSet<>();
                  Map<Key, Instant> armed = new HashMap<>();
                  Map<Key, Instant> settled = new HashMap<>();
                  boolean[] polling = {false};
                  timers.startTimerWithFixedDelay("poll", new Poll(), Duration.ZERO, settings.poll());
                  return Behaviors.receive(Msg.class)
                      .onMessage(
                          Poll.class,
                          p -> {
                            if (!polling[0]) {
                              polling[0] = true;
                              Instant horizon = clock.instant().plus(settings.lookahead());
                              ctx.pipeToSelf(
                                  Sql.query(
                                      dataSource, jdbc,
                                      "SELECT chat_id, scheduled_id, due_at FROM scheduled_posts WHERE due_at <= ?"
                                          + " ORDER BY due_at FETCH FIRST " + settings.batch() + " ROWS ONLY",
                                      ps -> Sql.setInstant(ps, 1, horizon),
                                      rs -> new Due(new Key(rs.getString(1), rs.getLong(2)), Sql.getInstant(rs, "due_at"))),
                                  Polled::new);
                            }
                            return Behaviors.same();
                          })
                      .onMessage(
                          Polled.class,
                          polled -> {
                            polling[0] = false;
                            if (polled.failure() != null) {
                              ctx.getLog().warn("scheduled posts not polled: {}", polled.failure().getMessage());
                              return Behaviors.same();
                            }
                            Instant now = clock.instant();
                            settled.values().removeIf(at -> at.plus(SETTLED_MEMORY).isBefore(now));
                            for (Due due : polled.rows()) {
                              Key key = due.key();
                              if (inFlight.contains(key) || settled.containsKey(key) || due.dueAt().equals(armed.get(key))) {
                                continue;
                              }
                              if (!due.dueAt().isAfter(now)) {
                                ctx.getSelf().tell(new Fire(key));
                              } else {
                                armed.put(key, due.dueAt());
                                timers.startSingleTimer(key, new Fire(key), Duration.between(now, due.dueAt()));
                              }
                            }
                            return Behaviors.same();
                          })
                      .onMessage(
                          Fire.class,
                          fire -> {
                            Key key = fire.key();
                            armed.remove(key);
                            if (inFlight.add(key)) {
                              ctx.pipeToSelf(
                                  ChatEntity.ref(sharding, key.chatId())
                                      .<ChatReply>ask(replyTo -> new ChatCommand.PublishScheduled(key.scheduledId(), replyTo), settings.timeout()),
                                  (reply, failure) -> new Fired(key, reply, failure));
                            }
                            return Behaviors.same();
                          })
                      .onMessage(
                          Fired.class,
                          fired -> {
                            Key key = fired.key();
                            inFlight.remove(key);
                            if (fired.failure() != null) {
                              // The next poll finds it still due and fires again; the chat dedupes.
                              ctx.getLog().warn("scheduled post {} of {} not published yet: {}", key.scheduledId(), key.chatId(),
                                  fired.failure().getMessage());
                            } else if (fired.reply() instanceof ChatReply.ScheduleNotDue notDue) {
                              Duration wait = Duration.between(clock.instant(), notDue.dueAt());
                              if (wait.compareTo(settings.lookahead()) <= 0) {
                                // A chat whose clock is behind ours says "not yet" for a moment:
                                // ask again shortly rather than at once, in a loop.
                                armed.put(key, notDue.dueAt());
                                timers.startSingleTimer(key, new Fire(key), wait.compareTo(MIN_RETRY) < 0 ? MIN_RETRY : wait);
                              }
                            } else {
                              if (fired.reply() instanceof ChatReply.Rejected r) {
                                ctx.getLog().warn("scheduled post {} of {} refused: {}", key.scheduledId(), key.chatId(), r.rejection());
                              }
                              settled.put(key, clock.instant());
                            }
                            return Behaviors.same();
                          })
                      .onMessage(Stop.class, s -> Behaviors.stopped())
                      .build();
                }));
  }
}
