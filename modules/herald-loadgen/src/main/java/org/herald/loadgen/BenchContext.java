package org.herald.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.herald.chaos.Progress;
import org.herald.chaos.Threads;

/**
 * What a scenario gets from the run: the options, the target node (its URL; its pid and restart when
 * the bench started it), the shared {@link BenchClient}, the progress line, and the ceiling figure a
 * scenario that runs first may publish for the others to compare against.
 */
public final class BenchContext {
  /** The longest wait for the node's projections to catch up (between scenarios, say). */
  private static final long CATCH_UP_NANOS = 120_000_000_000L;

  private final BenchOptions options;
  private final String baseUrl;
  private final TargetNode node;
  private final BenchClient client;
  private final PrintStream err;
  private volatile Double ceilingPerSecond;

  BenchContext(BenchOptions options, String baseUrl, TargetNode node, BenchClient client, PrintStream err) {
    this.options = options;
    this.baseUrl = baseUrl;
    this.node = node;
    this.client = client;
    this.err = err;
  }

  public BenchOptions options() {
    return options;
  }

  /** The node's base URL, like http://127.0.0.1:8080. */
  public String baseUrl() {
    return baseUrl;
  }

  /** The node's process id when the bench started it (for RSS and the like); empty with --url. */
  public OptionalLong nodePid() {
    return node == null ? OptionalLong.empty() : OptionalLong.of(node.pid());
  }

  /**
   * The operator port's {@code /metrics} of the node the bench started, or null (with --url, or
   * when it cannot be read).
   */
  public NodeMetrics nodeMetrics() {
    return node == null ? null : NodeMetrics.scrape(node.adminUrl());
  }

  /**
   * The projections of the node the bench started that have not processed every event yet, or
   * are paused, from its operator port's {@code GET /projections} (which reads the lag from the
   * database when asked); null with --url or when the table cannot be read.
   */
  public List<String> projectionsBehind() {
    String body = node == null ? null : NodeMetrics.operatorGet(node.adminUrl(), "/projections");
    if (body == null) {
      return null;
    }
    try {
      List<String> behind = new ArrayList<>();
      for (JsonNode p : BenchClient.JSON.readTree(body).path("projections")) {
        if (!p.path("caughtUp").asBoolean()) {
          behind.add(p.path("name").asText());
        }
      }
      return behind;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Waits until the node the bench started says every projection has caught up, up to {@link
   * #CATCH_UP_NANOS}; says what it found.
   */
  public String awaitProjections() {
    long start = System.nanoTime();
    List<String> behind = awaitCaughtUp(1000);
    if (behind == null) {
      return "projections' lag not readable";
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return behind.isEmpty()
        ? String.format(Locale.ROOT, "projections caught up in %.1f s", seconds)
        : String.format(Locale.ROOT, "projections still behind after %.0f s: %s", seconds, String.join(", ", behind));
  }

  /**
   * Asks every {@code pollMillis} until the node says every projection has caught up, up to
   * {@link #CATCH_UP_NANOS}; the projections still behind then (empty when all caught up), or null
   * when the lag cannot be read.
   */
  public List<String> awaitCaughtUp(long pollMillis) {
    long start = System.nanoTime();
    List<String> behind = projectionsBehind();
    while (behind != null && !behind.isEmpty() && System.nanoTime() - start < CATCH_UP_NANOS) {
      Threads.sleep(pollMillis);
      behind = projectionsBehind();
    }
    return behind;
  }

  /** Whether the bench started the node, so that it can restart it and read its memory. */
  public boolean startedNode() {
    return node != null;
  }

  /**
   * Restarts the node the bench started, on the same address (a new pid); the milliseconds until
   * it said ready again. Only when {@link #startedNode()}.
   */
  public long restartNode() throws java.io.IOException {
    if (node == null) {
      throw new IllegalStateException("the node at --url is not the bench's to restart");
    }
    long t = System.nanoTime();
    node.restart();
    return (System.nanoTime() - t) / 1_000_000;
  }

  public BenchClient client() {
    return client;
  }

  /** Where results.json and the charts go. */
  public Path outDir() {
    return options.outDir();
  }

  /**
   * Publishes the run's ceiling: the rows per second the database takes in batches, measured
   * outside Herald. Every later scenario's result line shows {@code ceiling_per_s} and {@code
   * ratio=herald/ceiling}.
   */
  public void publishCeiling(double rowsPerSecond) {
    ceilingPerSecond = rowsPerSecond;
  }

  public OptionalDouble ceilingPerSecond() {
    Double c = ceilingPerSecond;
    return c == null ? OptionalDouble.empty() : OptionalDouble.of(c);
  }

  /**
   * The load's warm-up and measured length, in whole seconds (at least one measured second), the
   * warm-up going on up to {@code --warmup-max} until the node's JIT settles; it reads the CPU
   * time of the node, PostgreSQL, the bench and the machine, and the node's own latency
   * histograms, over the measured window.
   */
  public Measurement newMeasurement() {
    return new Measurement(options.warmup().toSeconds(), options.warmupMax().toSeconds(),
        Math.max(1, options.duration().toSeconds()), () -> CpuTime.read(nodePid()), this::nodeMetrics);
  }

  /** A progress line on stderr until closed: a bar in a terminal, a line every 10 s otherwise. */
  public Progress progress(Supplier<String> line) {
    return new Progress(err, options.progressBar(), line);
  }

  /** Runs a setup step under a progress line showing the client's setup counts. */
  public <T> T setUp(String scenario, Supplier<T> step) {
    try (Progress p = progress(() -> "bench " + scenario + " setup: " + client.setupStatus())) {
      return step.get();
    }
  }

  /**
   * The usual start of a load scenario: {@code n} users in pairs, the direct chat of each pair,
   * and every user's updates socket, ready, on one {@link SocketHerd} whose socket {@code j} is
   * {@code users[j]}'s; {@code frames} gets their frames on the herd's thread.
   */
  public Pairs pairs(String scenario, int n, UserFrames frames) {
    List<BenchUser> users = setUp(scenario, () -> client.createUsers(n));
    List<String> chats = setUp(scenario, () -> client.directChatsOfPairs(users));
    SocketHerd herd = new SocketHerd(baseUrl(), (socket, text) -> frames.onFrame(users.get(socket), text));
    SocketHerd.Outcome o;
    try (Progress p = progress(() -> "bench " + scenario + " setup: sockets " + herd.ready() + "/" + n)) {
      o = herd.connect(users.stream().map(BenchUser::token).toList());
    }
    if (o.failed() > 0) {
      herd.close();
      throw new IllegalStateException(o.failed() + " of " + n + " updates sockets failed; the first: " + o.firstError());
    }
    log("%s: %d users, %d direct chats, %d sockets ready", scenario, users.size(), chats.size(), o.ready());
    return new Pairs(users, chats, herd);
  }

  /** Receives each text frame of a user's load socket after its {@code ready}, in order. */
  @FunctionalInterface
  public interface UserFrames {
    void onFrame(BenchUser user, String frame);
  }

  /**
   * Users in pairs: {@code users[2i]} and {@code users[2i+1]} share {@code chats[i]}; socket
   * {@code j} of the herd is {@code users[j]}'s.
   */
  public record Pairs(List<BenchUser> users, List<String> chats, SocketHerd herd) {
    public String chatOf(int user) {
      return chats.get(user / 2);
    }

    public void closeAll() {
      herd.close();
    }
  }

  /** A line on stderr, prefixed "bench: " like the rest of the run's narration. */
  public void log(String format, Object... args) {
    err.println("herald bench: " + String.format(Locale.ROOT, format, args));
    err.flush();
  }
}
