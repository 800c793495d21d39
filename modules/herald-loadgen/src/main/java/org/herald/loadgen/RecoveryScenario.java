package org.herald.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.herald.chaos.Progress;
import org.herald.chaos.Threads;

/**
 * A cold chat's first answer. For each of {@code --recovery-sizes}: a direct chat filled with
 * that many messages over the sender's updates sockets ({@link #INFLIGHT} unacknowledged), then
 * the node the bench started restarted, so that the chat entity recovers from its snapshot and
 * the journal after it on its next command. A send into a warm-up chat of {@link
 * #WARMUP_MESSAGES} first absorbs what any first request and any first chat recovery pay after a
 * start (shard allocation, connection pools, cold code); then the first send into the big chat
 * is timed to its 201 (it must get messageId N+1), and a history read ({@code GET
 * messages?limit=50}) after it. The node's recovery-time histogram, read before and after that
 * send, gives the chat's own recovery and its sender's (authentication) within it.
 */
final class RecoveryScenario implements Scenario {
  /** Unacknowledged sends while filling, over all the sender's sockets. */
  static final int INFLIGHT = 256;
  /**
   * The sender's sockets while filling: the node takes a few sends of one socket at a time
   * ({@code herald.api.socket.send-parallelism}), and the fill wants the chat's, not a socket's,
   * limit.
   */
  static final int FILL_SOCKETS = 8;
  /**
   * Messages in the warm-up chat: more than two snapshots' worth (herald.chat.snapshot-every is
   * 500, spaced to at most 599 per chat), so that its first send after the restart loads a snapshot and replays events, and the
   * big chat's first send pays only for its size, not for the first run of that code.
   */
  static final int WARMUP_MESSAGES = 1_200;
  /** A fill that gets no ack for this long has stalled. */
  private static final long STALL_NANOS = 60_000_000_000L;

  @Override
  public String name() {
    return "recovery";
  }

  @Override
  public String summary() {
    return "a chat of --recovery-sizes messages made cold by a node restart: time to its first send";
  }

  /** One sender's pipelined fill: every answer (ack or error) lets one more message out. */
  private static final class Fill {
    final String chatId;
    final long target;
    long sent;
    long acked;
    long errors;
    long lastAnswerNanos = System.nanoTime();
    final AtomicReference<String> firstError = new AtomicReference<>();

    Fill(String chatId, long target) {
      this.chatId = chatId;
      this.target = target;
    }

    synchronized void answered(SocketHerd herd, int socket, String frame) {
      switch (LoadFrames.kind(frame)) {
        case ACK -> acked++;
        case ERROR -> {
          errors++;
          firstError.compareAndSet(null, frame);
        }
        case DELIVERY, OTHER -> {
          return;
        }
      }
      lastAnswerNanos = System.nanoTime();
      next(herd, socket);
    }

    /** Sends one more on {@code socket} unless the target is acknowledged or already in flight. */
    synchronized void next(SocketHerd herd, int socket) {
      if (sent - errors < target && herd.send(socket, LoadFrames.send(chatId, System.nanoTime(), sent + 1))) {
        sent++;
      }
    }

    synchronized long acked() {
      return acked;
    }

    synchronized boolean stalled() {
      return System.nanoTime() - lastAnswerNanos > STALL_NANOS;
    }
  }

