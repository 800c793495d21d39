package org.herald.loadgen;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;
import org.herald.chaos.Progress;
import org.herald.chaos.Threads;

/**
 * One sender, many receivers. A group of {@code --members}, {@code --connected} of them with a
 * socket open (on a {@link SocketHerd}, the poster's among them): the owner posts {@code
 * --posts} messages over a second socket of its own, {@link #INFLIGHT} unacknowledged at most,
 * and the scenario measures from the first send until every connected member has every post
 * (after a warm-up round of up to {@link #WARMUP_POSTS} posts, delivered in full, unmeasured).
 * Then a public channel of {@code --subscribers}, added by its owner in batches, {@code
 * --channel-connected} of them connected: the owner posts {@code --channel-posts} messages over
 * HTTP, a second apart, each after the last reached everyone, and each post's reach is timed.
 * Latency is per delivery, from the send time carried in the message's text.
 */
final class FanoutScenario implements Scenario {
  /** The group poster's unacknowledged sends: enough to keep the chat's journal batches full. */
  static final int INFLIGHT = 64;
  /** Group posts before the measured ones (at most {@code --posts}). */
  static final int WARMUP_POSTS = 50;
  /** The longest wait for a fan-out to complete; past it the scenario reports what arrived. */
  private static final long REACH_TIMEOUT_NANOS = 120_000_000_000L;

  @Override
  public String name() {
    return "fanout";
  }

  @Override
  public String summary() {
    return "one poster, many receivers: a group of --members, a public channel of --subscribers";
  }

  /** What a fan-out's receivers saw: per socket counts, the latency, the last arrival. */
  private static final class Reach implements SocketHerd.FrameSink {
    final String chatId;
    final int[] perSocket;
    final Histogram latency = new SynchronizedHistogram(3);
    final AtomicLong delivered = new AtomicLong();
    volatile long lastNanos;
    /** When set, only deliveries of the message sent at this time count (the channel's posts). */
    volatile long onlySentAt = -1;

    Reach(String chatId, int sockets) {
      this.chatId = chatId;
      this.perSocket = new int[sockets];
    }

    @Override
    public void onText(int socket, String text) {
      long now = System.nanoTime();
      if (!Frames.is(text, "type", "message.new") || !Frames.is(text, "chatId", chatId)) {
        return;
      }
      long sentAt = LoadFrames.deliverySendNanos(text);
      if (sentAt < 0 || (onlySentAt >= 0 && sentAt != onlySentAt)) {
        return;
      }
      latency.recordValue(Math.max(0, (now - sentAt) / 1000));
      perSocket[socket]++;
      lastNanos = now;
      delivered.incrementAndGet();
    }

    /** Waits until {@code expected} deliveries arrived, or the timeout, or {@code stop} is set. */
    boolean await(long expected, long fromNanos, AtomicReference<String> stop) {
      while (delivered.get() < expected && stop.get() == null && System.nanoTime() - fromNanos < REACH_TIMEOUT_NANOS) {
        Threads.sleep(2);
      }
      return delivered.get() >= expected;
    }

    /** Forgets a finished round: counts and latencies start again. */
    void reset() {
      delivered.set(0);
      latency.reset();
      Arrays.fill(perSocket, 0);
    }

    int socketsWith(int count) {
      return (int) Arrays.stream(perSocket).filter(n -> n >= count).count();
    }
  }

  @Override
  public ScenarioResult run(BenchContext context) throws IOException {
    BenchOptions.Sizes z = context.options().sizes();
    Map<String, Object> figures = new LinkedHashMap<>();
    Map<String, String> line = new LinkedHashMap<>();
    Map<String, Histogram> latencies = new LinkedHashMap<>();
    Histogram group = group(context, z, figures);
    Histogram channel = channel(context, z, figures);
    line.put("deliveries_per_s", figures.get("group_deliveries_per_s").toString());
    line.put("group_all_ms", figures.get("group_all_ms").toString());
    line.put("channel_reach_ms", figures.get("channel_reach_p50_ms").toString());
    line.put("channel_reach_max_ms", figures.get("channel_reach_max_ms").toString());
    line.put("p50_ms", ResultLine.millis(group.getValueAtPercentile(50)));
    line.put("p99_ms", ResultLine.millis(group.getValueAtPercentile(99)));
    line.put("channel_p99_ms", ResultLine.millis(channel.getValueAtPercentile(99)));
    latencies.put("group send→deliver", group);
    latencies.put("channel send→deliver", channel);
    return new ScenarioResult(name(), figures, line, latencies, List.of(), null);
  }

