package org.herald.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.herald.chaos.Api.ErrorKind;
import org.herald.chaos.Api.Outcome;
import org.herald.chaos.Workload.Account;
import org.herald.chaos.Workload.Chat;

/**
 * One user's device, written the way docs/clients.md and docs/sync.md tell a client to behave,
 * and nothing cleverer. Two threads:
 *
 * <ul>
 *   <li>the <b>sender</b> posts at a steady pace into the chats it may post in, over HTTP to a
 *       node of its choice or over its socket, each message with its own clientMessageId; on an
 *       error, a timeout or a dropped connection it sends the same message again with the same
 *       clientMessageId (on the next node, after a short backoff) until it is acknowledged;
 *   <li>the <b>sync</b> thread keeps the device's copy of every chat: it opens the updates socket
 *       (the next node when one is unreachable), waits for {@code ready}, catches up every chat
 *       with {@code updates?afterPts=}, then applies live frames by pts (one above: apply; at or
 *       below: drop; further above: catch up first). A closed socket, or one that answers no
 *       ping within {@link #STALL_MS}, means reconnecting and catching up again.
 * </ul>
 */
final class SimClient {
  enum SendPath {
    HTTP,
    SOCKET
  }

  /** One chat as this device knows it: its pts and its messages (id to text). */
  static final class Synced {
    long pts;
    final TreeMap<Long, String> messages = new TreeMap<>();
  }

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(6);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
  private static final long PING_EVERY_MS = 2_000;
  /**
   * No frame (not even a pong) for this long: the node is gone or frozen. Above the server's ask
   * timeout (5 s), since a socket answers frames in order and a pong may wait behind a send.
   */
  static final long STALL_MS = 8_000;
  private static final int UPDATES_PAGE = 1000;

  private record Frame(Connection connection, JsonNode frame) {}

  private record Closed(Connection connection) {}

  private record Pending(Connection connection, CompletableFuture<JsonNode> answer) {}

  private record Attempt(Ledger.Ack ack, ErrorKind failure, Integer retryAfterSeconds, String detail) {}

  final Account account;
  final SendPath sendPath;
  private final List<Chat> chats;
  private final List<Chat> postable;
  private final List<String> urls;
  private final Api api;
  private final Ledger ledger;
  private final ErrorTally sendErrors;
  private final ErrorTally syncErrors;
  private final EventLog events;
  private final String runTag;
  private final Random random;
  private final double messagesPerSecond;

  private final Map<String, Synced> synced = new HashMap<>();
  private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final CountDownLatch firstSync = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile Connection connection;
  private volatile boolean sending = true;
  private volatile boolean finishing;
  private volatile long giveUpAtNanos = Long.MAX_VALUE;
  private volatile long catchUpUntilNanos = Long.MAX_VALUE;
  private int connectAttempts;
  private long seq;
  private Thread senderThread;
  private Thread syncThread;

  final AtomicLong reconnects = new AtomicLong();
  final AtomicLong gapsCaughtUp = new AtomicLong();
  private volatile boolean finalSyncComplete;

  SimClient(
      Account account,
      SendPath sendPath,
      List<Chat> chats,
      List<Chat> postable,
      List<String> urls,
      Api api,
      Ledger ledger,
      ErrorTally sendErrors,
      ErrorTally syncErrors,
      EventLog events,
      String runTag,
      long seed,
      double messagesPerSecond) {
    this.account = account;
    this.sendPath = sendPath;
    this.chats = chats;
    this.postable = postable;
    this.urls = urls;
    this.api = api;
    this.ledger = ledger;
    this.sendErrors = sendErrors;
    this.syncErrors = syncErrors;
    this.events = events;
    this.runTag = runTag;
    this.random = new Random(seed);
    this.messagesPerSecond = messagesPerSecond;
    for (Chat c : chats) {
      synced.put(c.chatId(), new Synced());
    }
  }

  /** The text a message carries: history does not return clientMessageId, so the text does. */
  static String text(String clientMessageId) {
    return "chaos " + clientMessageId;
  }

