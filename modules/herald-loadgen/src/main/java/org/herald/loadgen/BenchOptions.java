package org.herald.loadgen;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.herald.chaos.ChaosOptions;

/**
 * What a bench run does: the scenarios, the target (a running node at {@code --url}, or a node
 * the run starts on {@code HERALD_DB_URL}), the load's size and length, and where the results
 * go. {@code --quick} shrinks every default to a few seconds and a few users; flags given
 * explicitly still win.
 *
 * @param nodeJavaOptions JVM options added to the node the run starts (profiling: JFR, GC logs)
 * @param nodeClasspath class path of the node the run starts; null: this JVM's own
 * @param progressBar a bar rewritten every second (a terminal) rather than a line every ten
 *     seconds (logs, tests)
 */
public record BenchOptions(
    List<String> scenarios,
    String url,
    int users,
    Duration duration,
    Duration warmup,
    Duration warmupMax,
    int inflight,
    double rate,
    String nodeHeap,
    List<String> nodeJavaOptions,
    int setupConcurrency,
    Path outDir,
    boolean quick,
    boolean dryRun,
    String dbUrl,
    String dbUser,
    String dbPassword,
    String nodeClasspath,
    boolean progressBar,
    Sizes sizes) {

  /**
   * The sizes of fanout, connections and recovery.
   *
   * @param connected group members with a socket open (at most {@code members})
   * @param channelConnected channel subscribers with a socket open (at most {@code subscribers})
   * @param recoverySizes the chat sizes recovery fills and restarts, one chat each
   */
  public record Sizes(
      int members,
      int connected,
      int posts,
      int subscribers,
      int channelConnected,
      int channelPosts,
      int connections,
      List<Integer> recoverySizes) {
    public Sizes {
      recoverySizes = List.copyOf(recoverySizes);
    }
  }

  /** Above this many channel subscribers the node the bench starts gets an 8 GiB heap by default. */
  static final int BIG_CHANNEL = 50_000;

  /** A group holds at most this many members (the chat entity's limit). */
  static final int MAX_GROUP_MEMBERS = 200_000;

  /** A bad flag or value: printed with the usage, exit status 2. Empty message: --help. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }

  private static final Pattern HEAP = Pattern.compile("[1-9][0-9]{0,5}[mMgG]");
  /** Plain HTTP only: the node serves no TLS, and the bench's sockets speak none. */
  private static final Pattern URL = Pattern.compile("http://[^/\\s]+");

  public static String usage() {
    StringBuilder s = new StringBuilder();
    s.append(
        """
        usage: bin/herald bench [scenario ...] [--url URL] [--users N] [--duration Ns] [--warmup Ns]
                                [--warmup-max Ns] [--inflight K] [--rate N] [--node-heap 2g]
                                [--node-java-opt OPT] [--setup-concurrency N]
                                [--out DIR] [--quick] [--dry-run] [--members M] [--connected K]
                                [--posts P] [--subscribers S] [--channel-connected C]
                                [--channel-posts N] [--connections C] [--messages N]
                                [--recovery-sizes N,N]
        scenarios (default: ceiling pairs rate wire):
        """);
    for (Scenario sc : Scenarios.ALL) {
      s.append(String.format(Locale.ROOT, "  %-12s %s%n", sc.name(), sc.summary()));
    }
    s.append(
        """
        options:
          --url URL              drive a running node (http://host:port); without it the bench starts
                                 one node on HERALD_DB_URL (bin/herald bench: a fresh herald_bench
                                 database), with cheap password hashing so accounts are made fast
          --users N              simulated users, an even number from 2 to 100000 (default 200)
          --duration Ns          measured time per scenario, after the warm-up (default 30s)
          --warmup Ns            time before measuring, per scenario (default 20s)
          --warmup-max Ns        pairs, rate: the warm-up goes on past --warmup, up to this, until
                                 the node's JIT compiled under 5% of the last 10 s (default 240s,
                                 or --warmup if longer; --quick, --url, --warmup 0s: no wait)
          --inflight K           pairs: unacknowledged messages per user, 1-1000 (default 1)
          --rate N               rate: messages per second, all users together (default 1000)
          --node-heap SIZE       heap of the node the bench starts, like 512m or 2g (default 2g;
                                 8g for fanout with more than 50,000 subscribers)
          --node-java-opt OPT    a JVM option for the node the bench starts, repeatable (to profile it:
                                 -XX:StartFlightRecording=filename=data/node.jfr,settings=profile)
          --setup-concurrency N  accounts, chats and sockets set up at once, 1-512 (default 32)
          --out DIR              results.json and charts (default data/bench/<timestamp>)
          --db-url URL           PostgreSQL of the node the bench starts (env HERALD_DB_URL); user
                                 and password from HERALD_DB_USER and HERALD_DB_PASSWORD
          --members M            fanout: group members, 2-200000 (default 1000; quick 20)
          --connected K          fanout: members with a socket open, 1-M (default M)
          --posts P              fanout: group messages, 1-100000 (default 100; quick 10)
          --subscribers S        fanout: channel subscribers, 1-1000000 (default 200000; quick 200)
          --channel-connected C  fanout: subscribers with a socket open, 1-S (default 10000; quick 50)
          --channel-posts N      fanout: channel posts, a second apart, 1-1000 (default 5; quick 2)
          --connections C        connections: idle sockets to hold, 1-200000 (default 19000; quick 200)
          --messages N           recovery: one chat of N messages, 1-10000000 (instead of the sizes)
          --recovery-sizes N,N   recovery: one chat per size (default 100000,1000000; quick 1000,5000)
          --quick                a few seconds and 20 users per scenario: proves the tool works
          --dry-run              check the options, print the plan and exit
        """);
    return s.toString();
  }

  public static BenchOptions parse(List<String> args, Map<String, String> env) {
    List<String> scenarios = new ArrayList<>();
    String url = null;
    Integer users = null;
    Duration duration = null;
    Duration warmup = null;
    Duration warmupMax = null;
    int inflight = 1;
    Double rate = null;
    String nodeHeap = null;
    List<String> nodeJavaOptions = new ArrayList<>();
    int setupConcurrency = 32;
    Path outDir = null;
    boolean quick = false;
    boolean dryRun = false;
    String dbUrl = blankToNull(env.get("HERALD_DB_URL"));
    Integer members = null;
    Integer connected = null;
    Integer posts = null;
    Integer subscribers = null;
    Integer channelConnected = null;
    Integer channelPosts = null;
    Integer connections = null;
    List<Integer> recoverySizes = null;
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      switch (flag) {
        case "--help", "-h" -> throw new UsageException("");
        case "--dry-run" -> dryRun = true;
        case "--quick" -> quick = true;
        case "--url" -> url = url(value(args, ++i));
        case "--users" -> users = integer(flag, value(args, ++i), 2, 100_000);
        case "--duration" -> duration = seconds(flag, value(args, ++i), false);
        case "--warmup" -> warmup = seconds(flag, value(args, ++i), true);
        case "--warmup-max" -> warmupMax = seconds(flag, value(args, ++i), true);
        case "--inflight" -> inflight = integer(flag, value(args, ++i), 1, 1000);
        case "--rate" -> rate = rate(value(args, ++i));
        case "--node-heap" -> nodeHeap = heap(value(args, ++i));
        case "--node-java-opt" -> nodeJavaOptions.add(javaOption(value(args, ++i)));
        case "--setup-concurrency" -> setupConcurrency = integer(flag, value(args, ++i), 1, 512);
        case "--out" -> outDir = Path.of(value(args, ++i));
        case "--db-url" -> dbUrl = value(args, ++i);
        case "--members" -> members = integer(flag, value(args, ++i), 2, MAX_GROUP_MEMBERS);
        case "--connected" -> connected = integer(flag, value(args, ++i), 1, MAX_GROUP_MEMBERS);
        case "--posts" -> posts = integer(flag, value(args, ++i), 1, 100_000);
        case "--subscribers" -> subscribers = integer(flag, value(args, ++i), 1, 1_000_000);
        case "--channel-connected" -> channelConnected = integer(flag, value(args, ++i), 1, 1_000_000);
        case "--channel-posts" -> channelPosts = integer(flag, value(args, ++i), 1, 1000);
        case "--connections" -> connections = integer(flag, value(args, ++i), 1, 200_000);
        case "--messages" -> recoverySizes = List.of(integer(flag, value(args, ++i), 1, 10_000_000));
        case "--recovery-sizes" -> recoverySizes = sizes(flag, value(args, ++i));
        default -> {
          if (flag.startsWith("-")) {
            throw new UsageException("unknown option " + flag);
          }
          if (Scenarios.byName(flag).isEmpty()) {
            throw new UsageException("unknown scenario " + flag + " (known: " + String.join(", ", Scenarios.names()) + ")");
          }
          scenarios.add(flag);
        }
      }
    }
    if (users == null) {
      users = quick ? 20 : 200;
    }
    if (users % 2 != 0) {
      throw new UsageException("--users must be an even number (users talk in pairs), got " + users);
    }
    if (duration == null) {
      duration = Duration.ofSeconds(quick ? 3 : 30);
    }
    if (warmup == null) {
      // A node's throughput climbs for its first 10-15 s under load while the JIT compiles on two
      // cores; a shorter warm-up measured that climb (docs/benchmarks.md).
      warmup = Duration.ofSeconds(quick ? 1 : 20);
    }
    if (warmupMax != null && url != null) {
      throw new UsageException("--warmup-max needs the node the bench starts (it reads the node's JIT time): drop --url");
    }
    if (warmupMax == null) {
      // The JIT goes on compiling for one to three minutes of load, 15-35 % of the node's CPU:
      // the warm-up waits for it up to this long (docs/benchmarks.md, "Warm-up until the JIT
      // settles"). A quick run, a run without a warm-up and one against --url do not wait.
      boolean waits = !quick && url == null && warmup.toSeconds() >= 1;
      Duration most = Duration.ofSeconds(240);
      warmupMax = waits && warmup.compareTo(most) < 0 ? most : warmup;
    }
    if (warmupMax.compareTo(warmup) < 0) {
      throw new UsageException("--warmup-max must be at least --warmup (" + ChaosOptions.format(warmup) + "), got "
          + ChaosOptions.format(warmupMax));
    }
    if (rate == null) {
      rate = quick ? 200.0 : 1000.0;
    }
    Sizes sizes = sizes(quick, members, connected, posts, subscribers, channelConnected, channelPosts, connections, recoverySizes);
    if (nodeHeap == null) {
      // Every account the bench makes stays a live entity on the node (about 8 KiB of heap with
      // its handle, docs/benchmarks.md) until it passivates: a 200,000-subscriber channel's
      // accounts alone nearly fill a 2 GiB heap.
      nodeHeap = scenarios.contains("fanout") && sizes.subscribers() > BIG_CHANNEL ? "8g" : "2g";
    }
    if (url == null && dbUrl == null && !dryRun) {
      throw new UsageException("no target: give --url of a running node, or HERALD_DB_URL or --db-url for the node the bench starts"
          + " (bin/herald bench creates a local database)");
    }
    if (url != null && scenarios.contains("recovery")) {
      throw new UsageException("recovery restarts the node it measures, so it runs only against a node the bench starts: drop --url");
    }
    if (url == null && dbUrl != null && !dbUrl.startsWith("jdbc:postgresql:")) {
      throw new UsageException("--db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db), got '" + dbUrl + "'");
    }
    if (outDir == null) {
      outDir = Path.of("data", "bench", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    return new BenchOptions(
        scenarios.isEmpty() ? Scenarios.DEFAULT : List.copyOf(scenarios), url, users, duration, warmup, warmupMax, inflight, rate,
        nodeHeap, List.copyOf(nodeJavaOptions), setupConcurrency, outDir, quick, dryRun, dbUrl, nullToEmpty(env.get("HERALD_DB_USER")),
        nullToEmpty(env.get("HERALD_DB_PASSWORD")), blankToNull(env.get("HERALD_BENCH_NODE_CLASSPATH")), true, sizes);
  }

  /** The sizes given, the (quick) defaults for the rest, and the checks between them. */
  private static Sizes sizes(boolean quick, Integer members, Integer connected, Integer posts, Integer subscribers,
      Integer channelConnected, Integer channelPosts, Integer connections, List<Integer> recoverySizes) {
    int m = members != null ? members : quick ? 20 : 1000;
    int k = connected != null ? connected : m;
    if (k > m) {
      throw new UsageException("--connected must be at most --members (" + m + "), got " + k);
    }
    int s = subscribers != null ? subscribers : quick ? 200 : 200_000;
    int c = channelConnected != null ? channelConnected : Math.min(s, quick ? 50 : 10_000);
    if (c > s) {
      throw new UsageException("--channel-connected must be at most --subscribers (" + s + "), got " + c);
    }
    return new Sizes(m, k, posts != null ? posts : quick ? 10 : 100, s, c, channelPosts != null ? channelPosts : quick ? 2 : 5,
        connections != null ? connections : quick ? 200 : 19_000,
        recoverySizes != null ? recoverySizes : quick ? List.of(1000, 5000) : List.of(100_000, 1_000_000));
  }

  /** A comma-separated list of distinct chat sizes, each 1-10000000. */
  private static List<Integer> sizes(String flag, String value) {
    List<Integer> out = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      int n = integer(flag, part, 1, 10_000_000);
      if (out.contains(n)) {
        throw new UsageException(flag + " must list each size once, got '" + value + "'");
      }
      out.add(n);
    }
    return List.copyOf(out);
  }

  public BenchOptions withProgressBar(boolean bar) {
    return new BenchOptions(scenarios, url, users, duration, warmup, warmupMax, inflight, rate, nodeHeap, nodeJavaOptions,
        setupConcurrency, outDir, quick, dryRun, dbUrl, dbUser, dbPassword, nodeClasspath, bar, sizes);
  }

  public BenchOptions withNodeClasspath(String classpath) {
    return new BenchOptions(scenarios, url, users, duration, warmup, warmupMax, inflight, rate, nodeHeap, nodeJavaOptions,
        setupConcurrency, outDir, quick, dryRun, dbUrl, dbUser, dbPassword, classpath, progressBar, sizes);
  }

  /** The plan in one line, for --dry-run and the head of a run. */
  public String plan() {
    String target = url != null ? "the node at " + url : "a node started on " + (dbUrl == null ? "(no database yet)" : stripQuery(dbUrl))
        + " with a " + nodeHeap + " heap";
    StringBuilder plan = new StringBuilder(String.format(Locale.ROOT,
        "scenarios %s against %s; %d users, %s warm-up%s + %s each, inflight %d, rate %.0f msg/s",
        String.join(" ", scenarios), target, users, ChaosOptions.format(warmup),
        warmupMax.equals(warmup) ? "" : " (up to " + ChaosOptions.format(warmupMax) + " until the node's JIT settles)",
        ChaosOptions.format(duration), inflight, rate));
    if (scenarios.contains("fanout")) {
      plan.append(String.format(Locale.ROOT, "; fanout: group %d members (%d connected) × %d posts, channel %d subscribers (%d"
          + " connected) × %d posts", sizes.members(), sizes.connected(), sizes.posts(), sizes.subscribers(),
          sizes.channelConnected(), sizes.channelPosts()));
    }
    if (scenarios.contains("connections")) {
      plan.append("; connections: ").append(sizes.connections());
    }
    if (scenarios.contains("recovery")) {
      plan.append("; recovery: chats of ").append(sizes.recoverySizes().stream().map(String::valueOf).reduce((a, b) -> a + ", " + b)
          .orElse("")).append(" messages");
    }
    return plan.append("; results in ").append(outDir).toString();
  }

  private static String stripQuery(String s) {
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q);
  }

  /** The value of the flag just before {@code i}. */
  private static String value(List<String> args, int i) {
    if (i >= args.size()) {
      throw new UsageException("missing value after " + args.get(i - 1));
    }
    return args.get(i);
  }

  private static Duration seconds(String flag, String value, boolean zeroAllowed) {
    try {
      return ChaosOptions.seconds(flag, value, zeroAllowed);
    } catch (ChaosOptions.UsageException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static String url(String value) {
    String v = value.trim();
    if (v.endsWith("/")) {
      v = v.substring(0, v.length() - 1);
    }
    if (!URL.matcher(v).matches()) {
      throw new UsageException("--url must be a node's plain-HTTP base URL like http://127.0.0.1:8080, got '" + value + "'");
    }
    return v;
  }

  /** A JVM option: starts with '-'; the heap has its own flag, which a -Xmx here would contradict. */
  private static String javaOption(String value) {
    String v = value.trim();
    if (!v.startsWith("-") || v.contains(" ")) {
      throw new UsageException("--node-java-opt must be one JVM option like -XX:+UseParallelGC, got '" + value + "'");
    }
    if (v.startsWith("-Xmx") || v.startsWith("-Xms") || v.equals("-cp") || v.equals("-classpath")) {
      throw new UsageException("--node-java-opt cannot set " + v + ": use --node-heap for the heap");
    }
    return v;
  }

  private static String heap(String value) {
    if (!HEAP.matcher(value.trim()).matches()) {
      throw new UsageException("--node-heap must be a size like 512m or 2g, got '" + value + "'");
    }
    return value.trim().toLowerCase(Locale.ROOT);
  }

  private static int integer(String flag, String value, int min, int max) {
    try {
      return ChaosOptions.integer(flag, value, min, max);
    } catch (ChaosOptions.UsageException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static double rate(String value) {
    try {
      return ChaosOptions.rate(value, 1_000_000);
    } catch (ChaosOptions.UsageException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
