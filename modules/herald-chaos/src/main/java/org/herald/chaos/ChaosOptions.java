package org.herald.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a chaos run does: the cluster's size, how long the faults go on and how often, the
 * client load, and where the database and the run directory are. Parsed from flags, with the
 * database from {@code HERALD_DB_URL}, {@code HERALD_DB_USER} and {@code HERALD_DB_PASSWORD}.
 *
 * @param freezeEvery every {@code freezeEvery}-th action is a freeze (actions 2, 2+n, 2+2n, …,
 *     so a run of two actions or more freezes once); 0 never freezes
 * @param minFaults faults go on past {@code duration} until there were this many (a slow machine
 *     restarts nodes slowly; a test that needs two kills and a freeze asks for three)
 * @param nodeClasspath the class path of the node processes; null: this JVM's own
 * @param progressBar a one-line bar rewritten every second (a terminal) rather than a line every
 *     ten seconds (logs, tests)
 */
public record ChaosOptions(
    int nodes,
    Duration duration,
    Duration killEvery,
    Duration freezeFor,
    int freezeEvery,
    int minFaults,
    Duration restartAfter,
    int users,
    double rate,
    long seed,
    Path workDir,
    String dbUrl,
    String dbUser,
    String dbPassword,
    String nodeClasspath,
    boolean progressBar,
    boolean dryRun) {

  public static final String USAGE =
      """
      usage: bin/herald chaos [--nodes N] [--duration Ns] [--kill-every Ns] [--freeze-for Ns]
                              [--freeze-every N] [--min-faults N] [--restart-after Ns] [--users N]
                              [--rate N] [--seed N] [--work-dir DIR] [--db-url URL] [--dry-run]
        --nodes N           cluster size, 3-9 node processes (default 3)
        --duration Ns       how long the faults go on, in seconds with an s (default 300s)
        --kill-every Ns     time between two faults (default 15s); each waits for every node to
                            be up again, so a majority always survives
        --freeze-for Ns     how long a frozen node stays stopped (SIGSTOP) (default 15s)
        --freeze-every N    every Nth fault is a freeze, the others SIGKILL (default 4; 0: never)
        --min-faults N      go on past --duration until N faults were injected (default 0)
        --restart-after Ns  how long a killed node stays down before it is restarted (default 5s)
        --users N           simulated clients, 2-500 (default 24)
        --rate N            messages per second, all clients together (default 80)
        --seed N            seed of every random choice (default: the clock)
        --work-dir DIR      run directory for node logs and result.json
                            (default target/chaos/<timestamp>)
        --db-url URL        an empty PostgreSQL database (env HERALD_DB_URL); user and password
                            from HERALD_DB_USER and HERALD_DB_PASSWORD
        --dry-run           check the options, print the plan and exit
      bin/herald chaos creates a fresh database (herald_chaos) unless HERALD_DB_URL is set.
      """;

  /** A bad flag or value: printed with the usage, exit status 2. Empty message: --help. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }

  private static final Pattern SECONDS = Pattern.compile("(\\d{1,6})(?:\\.(\\d{1,3}))?s");

  public static ChaosOptions parse(List<String> args, Map<String, String> env) {
    int nodes = 3;
    Duration duration = Duration.ofSeconds(300);
    Duration killEvery = Duration.ofSeconds(15);
    Duration freezeFor = Duration.ofSeconds(15);
    int freezeEvery = 4;
    int minFaults = 0;
    Duration restartAfter = Duration.ofSeconds(5);
    int users = 24;
    double rate = 80;
    long seed = System.currentTimeMillis();
    Path workDir = null;
    String dbUrl = blankToNull(env.get("HERALD_DB_URL"));
    boolean dryRun = false;
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      switch (flag) {
        case "--help", "-h" -> throw new UsageException("");
        case "--dry-run" -> dryRun = true;
        case "--nodes" -> nodes = integer(flag, value(args, ++i), 3, 9);
        case "--duration" -> duration = seconds(flag, value(args, ++i), false);
        case "--kill-every" -> killEvery = seconds(flag, value(args, ++i), false);
        case "--freeze-for" -> freezeFor = seconds(flag, value(args, ++i), false);
        case "--freeze-every" -> freezeEvery = integer(flag, value(args, ++i), 0, 1000);
        case "--min-faults" -> minFaults = integer(flag, value(args, ++i), 0, 1000);
        case "--restart-after" -> restartAfter = seconds(flag, value(args, ++i), true);
        case "--users" -> users = integer(flag, value(args, ++i), 2, 500);
        case "--rate" -> rate = rate(value(args, ++i), 2000);
        case "--seed" -> seed = seed(value(args, ++i));
        case "--work-dir" -> workDir = Path.of(value(args, ++i));
        case "--db-url" -> dbUrl = value(args, ++i);
        default -> throw new UsageException("unknown option " + flag);
      }
    }
    if (killEvery.compareTo(duration) > 0) {
      throw new UsageException("--kill-every (" + format(killEvery) + ") must not exceed --duration (" + format(duration) + ")");
    }
    if (dbUrl == null && !dryRun) {
      throw new UsageException("no database: set HERALD_DB_URL or --db-url (bin/herald chaos creates a local one)");
    }
    if (dbUrl != null && !dbUrl.startsWith("jdbc:postgresql:")) {
      throw new UsageException("--db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db), got '" + dbUrl + "'");
    }
    if (workDir == null) {
      workDir = Path.of("target", "chaos", java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    return new ChaosOptions(
        nodes, duration, killEvery, freezeFor, freezeEvery, minFaults, restartAfter, users, rate, seed, workDir,
        dbUrl, nullToEmpty(env.get("HERALD_DB_USER")), nullToEmpty(env.get("HERALD_DB_PASSWORD")), null, true, dryRun);
  }

  /** Whether action number {@code n} (1, 2, …) freezes a node rather than killing it. */
  public boolean freezes(int n) {
    return freezeEvery > 0 && n >= 2 && (n - 2) % freezeEvery == 0;
  }

  public ChaosOptions withNodeClasspath(String classpath) {
    return new ChaosOptions(nodes, duration, killEvery, freezeFor, freezeEvery, minFaults, restartAfter, users, rate, seed, workDir,
        dbUrl, dbUser, dbPassword, classpath, progressBar, dryRun);
  }

  public ChaosOptions withProgressBar(boolean bar) {
    return new ChaosOptions(nodes, duration, killEvery, freezeFor, freezeEvery, minFaults, restartAfter, users, rate, seed, workDir,
        dbUrl, dbUser, dbPassword, nodeClasspath, bar, dryRun);
  }

  /** The plan in one paragraph, for --dry-run and the head of a run. */
  public String plan() {
    String faults =
        freezeEvery == 0
            ? "every fault SIGKILLs a node"
            : "faults 2, " + (2 + freezeEvery) + ", " + (2 + 2 * freezeEvery) + "… freeze a node (SIGSTOP) for " + format(freezeFor)
                + ", the others SIGKILL one";
    return String.format(
        java.util.Locale.ROOT,
        "%d nodes; %s of faults%s, one every %s: %s and restart it after %s; %d clients sending %.0f msg/s; seed %d;"
            + " run directory %s",
        nodes, format(duration), minFaults > 0 ? " (at least " + minFaults + ")" : "", format(killEvery), faults,
        format(restartAfter), users, rate, seed, workDir);
  }

  /** "15s", "0.5s": the form the flags take. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(java.util.Locale.ROOT, "%.3fs", ms / 1000.0).replaceAll("0+s$", "s");
  }

  /** The value of the flag just before {@code i}. */
  private static String value(List<String> args, int i) {
    if (i >= args.size()) {
      throw new UsageException("missing value after " + args.get(i - 1));
    }
    return args.get(i);
  }

  public static Duration seconds(String flag, String value, boolean zeroAllowed) {
    Matcher m = SECONDS.matcher(value.trim());
    if (!m.matches()) {
      throw new UsageException(flag + " must be a number of seconds with an s, like 15s or 0.5s; got '" + value + "'");
    }
    String fraction = m.group(2) == null ? "" : m.group(2);
    long millis = Long.parseLong(m.group(1)) * 1000 + (fraction.isEmpty() ? 0 : Long.parseLong((fraction + "00").substring(0, 3)));
    if (millis == 0 && !zeroAllowed) {
      throw new UsageException(flag + " must be more than 0s");
    }
    return Duration.ofMillis(millis);
  }

  /** A whole number from {@code min} to {@code max}, or a usage error naming {@code flag}. */
  public static int integer(String flag, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }
  }

  /** Messages per second, more than 0 and at most {@code max}, or a usage error naming --rate. */
  public static double rate(String value, double max) {
    try {
      double r = Double.parseDouble(value.trim());
      if (!(r > 0) || r > max) {
        throw new NumberFormatException();
      }
      return r;
    } catch (NumberFormatException e) {
      throw new UsageException(
          "--rate must be messages per second, more than 0 and at most " + String.format(java.util.Locale.ROOT, "%.0f", max)
              + ", got '" + value + "'");
    }
  }

  private static long seed(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--seed must be a whole number, got '" + value + "'");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