  /** Starts syncing (socket, catch-up); sending starts with {@link #startSending()}. */
  void startSync() {
    syncThread = Threads.start("sync-u" + account.index(), this::runSync);
  }

  /** Waits for the first connection and catch-up. */
  boolean awaitFirstSync(long millis) throws InterruptedException {
    return firstSync.await(millis, TimeUnit.MILLISECONDS);
  }

  void startSending() {
    if (!postable.isEmpty()) {
      senderThread = Threads.start("send-u" + account.index(), this::runSender);
    }
  }

  /** No new messages from now on; the one in flight is still retried until acknowledged. */
  void stopSending() {
    sending = false;
  }

  /** After this instant, a send still unacknowledged is given up (counted as abandoned). */
  void giveUpAt(long nanos) {
    giveUpAtNanos = nanos;
  }

  void awaitSender(long millis) throws InterruptedException {
    if (senderThread != null) {
      senderThread.join(millis);
    }
  }

  /**
   * Ends syncing with one last catch-up of every chat, as a client leaving would; a catch-up
   * still failing at {@code deadlineNanos} is given up (the final sync is then incomplete).
   */
  void finish(long deadlineNanos) {
    catchUpUntilNanos = deadlineNanos;
    finishing = true;
  }

  boolean awaitFinished(long millis) throws InterruptedException {
    return finished.await(millis, TimeUnit.MILLISECONDS);
  }

  /** The last catch-up of every chat succeeded. */
  boolean finalSyncComplete() {
    return finalSyncComplete;
  }

  /** The device's chats once finished (read after {@link #awaitFinished}). */
  Map<String, Synced> synced() {
    return synced;
  }

  // ---- sending ----

  private void runSender() {
    long intervalNanos = (long) (1e9 / messagesPerSecond);
    long next = System.nanoTime() + (long) (random.nextDouble() * intervalNanos);
    while (sending) {
      long wait = next - System.nanoTime();
      if (wait > 0 && !Threads.sleep(wait / 1_000_000)) {
        return;
      }
      if (!sending) {
        return;
      }
      // Jitter around the mean keeps clients from sending in lockstep.
      next = Math.max(next, System.nanoTime() - intervalNanos) + (long) ((0.5 + random.nextDouble()) * intervalNanos);
      Chat chat = pick();
      String clientMessageId = runTag + "-u" + account.index() + "-" + String.format("%06d", ++seq);
      sendUntilAcked(chat, clientMessageId);
    }
  }

  /** A channel owner posts there three times as often as in each of its other chats. */
  private Chat pick() {
    int weight = 0;
    for (Chat c : postable) {
      weight += c.kind().equals("channel") ? 3 : 1;
    }
    int r = random.nextInt(weight);
    for (Chat c : postable) {
      r -= c.kind().equals("channel") ? 3 : 1;
      if (r < 0) {
        return c;
      }
    }
    return postable.get(postable.size() - 1);
  }

  private void sendUntilAcked(Chat chat, String clientMessageId) {
    int node = random.nextInt(urls.size());
    for (int attempt = 0; ; attempt++) {
      if (System.nanoTime() > giveUpAtNanos) {
        ledger.abandoned();
        events.log("user %d: gave up on %s in %s (still unacknowledged)", account.index(), clientMessageId, chat.chatId());
        return;
      }
      Connection c = connection;
      boolean viaSocket = sendPath == SendPath.SOCKET && c != null && c.isReady() && !c.closed;
      Attempt a = viaSocket ? viaSocket(c, chat, clientMessageId) : viaHttp(node, chat, clientMessageId);
      if (a.ack() != null) {
        ledger.acked(a.ack());
        return;
      }
      sendErrors.add(a.failure());
      if (a.failure() == ErrorKind.REJECTED) {
        ledger.rejected();
        events.log("user %d: %s in %s refused (%s); not retried", account.index(), clientMessageId, chat.chatId(), a.detail());
        return;
      }
      Threads.sleep(backoffMillis(attempt, a.retryAfterSeconds()));
      node = (node + 1) % urls.size();
    }
  }