  private Histogram group(BenchContext context, BenchOptions.Sizes z, Map<String, Object> figures) throws IOException {
    BenchClient client = context.client();
    List<BenchUser> users = context.setUp(name(), () -> client.createUsers(z.members()));
    BenchUser poster = users.get(0);
    String chatId = client.createGroup(poster, "bench fanout");
    context.setUp(name(), () -> {
      client.addMembers(poster, chatId, users.subList(1, users.size()));
      return null;
    });
    Reach reach = new Reach(chatId, z.connected());
    // The poster's second socket is the herd's last (after the receivers'): its frames are the
    // acks, and each ack lets the next post out from the herd's thread.
    int posterSocket = z.connected();
    AtomicLong sent = new AtomicLong();
    AtomicLong limit = new AtomicLong();
    AtomicLong acked = new AtomicLong();
    AtomicLong lastAckNanos = new AtomicLong();
    AtomicReference<String> error = new AtomicReference<>();
    AtomicReference<SocketHerd> herdRef = new AtomicReference<>();
    SocketHerd.FrameSink frames = (socket, text) -> {
      if (socket != posterSocket) {
        reach.onText(socket, text);
        return;
      }
      switch (LoadFrames.kind(text)) {
        case ACK -> {
          acked.incrementAndGet();
          lastAckNanos.set(System.nanoTime());
          sendNext(herdRef.get(), posterSocket, chatId, sent, limit.get(), error);
        }
        case ERROR -> error.compareAndSet(null, text);
        case DELIVERY, OTHER -> { }
      }
    };
    try (SocketHerd herd = new SocketHerd(context.baseUrl(), frames)) {
      herdRef.set(herd);
      connect(context, herd, users.subList(0, z.connected()), figures, "group_");
      int connected = herd.ready();
      long expected = (long) z.posts() * connected;
      SocketHerd.Outcome out = herd.connect(List.of(poster.token()));
      if (out.failed() > 0) {
        throw new IllegalStateException("the fanout poster's socket failed (the herd's first error: " + out.firstError() + ")");
      }
      int warmup = Math.min(z.posts(), WARMUP_POSTS);
      long start;
      // A warm-up round of the same kind first, as every other scenario has: the node's fan-out
      // code is compiled and its pools grown before the measured round starts.
      context.log("fanout: group of %d members, %d connected; %d warm-up posts, then %d measured, %d in flight", users.size(),
          connected, warmup, z.posts(), INFLIGHT);
      try (Progress p = context.progress(() -> "bench fanout group warm-up: delivered " + reach.delivered.get() + "/"
          + (long) warmup * connected)) {
        round(herd, posterSocket, chatId, sent, limit, warmup, reach, (long) warmup * connected, error);
      }
      reach.reset();
      acked.set(0);
      try (Progress p = context.progress(() -> "bench fanout group: acked " + acked.get() + "/" + z.posts() + ", delivered "
          + reach.delivered.get() + "/" + expected)) {
        start = round(herd, posterSocket, chatId, sent, limit, z.posts(), reach, expected, error);
        // Every post was delivered; its ack to the poster may still be on its way.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (acked.get() < z.posts() && error.get() == null && System.nanoTime() < deadline) {
          Threads.sleep(1);
        }
      }
      double seconds = Math.max(1e-9, (reach.lastNanos - start) / 1e9);
      figures.put("group_members", users.size());
      figures.put("group_connected", connected);
      figures.put("group_warmup_posts", warmup);
      figures.put("group_posts", z.posts());
      figures.put("group_acked", acked.get());
      // How long the posts took to be durable, all of them: the poster's side of group_all_ms.
      figures.put("group_acked_ms", Math.round((lastAckNanos.get() - start) / 1e3) / 1000.0);
      figures.put("group_deliveries", reach.delivered.get());
      figures.put("group_deliveries_expected", expected);
      figures.put("group_members_with_all_posts", reach.socketsWith(z.posts()));
      figures.put("group_all_ms", Math.round(seconds * 1e6) / 1000.0);
      figures.put("group_deliveries_per_s", Math.round(reach.delivered.get() / seconds));
      figures.put("group_first_error", error.get() == null ? "none" : error.get());
      return reach.latency;
    }
  }

  /** Posts {@code posts} more, {@link #INFLIGHT} at a time, and waits for their deliveries; returns the start. */
  private static long round(SocketHerd herd, int socket, String chatId, AtomicLong sent, AtomicLong limit, int posts, Reach reach,
      long expected, AtomicReference<String> error) {
    long start = System.nanoTime();
    limit.addAndGet(posts);
    for (int i = 0; i < Math.min(INFLIGHT, posts); i++) {
      sendNext(herd, socket, chatId, sent, limit.get(), error);
    }
    reach.await(expected, start, error);
    return start;
  }

  private static void sendNext(SocketHerd herd, int socket, String chatId, AtomicLong sent, long posts,
      AtomicReference<String> error) {
    long n = sent.incrementAndGet();
    if (n <= posts) {
      if (!herd.send(socket, LoadFrames.send(chatId, System.nanoTime(), n))) {
        error.compareAndSet(null, "the poster's socket is closed (the herd's first error: " + herd.firstError() + ")");
      }
    } else {
      // Not sent: the next round's posts start right after the last one sent.
      sent.decrementAndGet();
    }
  }

  private Histogram channel(BenchContext context, BenchOptions.Sizes z, Map<String, Object> figures) throws IOException {
    BenchClient client = context.client();
    List<BenchUser> users = context.setUp(name(), () -> client.createUsers(z.subscribers() + 1));
    BenchUser owner = users.get(0);
    List<BenchUser> subscribers = users.subList(1, users.size());
    String chatId = client.createChannel(owner, "bench fanout");
    long addStart = System.nanoTime();
    context.setUp(name(), () -> {
      client.addMembers(owner, chatId, subscribers);
      return null;
    });
    figures.put("channel_subscribers", subscribers.size());
    figures.put("channel_add_per_s", Math.round(subscribers.size() / Math.max(1e-9, (System.nanoTime() - addStart) / 1e9)));
    Reach reach = new Reach(chatId, z.channelConnected());
    try (SocketHerd herd = new SocketHerd(context.baseUrl(), reach)) {
      connect(context, herd, subscribers.subList(0, z.channelConnected()), figures, "channel_");
      int connected = herd.ready();
      List<Double> reachMs = new ArrayList<>();
      AtomicReference<String> error = new AtomicReference<>();
      int[] post = new int[1];
      try (Progress p = context.progress(() -> "bench fanout channel: post " + Math.min(post[0] + 1, z.channelPosts()) + "/" + z.channelPosts()
          + ", reached " + reach.delivered.get() + "/" + connected)) {
        for (; post[0] < z.channelPosts(); post[0]++) {
          if (post[0] > 0) {
            Threads.sleep(1000);
          }
          long start = System.nanoTime();
          reach.onlySentAt = start;
          reach.delivered.set(0);
          try {
            client.post("/v1/chats/" + chatId + "/messages", owner.token(),
                Map.of("clientMessageId", "fanout-" + start, "text", LoadFrames.TEXT_PREFIX + start));
          } catch (IllegalStateException e) {
            error.compareAndSet(null, e.getMessage());
            break;
          }
          if (!reach.await(connected, start, error)) {
            error.compareAndSet(null, "post " + (post[0] + 1) + " reached " + reach.delivered.get() + " of " + connected
                + " subscribers in " + REACH_TIMEOUT_NANOS / 1_000_000_000L + " s");
          }
          reachMs.add((reach.lastNanos - start) / 1e6);
        }
      }
      double[] sorted = reachMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      figures.put("channel_connected", connected);
      figures.put("channel_posts", reachMs.size());
      figures.put("channel_reach_ms", reachMs.stream().map(ms -> Math.round(ms * 1000) / 1000.0).toList());
      figures.put("channel_reach_p50_ms", sorted.length == 0 ? 0 : Math.round(sorted[(sorted.length - 1) / 2] * 1000) / 1000.0);
      figures.put("channel_reach_max_ms", sorted.length == 0 ? 0 : Math.round(sorted[sorted.length - 1] * 1000) / 1000.0);
      figures.put("channel_subscribers_with_all_posts", reach.socketsWith(reachMs.size()));
      figures.put("channel_first_error", error.get() == null ? "none" : error.get());
      return reach.latency;
    }
  }

  /** Opens the users' sockets on the herd under a progress line; their counts go in the figures. */
  static SocketHerd.Outcome connect(BenchContext context, SocketHerd herd, List<BenchUser> users, Map<String, Object> figures,
      String prefix) {
    SocketHerd.Outcome o;
    try (Progress p = context.progress(() -> "bench sockets: ready " + herd.ready() + "/" + users.size() + ", failed " + herd.failed())) {
      o = herd.connect(users.stream().map(BenchUser::token).toList());
    }
    figures.put(prefix + "sockets_ready", o.ready());
    figures.put(prefix + "sockets_failed", o.failed());
    if (o.failed() > 0) {
      figures.put(prefix + "sockets_first_error", o.firstError());
      context.log("%d of %d sockets failed; the first: %s", o.failed(), users.size(), o.firstError());
    }
    return o;
  }
}
