package org.herald.projection.push;

import com.typesafe.config.Config;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.herald.domain.common.Metrics;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserReply;
import org.herald.projection.common.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns push jobs into notifications and sends them, as one cluster singleton. Each tick (one in
 * flight at a time) it (1) expands the oldest jobs round-robin, a bounded page of recipients
 * each, so a post to a huge channel advances a page per tick while a direct message finishes in
 * one: nothing waits behind a burst; a recipient gets a delivery per device with a push token
 * unless they sent it, muted the chat, left it, or have a device connected; (2) sends due
 * deliveries in batches, with exponential backoff on failure. Deliveries are keyed by device
 * and message, so a message makes at most one delivery per device, whatever restarts or
 * failovers repeat; a delivery is leased (a conditional update) before it is sent, so two
 * dispatchers never send it at once. Towards the gateway a delivery is at-least-once: a crash
 * after the gateway accepted a batch but before it was marked sent repeats that batch once the
 * lease ends, with the same {@code notificationId} for the gateway to collapse.
 */
public final class PushDispatcher {
  private static final Logger log = LoggerFactory.getLogger(PushDispatcher.class);

  /** Settings read from {@code herald.push}. */
  public record Settings(
      String webhookUrl,
      Duration tick,
      int jobsPerTick,
      int recipientsPerTick,
      int sendBatch,
      int maxAttempts,
      Duration maxAge,
      Duration timeout) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("herald.push");
      return new Settings(
          c.getString("webhook-url"),
          c.getDuration("tick"),
          c.getInt("jobs-per-tick"),
          c.getInt("recipients-per-tick"),
          c.getInt("send-batch"),
          c.getInt("max-attempts"),
          c.getDuration("max-age"),
          c.getDuration("timeout"));
    }

    public boolean enabled() {
      return !webhookUrl.isBlank();
    }
  }

  private PushDispatcher() {}

  /**
   * Starts the outbox projection, the dispatcher singleton and the outbox gauges when a gateway
   * is configured.
   */
  public static void init(ActorSystem<?> system, DataSource dataSource, Clock clock) {
    Settings settings = Settings.fromConfig(system.settings().config());
    if (!settings.enabled()) {
      log.info("push notifications off (herald.push.webhook-url is not set)");
      return;
    }
    PushOutboxProjection.init(system, dataSource, clock, settings.maxAge());
    PushGateway gateway = new WebhookPushGateway(URI.create(settings.webhookUrl()), settings.timeout());
    Executor jdbc = system.dispatchers().lookup(DispatcherSelector.fromConfig("herald.jdbc-dispatcher"));
    var work = new Work(dataSource, jdbc, ClusterSharding.get(system), gateway, clock, settings);
    ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                    Behaviors.supervise(behavior(work, settings)).onFailure(SupervisorStrategy.restart()), "push-dispatcher")
                .withStopMessage(Stop.INSTANCE));
    system.systemActorOf(
        OutboxMetrics.create(
            dataSource, jdbc, Metrics.get(system).registry(), system.settings().config().getDuration("herald.metrics.refresh-interval")),
        "push-outbox-metrics",
        Props.empty());
  }

  interface Tick {}

  enum Stop implements Tick {
    INSTANCE
  }

  private enum Go implements Tick {
    INSTANCE
  }

  private record Done(Throwable failure) implements Tick {}

  static Behavior<Tick> behavior(Work work, Settings settings) {
    return Behaviors.withTimers(
        timers -> {
          timers.startSingleTimer(Go.INSTANCE, settings.tick());
          return Behaviors.setup(
              ctx ->
                  Behaviors.receive(Tick.class)
                      .onMessageEquals(
                          Go.INSTANCE,
                          () -> {
                            ctx.pipeToSelf(work.cycle(), (ok, failure) -> new Done(failure));
                            return Behaviors.same();
                          })
                      .onMessage(
                          Done.class,
                          done -> {
                            if (done.failure() != null) {
                              ctx.getLog().warn("push dispatch cycle failed: {}", done.failure().getMessage());
                            }
                            timers.startSingleTimer(Go.INSTANCE, settings.tick());
                            return Behaviors.same();
                          })
                      .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                      .build());
        });
  }

  record Job(String chatId, long messageId, String senderId, Instant sentAt, String cursor) {}

  record Delivery(String sessionId, String chatId, long messageId, String userId, String token, int attempts) {}

  /** One cycle's work; every JDBC call on the JDBC dispatcher, every ask asynchronous. */
  static final class Work {
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);

    private final DataSource dataSource;
    private final Executor jdbc;
    private final ClusterSharding sharding;
    private final PushGateway gateway;
    private final Clock clock;
    private final Settings settings;
    private Instant nextPrune = Instant.MIN;

    Work(DataSource dataSource, Executor jdbc, ClusterSharding sharding, PushGateway gateway, Clock clock, Settings settings) {
      this.dataSource = dataSource;
      this.jdbc = jdbc;
      this.sharding = sharding;
      this.gateway = gateway;
      this.clock = clock;
      this.settings = settings;
    }

    /** Expands jobs, then sends what is due, whether or not the expansion went through. */
    CompletionStage<Void> cycle() {
      return expandJobs()
          .handle(
              (ok, failure) -> {
                if (failure != null) {
                  log.warn("push jobs not expanded this time: {}", failure.getMessage());
                }
                return null;
              })
          .thenCompose(v -> sendDue());
    }

    private CompletionStage<Void> expandJobs() {
      Instant now = clock.instant();
      CompletionStage<Integer> pruned =
          now.isBefore(nextPrune)
              ? CompletableFuture.completedFuture(0)
              : Sql.async(jdbc, () -> prune(now));
      return pruned
          .thenCompose(
              n ->
                  Sql.query(
                      dataSource,
                      jdbc,
                      "SELECT chat_id, message_id, sender_id, sent_at, cursor_user FROM push_jobs WHERE sent_at >= ?"
                          + " ORDER BY sent_at FETCH FIRST " + settings.jobsPerTick() + " ROWS ONLY",
                      ps -> Sql.setInstant(ps, 1, now.minus(settings.maxAge())),
                      rs -> new Job(rs.getString("chat_id"), rs.getLong("message_id"), rs.getString("sender_id"),
                          Sql.getInstant(rs, "sent_at"), rs.getString("cursor_user"))))
          .thenCompose(
              jobs -> {
                if (jobs.isEmpty()) {
                  return CompletableFuture.completedFuture(null);
                }
                int page = Math.max(1, settings.recipientsPerTick() / jobs.size());
                return allOf(jobs.stream().map(job -> expand(job, page).toCompletableFuture()).toList())
                    .thenApply(done -> null);
              });
    }

    /** Forgets jobs too old to notify, and deliveries that are finished, once a minute. */
    private int prune(Instant now) throws SQLException {
      nextPrune = now.plus(PRUNE_EVERY);
      try (Connection conn = dataSource.getConnection();
          PreparedStatement jobs = conn.prepareStatement("DELETE FROM push_jobs WHERE sent_at < ?");
          PreparedStatement deliveries =
              conn.prepareStatement("DELETE FROM push_deliveries WHERE status <> 'pending' AND created_at < ?")) {
        Sql.setInstant(jobs, 1, now.minus(settings.maxAge()));
        Sql.setInstant(deliveries, 1, now.minus(settings.maxAge()));
        return jobs.executeUpdate() + deliveries.executeUpdate();
      }
    }

    /**
     * The next page of the job's recipients: who gets a delivery, then the cursor moves on. A
     * recipient whose entity did not answer keeps the cursor where it was, so the page is
     * looked at again next tick (deliveries already recorded are not repeated: their key).
     */
    private CompletionStage<Void> expand(Job job, int page) {
      return Sql.query(
              dataSource,
              jdbc,
              "SELECT last_message_id FROM dialog_chats WHERE chat_id = ?",
              ps -> ps.setString(1, job.chatId()),
              rs -> rs.getLong(1))
          .thenCompose(
              last ->
                  // The member rows are complete for this message only once the dialogs read
                  // model has applied it (lagging, or being rebuilt): until then, wait rather
                  // than page through a partial list and skip members.
                  last.isEmpty() || last.get(0) < job.messageId()
                      ? CompletableFuture.completedFuture(null)
                      : expandCaughtUp(job, page));
    }

    private CompletionStage<Void> expandCaughtUp(Job job, int page) {
      return Sql.query(
              dataSource,
              jdbc,
              "SELECT user_id FROM dialog_members WHERE chat_id = ? AND user_id > ? ORDER BY user_id FETCH FIRST " + page + " ROWS ONLY",
              ps -> {
                ps.setString(1, job.chatId());
                ps.setString(2, job.cursor());
              },
              rs -> rs.getString(1))
          .thenCompose(
              users -> {
                List<CompletableFuture<List<Delivery>>> asks =
                    users.stream()
                        .filter(userId -> !userId.equals(job.senderId()))
                        .map(userId -> targets(job, userId).toCompletableFuture().exceptionally(failure -> null))
                        .toList();
                return allOf(asks)
                    .thenCompose(
                        answers -> {
                          List<Delivery> deliveries = new ArrayList<>();
                          boolean complete = true;
                          for (List<Delivery> answer : answers) {
                            if (answer == null) {
                              complete = false;
                            } else {
                              deliveries.addAll(answer);
                            }
                          }
                          String next = !complete || users.isEmpty() ? job.cursor() : users.get(users.size() - 1);
                          boolean last = complete && users.size() < page;
                          return Sql.transaction(dataSource, jdbc, conn -> record(conn, job, deliveries, last, next));
                        });
              });
    }

    private CompletionStage<List<Delivery>> targets(Job job, String userId) {
      return UserEntity.ref(sharding, userId)
          .<UserReply>ask(r -> new UserCommand.GetPushTargets(job.chatId(), job.sentAt(), r), settings.timeout())
          .thenApply(
              reply -> {
                List<Delivery> list = new ArrayList<>();
                if (reply instanceof UserReply.PushTargets t && t.member() && !t.muted() && !t.online()) {
                  t.tokens().forEach((session, token) -> list.add(new Delivery(session, job.chatId(), job.messageId(), userId, token, 0)));
                }
                return list;
              });
    }

    /**
     * Moves the job on (or ends it) and records its deliveries, in one transaction. The job moves
     * only from the cursor this page was read at: if the job was cancelled (its message deleted)
     * or moved by another dispatcher meanwhile, nothing is recorded.
     */
    private Void record(Connection conn, Job job, List<Delivery> deliveries, boolean last, String cursor) throws SQLException {
      try (PreparedStatement ps =
          conn.prepareStatement(
              last
                  ? "DELETE FROM push_jobs WHERE chat_id = ? AND message_id = ? AND cursor_user = ?"
                  : "UPDATE push_jobs SET cursor_user = ? WHERE chat_id = ? AND message_id = ? AND cursor_user = ?")) {
        int i = 1;
        if (!last) {
          ps.setString(i++, cursor);
        }
        ps.setString(i++, job.chatId());
        ps.setLong(i++, job.messageId());
        ps.setString(i, job.cursor());
        if (ps.executeUpdate() == 0) {
          return null;
        }
      }
      Instant now = clock.instant();
      try (PreparedStatement ps =
          conn.prepareStatement(
              "INSERT INTO push_deliveries (session_id, chat_id, message_id, user_id, push_token, status, attempts,"
                  + " next_attempt_at, created_at) SELECT ?, ?, ?, ?, ?, 'pending', 0, ?, ? FROM (VALUES (1)) AS one (x)"
                  + " WHERE NOT EXISTS (SELECT 1 FROM push_deliveries WHERE session_id = ? AND chat_id = ? AND message_id = ?)")) {
        for (Delivery d : deliveries) {
          ps.setString(1, d.sessionId());
          ps.setString(2, d.chatId());
          ps.setLong(3, d.messageId());
          ps.setString(4, d.userId());
          ps.setString(5, d.token());
          Sql.setInstant(ps, 6, now);
          Sql.setInstant(ps, 7, now);
          ps.setString(8, d.sessionId());
          ps.setString(9, d.chatId());
          ps.setLong(10, d.messageId());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    }

    /** Due deliveries, leased, sent as one batch; marked sent or rescheduled with backoff. */
    private CompletionStage<Void> sendDue() {
      return Sql.transaction(dataSource, jdbc, this::leaseDue)
          .thenCompose(
              due -> {
                if (due.isEmpty()) {
                  return CompletableFuture.completedFuture(null);
                }
                List<PushNotification> batch =
                    due.stream()
                        .map(d -> new PushNotification(
                            d.sessionId() + ":" + d.chatId() + ":" + d.messageId(), d.userId(), d.sessionId(), d.token(), d.chatId(), d.messageId()))
                        .toList();
                return gateway
                    .send(batch)
                    .handle((ok, failure) -> failure)
                    .thenCompose(failure -> Sql.transaction(dataSource, jdbc, conn -> settle(conn, due, failure)));
              });
    }

    /**
     * Picks due deliveries and leases them: a conditional update, so of two dispatchers racing
     * (a singleton hand-over) only one gets each row.
     */
    private List<Delivery> leaseDue(Connection conn) throws SQLException {
      Instant now = clock.instant();
      List<Delivery> candidates = new ArrayList<>();
      try (PreparedStatement ps =
          conn.prepareStatement(
              "SELECT session_id, chat_id, message_id, user_id, push_token, attempts FROM push_deliveries"
                  + " WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at FETCH FIRST "
                  + settings.sendBatch() + " ROWS ONLY")) {
        Sql.setInstant(ps, 1, now);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            candidates.add(new Delivery(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getInt(6)));
          }
        }
      }
      List<Delivery> leased = new ArrayList<>();
      try (PreparedStatement ps =
          conn.prepareStatement(
              "UPDATE push_deliveries SET next_attempt_at = ? WHERE session_id = ? AND chat_id = ? AND message_id = ?"
                  + " AND status = 'pending' AND next_attempt_at <= ?")) {
        for (Delivery d : candidates) {
          Sql.setInstant(ps, 1, now.plus(lease()));
          ps.setString(2, d.sessionId());
          ps.setString(3, d.chatId());
          ps.setLong(4, d.messageId());
          Sql.setInstant(ps, 5, now);
          if (ps.executeUpdate() == 1) {
            leased.add(d);
          }
        }
      }
      return leased;
    }

    /** How long a sent batch's deliveries are reserved: the gateway's timeout plus a margin. */
    private Duration lease() {
      return settings.timeout().plusSeconds(30);
    }

    private Void settle(Connection conn, List<Delivery> due, Throwable failure) throws SQLException {
      Instant now = clock.instant();
      try (PreparedStatement sent =
              conn.prepareStatement(
                  "UPDATE push_deliveries SET status = 'sent', sent_at = ?, attempts = attempts + 1"
                      + " WHERE session_id = ? AND chat_id = ? AND message_id = ? AND status = 'pending'");
          PreparedStatement retry =
              conn.prepareStatement(
                  "UPDATE push_deliveries SET status = ?, attempts = ?, next_attempt_at = ?"
                      + " WHERE session_id = ? AND chat_id = ? AND message_id = ? AND status = 'pending'")) {
        for (Delivery d : due) {
          if (failure == null) {
            Sql.setInstant(sent, 1, now);
            sent.setString(2, d.sessionId());
            sent.setString(3, d.chatId());
            sent.setLong(4, d.messageId());
            sent.addBatch();
          } else {
            int attempts = d.attempts() + 1;
            retry.setString(1, attempts >= settings.maxAttempts() ? "failed" : "pending");
            retry.setInt(2, attempts);
            Sql.setInstant(retry, 3, now.plus(backoff(attempts)));
            retry.setString(4, d.sessionId());
            retry.setString(5, d.chatId());
            retry.setLong(6, d.messageId());
            retry.addBatch();
          }
        }
        sent.executeBatch();
        retry.executeBatch();
      }
      if (failure != null) {
        log.warn("push gateway refused {} notifications: {}", due.size(), failure.getMessage());
      }
      return null;
    }

    /** 1 s, 2 s, 4 s … capped at 5 minutes. */
    static Duration backoff(int attempts) {
      return Duration.ofSeconds(Math.min(300, 1L << Math.min(attempts - 1, 9)));
    }

    private static <T> CompletableFuture<List<T>> allOf(List<CompletableFuture<T>> futures) {
      return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
    }
  }
}