  private Attempt viaHttp(int node, Chat chat, String clientMessageId) {
    Outcome o =
        api.post(urls.get(node), "/v1/chats/" + chat.chatId() + "/messages", account.token(),
            Map.of("clientMessageId", clientMessageId, "text", text(clientMessageId)), SEND_TIMEOUT);
    if (o.ok()) {
      return new Attempt(
          new Ledger.Ack(chat.chatId(), clientMessageId, account.userId(), o.body().path("messageId").asLong(), o.body().path("pts").asLong()),
          null, null, null);
    }
    return new Attempt(null, o.failure(), o.retryAfterSeconds(), o.detail());
  }

  private Attempt viaSocket(Connection c, Chat chat, String clientMessageId) {
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    Pending p = new Pending(c, answer);
    pending.put(clientMessageId, p);
    String frame =
        Api.write(Map.of("type", "send", "chatId", chat.chatId(), "clientMessageId", clientMessageId, "text", text(clientMessageId)));
    if (!c.send(frame)) {
      pending.remove(clientMessageId, p);
      return new Attempt(null, ErrorKind.SOCKET_CLOSED, null, "send on a closed socket");
    }
    JsonNode reply;
    try {
      reply = answer.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      if (pending.remove(clientMessageId, p)) {
        return new Attempt(null, ErrorKind.TIMEOUT, null, "no answer on the socket");
      }
      // The answer (or the socket's close) took it between the timeout and the removal, and
      // completes the future right after: an acknowledgement must not go unrecorded.
      reply = answer.exceptionally(closed -> null).join();
      if (reply == null) {
        return new Attempt(null, ErrorKind.SOCKET_CLOSED, null, "socket closed before the answer");
      }
    } catch (ExecutionException e) {
      return new Attempt(null, ErrorKind.SOCKET_CLOSED, null, "socket closed before the answer");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Attempt(null, ErrorKind.OTHER, null, "interrupted");
    }
    if (reply.path("type").asText().equals("sent")) {
      return new Attempt(
          new Ledger.Ack(chat.chatId(), clientMessageId, account.userId(), reply.path("messageId").asLong(), reply.path("pts").asLong()),
          null, null, null);
    }
    JsonNode error = reply.path("error");
    String code = error.path("code").asText(null);
    Integer retryAfter = error.hasNonNull("retryAfterSeconds") ? error.get("retryAfterSeconds").asInt() : null;
    return new Attempt(null, Api.kindOf(0, code), retryAfter, "error frame " + code);
  }

  /**
   * 250 ms doubling to 2 s, plus jitter; a server's retryAfterSeconds is honoured up to 3 s (past
   * that a client would rather try another node).
   */
  private long backoffMillis(int attempt, Integer retryAfterSeconds) {
    long base = Math.min(2_000, 250L << Math.min(attempt, 3));
    if (retryAfterSeconds != null) {
      base = Math.min(Math.max(base, retryAfterSeconds * 1000L), 3_000);
    }
    return base + random.nextInt(100);
  }

  // ---- syncing ----

  private void runSync() {
    try {
      while (!finishing) {
        Connection c = connection;
        if (c == null || c.closed) {
          connection = null;
          connect();
          continue;
        }
        Object event = inbox.poll(250, TimeUnit.MILLISECONDS);
        handle(event);
        keepAlive(c);
      }
      for (Object event = inbox.poll(); event != null; event = inbox.poll()) {
        handle(event);
      }
      boolean complete = true;
      for (Chat chat : chats) {
        complete &= catchUp(chat.chatId());
      }
      finalSyncComplete = complete;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Connection c = connection;
      if (c != null) {
        c.abort();
      }
      firstSync.countDown();
      finished.countDown();
    }
  }

  private void handle(Object event) {
    if (event instanceof Frame f) {
      onFrame(f.frame());
    } else if (event instanceof Closed closed && closed.connection() == connection) {
      syncErrors.add(ErrorKind.SOCKET_CLOSED);
      connection = null;
    }
  }