  @Override
  public ScenarioResult run(BenchContext context) throws IOException {
    if (!context.startedNode()) {
      throw new IllegalStateException("recovery restarts the node to make its chat cold, and can only restart a node the bench"
          + " started: run it without --url");
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    Map<String, String> line = new LinkedHashMap<>();
    for (int size : context.options().sizes().recoverySizes()) {
      measure(context, size, figures, line);
    }
    return new ScenarioResult(name(), figures, line, Map.of(), List.of(), null);
  }

  private void measure(BenchContext context, int size, Map<String, Object> figures, Map<String, String> line) throws IOException {
    BenchClient client = context.client();
    List<BenchUser> users = context.setUp(name(), () -> client.createUsers(4));
    String chatId = client.directChat(users.get(0), users.get(1));
    String warmupChat = client.directChat(users.get(2), users.get(3));
    fill(context, users.get(2), warmupChat, WARMUP_MESSAGES, "warm-up fill");

    long start = System.nanoTime();
    Fill fill = fill(context, users.get(0), chatId, size, "fill");
    double fillSeconds = (System.nanoTime() - start) / 1e9;
    context.log("recovery: %d messages in %.1f s (%.0f msg/s, %d errors); restarting the node", size, fillSeconds, size / fillSeconds,
        fill.errors);

    // First with the node's projections still working through the fill (what a restart right
    // after a burst of writes meets), then again once they have caught up (the chat alone).
    List<String> behind = context.projectionsBehind();
    long replayed = eventsAfterSnapshot(context, chatId);
    ColdSend busy = coldSend(context, users, chatId, warmupChat, size + 1, "first-after-restart");
    long historyStart = System.nanoTime();
    JsonNode history = client.get("/v1/chats/" + chatId + "/messages?limit=50", users.get(0).token());
    double historyMs = (System.nanoTime() - historyStart) / 1e6;
    String caughtUp = context.awaitProjections();
    long replayedSettled = eventsAfterSnapshot(context, chatId);
    ColdSend settled = coldSend(context, users, chatId, warmupChat, size + 2, "first-after-settled-restart");
    // How soon the restarted node's projections had read those two sends: the read journal's
    // start (its sequence actor) sets it, the fill being long digested.
    List<String> stillBehind = context.awaitCaughtUp(50);
    long projectionsMs = (System.nanoTime() - settled.readyNanos()) / 1_000_000;

    String n = Integer.toString(size);
    figures.put("fill_s_" + n, Math.round(fillSeconds * 1000) / 1000.0);
    figures.put("fill_per_s_" + n, Math.round(size / fillSeconds));
    figures.put("fill_errors_" + n, fill.errors);
    if (behind != null) {
      figures.put("projections_behind_at_restart_" + n, behind.isEmpty() ? "none" : String.join(" ", behind));
    }
    if (replayed >= 0) {
      figures.put("events_after_snapshot_" + n, replayed);
    }
    busy.put(figures, "", n);
    figures.put("history_ms_" + n, round(historyMs));
    figures.put("history_messages_" + n, history.path("messages").size());
    figures.put("before_settled_restart_" + n, caughtUp);
    if (replayedSettled >= 0) {
      figures.put("events_after_snapshot_settled_" + n, replayedSettled);
    }
    settled.put(figures, "settled_", n);
    if (stillBehind != null) {
      figures.put("projections_caught_up_after_settled_restart_ms_" + n, stillBehind.isEmpty() ? projectionsMs : -1);
    }
    line.put("first_send_ms_" + n, ResultLine.millis(Math.round(busy.firstMs() * 1000)));
    line.put("first_send_settled_ms_" + n, ResultLine.millis(Math.round(settled.firstMs() * 1000)));
    line.put("history_ms_" + n, ResultLine.millis(Math.round(historyMs * 1000)));
  }

  /**
   * One cold first send: the node restarted, a send into the warm-up chat, then the timed send
   * into the big chat, which must get {@code expectedId}; with the node's account of the chat's
   * and the sender's recovery within it.
   */
  private static ColdSend coldSend(BenchContext context, List<BenchUser> users, String chatId, String warmupChat, long expectedId,
      String clientMessageId) throws IOException {
    BenchClient client = context.client();
    long restartMs = context.restartNode();
    long readyNanos = System.nanoTime();
    double warmupMs = send(client, users.get(2), warmupChat, clientMessageId + "-warm-up").millis();
    NodeMetrics before = context.nodeMetrics();
    Sent first = send(client, users.get(0), chatId, clientMessageId);
    NodeMetrics after = context.nodeMetrics();
    if (first.messageId() != expectedId) {
      throw new IllegalStateException("the cold chat's send got messageId " + first.messageId() + ", not " + expectedId);
    }
    Map<String, Double> recovery = new LinkedHashMap<>();
    Map<String, Long> recoveries = new LinkedHashMap<>();
    // The node's own account of the send (herald_entity_recovery_duration_seconds): the big
    // chat's recovery, and the sender's (its user entity authenticates the request).
    if (before != null && after != null) {
      for (String type : List.of("Chat", "User")) {
        double count = recoveries(before, after, "_count", type);
        if (count >= 1) {
          String key = type.toLowerCase(Locale.ROOT);
          recovery.put(key, round(recoveries(before, after, "_sum", type) * 1000 / count));
          if (count > 1) {
            recoveries.put(key, (long) count);
          }
        }
      }
    }
    return new ColdSend(restartMs, readyNanos, warmupMs, first, recovery, recoveries);
  }

  private record ColdSend(long restartMs, long readyNanos, double warmupMs, Sent first, Map<String, Double> recoveryMs, Map<String, Long> recoveries) {
    double firstMs() {
      return first.millis();
    }

    /** Its figures as {@code restart_<prefix>ms_<n>} and so on. */
    void put(Map<String, Object> figures, String prefix, String n) {
      figures.put("restart_" + prefix + "ms_" + n, restartMs);
      figures.put("warmup_send_" + prefix + "ms_" + n, round(warmupMs));
      figures.put("first_send_" + prefix + "ms_" + n, round(first.millis()));
      figures.put("first_message_id_" + prefix + n, first.messageId());
      recoveryMs.forEach((type, ms) -> figures.put(type + "_recovery_" + prefix + "ms_" + n, ms));
      recoveries.forEach((type, count) -> figures.put(type + "_recoveries_" + prefix + n, count));
    }
  }

  /** {@code size} messages from {@code sender} into the chat over its sockets, pipelined. */
  private static Fill fill(BenchContext context, BenchUser sender, String chatId, int size, String label) {
    Fill fill = new Fill(chatId, size);
    AtomicReference<SocketHerd> herdRef = new AtomicReference<>();
    try (SocketHerd herd = new SocketHerd(context.baseUrl(), (socket, frame) -> fill.answered(herdRef.get(), socket, frame))) {
      herdRef.set(herd);
      SocketHerd.Outcome o = herd.connect(Collections.nCopies(FILL_SOCKETS, sender.token()));
      if (o.failed() > 0) {
        throw new IllegalStateException(o.failed() + " of the " + label + "'s " + FILL_SOCKETS + " sockets failed; the first: "
            + o.firstError());
      }
      long start = System.nanoTime();
      try (Progress p = context.progress(() -> String.format(Locale.ROOT, "bench recovery %s: %d/%d acked, %.0f msg/s", label,
          fill.acked(), size, fill.acked() / Math.max(1e-9, (System.nanoTime() - start) / 1e9)))) {
        for (int i = 0; i < INFLIGHT; i++) {
          fill.next(herd, i % FILL_SOCKETS);
        }
        while (fill.acked() < size) {
          if (fill.stalled() || herd.failed() > 0) {
            throw new IllegalStateException("the " + label + " stalled at " + fill.acked() + " of " + size + " messages"
                + (herd.failed() > 0 ? ": " + herd.firstError() : "")
                + (fill.firstError.get() != null ? "; first error " + fill.firstError.get() : ""));
          }
          Threads.sleep(50);
        }
      }
    }
    return fill;
  }

  private record Sent(long messageId, double millis) {}

  /** One message over HTTP, timed from the request to its 201. */
  private static Sent send(BenchClient client, BenchUser from, String chatId, String clientMessageId) {
    long t = System.nanoTime();
    JsonNode r = client.post("/v1/chats/" + chatId + "/messages", from.token(), Map.of("clientMessageId", clientMessageId, "text",
        "recovery " + clientMessageId));
    return new Sent(r.path("messageId").asLong(), (System.nanoTime() - t) / 1e6);
  }

  /**
   * The events the chat will replay when it recovers: those after its latest snapshot, read from
   * the node's database (a chat snapshots every 500 to 599 events, so 0 to 599 of them, wherever
   * its size falls in that cycle); -1 when the bench does not know the database.
   */
  private static long eventsAfterSnapshot(BenchContext context, String chatId) {
    BenchOptions o = context.options();
    if (o.dbUrl() == null) {
      return -1;
    }
    String persistenceId = "Chat|" + chatId;
    try (Connection c = DriverManager.getConnection(o.dbUrl(), o.dbUser(), o.dbPassword());
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT (SELECT max(sequence_number) FROM event_journal WHERE persistence_id = ?)"
                    + " - coalesce((SELECT max(sequence_number) FROM snapshot WHERE persistence_id = ?), 0)")) {
      ps.setString(1, persistenceId);
      ps.setString(2, persistenceId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (SQLException e) {
      context.log("recovery: could not read the chat's snapshot position: %s", e.getMessage());
      return -1;
    }
  }

  /** The change of one series of herald_entity_recovery_duration_seconds between two scrapes. */
  private static double recoveries(NodeMetrics before, NodeMetrics after, String suffix, String entityType) {
    String name = "herald_entity_recovery_duration_seconds" + suffix;
    return after.get(name, "entity_type", entityType) - before.get(name, "entity_type", entityType);
  }

  private static double round(double millis) {
    return Math.round(millis * 1000) / 1000.0;
  }
}