  /**
   * Pings every {@link #PING_EVERY_MS}; a socket that has shown no frame since a ping sent
   * {@link #STALL_MS} ago is dead. (Counting from the ping, not from the last frame, so a sync
   * thread that was busy catching up does not take its own silence for the server's.)
   */
  private void keepAlive(Connection c) {
    long now = System.nanoTime();
    long unanswered = c.firstUnansweredPingNanos;
    if (unanswered != 0 && c.lastFrameNanos > unanswered) {
      c.firstUnansweredPingNanos = unanswered = 0;
    }
    if (unanswered != 0 && (now - unanswered) / 1_000_000 > STALL_MS) {
      syncErrors.add(ErrorKind.SOCKET_STALLED);
      events.log("user %d: socket to node %d stalled; reconnecting", account.index(), c.node + 1);
      c.abort();
      connection = null;
    } else if ((now - c.lastPingNanos) / 1_000_000 >= PING_EVERY_MS) {
      c.lastPingNanos = now;
      if (unanswered == 0) {
        c.firstUnansweredPingNanos = now;
      }
      c.send("{\"type\":\"ping\"}");
    }
  }

  /** Opens the socket on the next node that takes it, then catches up every chat. */
  private void connect() throws InterruptedException {
    for (int attempt = 0; !finishing; attempt++) {
      int node = (account.index() + connectAttempts++) % urls.size();
      Connection c = open(node);
      if (c != null) {
        if (firstSync.getCount() == 0) {
          reconnects.incrementAndGet();
        }
        connection = c;
        for (Chat chat : chats) {
          catchUp(chat.chatId());
        }
        firstSync.countDown();
        return;
      }
      Thread.sleep(backoffMillis(Math.min(attempt, 2), null));
    }
  }

  private Connection open(int node) {
    Connection c = new Connection(node);
    CompletableFuture<WebSocket> opening =
        api.http()
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + account.token())
            .connectTimeout(Duration.ofSeconds(2))
            .buildAsync(URI.create(urls.get(node).replaceFirst("^http", "ws") + "/v1/updates"), c);
    try {
      opening.get(5, TimeUnit.SECONDS);
      c.ready.get(10, TimeUnit.SECONDS);
      return c;
    } catch (TimeoutException e) {
      syncErrors.add(ErrorKind.TIMEOUT);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof WebSocketHandshakeException h) {
        int status = h.getResponse().statusCode();
        syncErrors.add(Api.kindOf(status, status == 503 ? "UNAVAILABLE" : null));
      } else {
        syncErrors.add(Api.ioKind(cause));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Given up: a handshake that completes later must not leave a socket behind.
    opening.whenComplete((ws, failure) -> c.abort());
    return null;
  }

  /** Applies a live frame by the pts rules; a gap means catching up that chat first. */
  private void onFrame(JsonNode f) {
    String chatId = f.path("chatId").asText(null);
    Synced s = chatId == null ? null : synced.get(chatId);
    if (s == null || !f.hasNonNull("pts")) {
      // Not a numbered change of one of our chats (a channel's own read mark, typing, …).
      return;
    }
    long pts = f.get("pts").asLong();
    if (pts <= s.pts) {
      return;
    }
    if (pts > s.pts + 1) {
      gapsCaughtUp.incrementAndGet();
      catchUp(chatId);
      if (pts != s.pts + 1) {
        return;
      }
    }
    apply(s, f);
    s.pts = pts;
  }

  /**
   * {@code updates?afterPts=} until the answer's pts, through the socket's node first and the
   * others after; false when the client gave up (the run is over).
   */
  private boolean catchUp(String chatId) {
    Synced s = synced.get(chatId);
    Connection c = connection;
    int node = c != null ? c.node : account.index() % urls.size();
    for (int attempt = 0; ; ) {
      if (System.nanoTime() > catchUpUntilNanos) {
        return false;
      }
      Outcome o =
          api.get(urls.get(node), "/v1/chats/" + chatId + "/updates?afterPts=" + s.pts + "&limit=" + UPDATES_PAGE, account.token(), READ_TIMEOUT);
      if (!o.ok()) {
        syncErrors.add(o.failure());
        Threads.sleep(backoffMillis(attempt++, o.retryAfterSeconds()));
        node = (node + 1) % urls.size();
        continue;
      }
      JsonNode updates = o.body().path("updates");
      long answerPts = o.body().path("pts").asLong();
      for (JsonNode u : updates) {
        long pts = u.path("pts").asLong();
        if (pts > s.pts) {
          apply(s, u);
          s.pts = pts;
        }
      }
      // Numbers may be skipped inside an answer (edits, deletions): that is not a gap.
      if (updates.size() < UPDATES_PAGE || s.pts >= answerPts) {
        s.pts = Math.max(s.pts, answerPts);
        return true;
      }
    }
  }

  private static void apply(Synced s, JsonNode update) {
    switch (update.path("type").asText()) {
      case "message.new", "message.edited" -> {
        JsonNode m = update.path("message");
        s.messages.put(m.path("messageId").asLong(), m.path("text").asText());
      }
      case "message.deleted" -> s.messages.remove(update.path("messageId").asLong());
      default -> {
        // Member, role, read and title changes move pts; this client keeps no more of them.
      }
    }
  }

  /** The answer to a socket send, routed by clientMessageId; a late one is recorded too. */
  private void onSendAnswer(JsonNode frame) {
    String clientMessageId = frame.path("clientMessageId").asText(null);
    if (clientMessageId == null) {
      return;
    }
    Pending p = pending.remove(clientMessageId);
    if (p != null) {
      p.answer().complete(frame);
    } else if (frame.path("type").asText().equals("sent")) {
      ledger.late(
          new Ledger.Ack(frame.path("chatId").asText(), clientMessageId, account.userId(), frame.path("messageId").asLong(),
              frame.path("pts").asLong()));
    }
  }

  /** One updates socket. Listener callbacks only parse and hand frames on; they never block. */
  private final class Connection implements WebSocket.Listener {
    final int node;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    volatile WebSocket ws;
    volatile boolean closed;
    volatile long lastFrameNanos = System.nanoTime();
    volatile long lastPingNanos = System.nanoTime();
    /** When the first ping without a frame after it was sent; 0: none outstanding. */
    volatile long firstUnansweredPingNanos;

    Connection(int node) {
      this.node = node;
    }

    boolean isReady() {
      return ready.isDone();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      ws = webSocket;
      lastFrameNanos = System.nanoTime();
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        lastFrameNanos = System.nanoTime();
        try {
          JsonNode frame = Api.JSON.readTree(text);
          switch (frame.path("type").asText()) {
            case "ready" -> ready.complete(null);
            case "sent", "error" -> onSendAnswer(frame);
            case "pong" -> {}
            default -> inbox.add(new Frame(this, frame));
          }
        } catch (IOException e) {
          events.log("user %d: unparseable frame %s", account.index(), text);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed();
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed();
    }

    private void closed() {
      if (closed) {
        return;
      }
      closed = true;
      ready.completeExceptionally(new IOException("socket closed"));
      inbox.add(new Closed(this));
      pending.forEach(
          (id, p) -> {
            if (p.connection() == this && pending.remove(id, p)) {
              p.answer().completeExceptionally(new IOException("socket closed"));
            }
          });
    }

    /** One send at a time: the WebSocket API allows no overlapping sends. */
    synchronized boolean send(String text) {
      WebSocket w = ws;
      if (w == null || closed) {
        return false;
      }
      try {
        w.sendText(text, true).get(3, TimeUnit.SECONDS);
        return true;
      } catch (ExecutionException | TimeoutException e) {
        abort();
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    void abort() {
      WebSocket w = ws;
      if (w != null) {
        w.abort();
      }
      closed();
    }
  }
}
