package org.herald.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.herald.chaos.NodeProcess.State;
import org.herald.testkit.FreePorts;

/**
 * The node processes of one run and their supervisor. Every 200 ms the supervisor looks at each
 * node: a start is done when its ready line appeared and it serves every chat (the serving
 * check); a killed node is restarted after {@code --restart-after}; a node that exited on its
 * own (downed while frozen, or anything else) is restarted at once and counted; a thawed node
 * settles before it is checked again. Faults are injected from outside with {@link #kill},
 * {@link #freeze} and {@link #thaw}.
 */
final class Cluster implements AutoCloseable {
  /** How long a thawed node must stay alive before it is checked: a downed one exits first. */
  private static final long THAW_SETTLE_MS = 3_000;
  /** A start that shows no ready line within this is killed and tried again. */
  private static final long START_TIMEOUT_MS = 180_000;

  /** A node that ended without being killed by the run. */
  record Exit(int node, double atSeconds, int status, String after) {}

  private static final class Slot {
    final NodeProcess node;
    State state = State.STOPPED;
    long sinceNanos = System.nanoTime();
    long restartAtNanos;
    long checkAfterNanos;
    Future<Boolean> check;
    int failedStartsInARow;
    boolean everUp;

    Slot(NodeProcess node) {
      this.node = node;
    }
  }

  private final ChaosOptions options;
  private final EventLog events;
  private final List<Slot> slots = new ArrayList<>();
  private final List<String> seeds;
  private final String classpath;
  /** The nodes' JVM options file argument, if bin/herald named one ({@link NodeProcess#jvmOptionsFile}). */
  private final List<String> jvmOptions;
  private final String masterKey;
  private final ExecutorService checks = Executors.newCachedThreadPool(Threads.daemon("node-check"));
  private final List<Exit> exits = new ArrayList<>();
  private volatile Predicate<NodeProcess> servingCheck = node -> true;
  private volatile long originNanos = System.nanoTime();
  private Thread supervisor;
  private volatile boolean closing;
  private String startFailure;

  Cluster(ChaosOptions options, Path runDir, EventLog events, Random random) {
    this.options = options;
    this.events = events;
    this.classpath = options.nodeClasspath() != null ? options.nodeClasspath() : System.getProperty("java.class.path");
    this.jvmOptions = NodeProcess.jvmOptionsFile(System.getenv());
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    this.masterKey = Base64.getEncoder().encodeToString(key);
    List<Integer> ports = FreePorts.belowEphemeral(3 * options.nodes(), random);
    List<String> seedList = new ArrayList<>();
    for (int i = 0; i < options.nodes(); i++) {
      NodeProcess node = new NodeProcess(i + 1, ports.get(3 * i), ports.get(3 * i + 1), ports.get(3 * i + 2), runDir);
      slots.add(new Slot(node));
      seedList.add("127.0.0.1:" + node.remotePort);
    }
    this.seeds = List.copyOf(seedList);
  }

  List<NodeProcess> nodes() {
    return slots.stream().map(s -> s.node).toList();
  }

  int size() {
    return slots.size();
  }

  NodeProcess node(int index) {
    return slots.get(index).node;
  }

  /** From now on, exit times are counted from here (the start of the faults). */
  void resetOrigin(long nanos) {
    originNanos = nanos;
  }

  /** How a started node proves it serves (after its ready line, and after a thaw). */
  void servingCheck(Predicate<NodeProcess> check) {
    servingCheck = check;
  }

  /** Starts every node and the supervisor. */
  synchronized void start() {
    for (Slot s : slots) {
      launch(s);
    }
    supervisor = Threads.start("supervisor", this::supervise);
  }

  /**
   * Waits until every node is up. False on timeout; throws when the cluster cannot start at all
   * (a node failed its first start twice in a row), with that node's log.
   */
  boolean awaitAllUp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      synchronized (this) {
        if (startFailure != null) {
          throw new ClusterStartException(startFailure);
        }
        if (slots.stream().allMatch(s -> s.state == State.UP)) {
          return true;
        }
      }
      if (!Threads.sleep(100)) {
        return false;
      }
    }
    return false;
  }

  synchronized boolean allUp() {
    return slots.stream().allMatch(s -> s.state == State.UP);
  }

  synchronized State state(NodeProcess node) {
    return slot(node).state;
  }

  /** Nodes a client could reach right now: up, or being checked after a start. */
  synchronized List<NodeProcess> reachable() {
    return slots.stream()
        .filter(s -> s.state == State.UP || s.state == State.CHECKING)
        .map(s -> s.node)
        .toList();
  }

  /** "1:up 2:killed 3:up" */
  synchronized String stateLine() {
    return slots.stream().map(s -> s.node.number + ":" + s.state.label).collect(Collectors.joining(" "));
  }

  synchronized List<Exit> exits() {
    return List.copyOf(exits);
  }

  /** Node processes started in all (every incarnation of every node), for the report. */
  synchronized int starts() {
    return slots.stream().mapToInt(s -> s.node.incarnations()).sum();
  }

  /** SIGKILL; the supervisor restarts the node after {@code --restart-after}. */
  synchronized void kill(NodeProcess node) {
    Slot s = slot(node);
    s.node.kill();
    s.state = State.KILLED;
    s.sinceNanos = System.nanoTime();
    s.restartAtNanos = s.sinceNanos + options.restartAfter().toNanos();
    events.log("node %d: SIGKILL (pid %d)", node.number, node.pid());
  }

  /** SIGSTOP: the process stays, but answers nothing (a long GC pause, a stalled VM). */
  synchronized void freeze(NodeProcess node) {
    Slot s = slot(node);
    s.node.signal("STOP");
    s.state = State.FROZEN;
    s.sinceNanos = System.nanoTime();
    events.log("node %d: SIGSTOP (pid %d)", node.number, node.pid());
  }

  synchronized void thaw(NodeProcess node) {
    Slot s = slot(node);
    s.node.signal("CONT");
    if (s.state == State.FROZEN) {
      s.state = State.THAWED;
      s.sinceNanos = System.nanoTime();
    }
    events.log("node %d: SIGCONT", node.number);
  }

  private Slot slot(NodeProcess node) {
    return slots.get(node.number - 1);
  }

  private void supervise() {
    while (!closing) {
      synchronized (this) {
        for (Slot s : slots) {
          step(s);
        }
      }
      if (!Threads.sleep(200)) {
        return;
      }
    }
  }

  private void step(Slot s) {
    long now = System.nanoTime();
    switch (s.state) {
      case STARTING -> {
        if (!s.node.alive()) {
          int status = s.node.exitStatus();
          recordExit(s, "while starting");
          events.log("node %d: log tail:%n%s", s.node.number, s.node.logTail(15));
          s.failedStartsInARow++;
          if (!s.everUp && s.failedStartsInARow >= 2) {
            startFailure =
                "node " + s.node.number + " cannot start (exit status " + status + ", twice); last lines of "
                    + s.node.logFile + ":\n" + s.node.logTail(15);
          }
          toExited(s, now);
        } else if (s.node.printedReady()) {
          events.log("node %d: ready line after %.1fs", s.node.number, (now - s.sinceNanos) / 1e9);
          s.state = State.CHECKING;
          s.checkAfterNanos = now;
          s.check = null;
        } else if (now - s.sinceNanos > START_TIMEOUT_MS * 1_000_000) {
          events.log("node %d: no ready line within %ds; killing it to start again", s.node.number, START_TIMEOUT_MS / 1000);
          s.failedStartsInARow++;
          if (!s.everUp && s.failedStartsInARow >= 2) {
            startFailure = "node " + s.node.number + " did not become ready twice; see " + s.node.logFile;
          }
          s.node.kill();
          toExited(s, now);
        }
      }
      case CHECKING -> {
        if (!s.node.alive()) {
          recordExit(s, "while being checked");
          toExited(s, now);
        } else if (s.check == null) {
          if (now >= s.checkAfterNanos) {
            NodeProcess node = s.node;
            Predicate<NodeProcess> check = servingCheck;
            s.check = checks.submit(() -> check.test(node));
          }
        } else if (s.check.isDone()) {
          boolean ok;
          try {
            ok = s.check.get();
          } catch (Exception e) {
            ok = false;
          }
          s.check = null;
          if (ok) {
            events.log("node %d: up (serves every chat)", s.node.number);
            s.state = State.UP;
            s.everUp = true;
            s.failedStartsInARow = 0;
            s.sinceNanos = now;
          } else {
            s.checkAfterNanos = now + 1_000_000_000L;
          }
        }
      }
      case UP -> {
        if (!s.node.alive()) {
          recordExit(s, "while up");
          toExited(s, now);
        }
      }
      case KILLED, EXITED -> {
        if (now >= s.restartAtNanos) {
          launch(s);
        }
      }
      case FROZEN -> {
        if (!s.node.alive()) {
          recordExit(s, "while frozen");
          toExited(s, now);
        }
      }
      case THAWED -> {
        if (!s.node.alive()) {
          recordExit(s, "after its freeze (downed meanwhile)");
          toExited(s, now);
        } else if (now - s.sinceNanos >= THAW_SETTLE_MS * 1_000_000) {
          s.state = State.CHECKING;
          s.checkAfterNanos = now;
          s.check = null;
        }
      }
      case STOPPED -> {}
      default -> throw new IllegalStateException("unknown state " + s.state);
    }
  }

  private void recordExit(Slot s, String when) {
    Integer status = s.node.exitStatus();
    double at = (System.nanoTime() - originNanos) / 1e9;
    // 143 and 137 are SIGTERM and SIGKILL; the run sends neither to a node it counts as up, so
    // someone else did (an operator, another test's cleanup): the figures around it are not ours.
    String cause =
        status == null ? when
            : status == 143 ? when + ", SIGTERM not sent by the run"
            : status == 137 ? when + ", SIGKILL not sent by the run"
            : when;
    exits.add(new Exit(s.node.number, at, status == null ? -1 : status, cause));
    events.log("node %d: exited by itself %s (status %s)", s.node.number, cause, status);
  }

  private void toExited(Slot s, long now) {
    s.state = State.EXITED;
    s.sinceNanos = now;
    s.restartAtNanos = now + 1_000_000_000L;
  }

  private void launch(Slot s) {
    if (closing) {
      return;
    }
    NodeProcess n = s.node;
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-Xmx512m",
            "-cp",
            classpath,
            "org.herald.node.Main",
            "--db-url",
            options.dbUrl(),
            "--port",
            Integer.toString(n.httpPort),
            "--admin-port",
            Integer.toString(n.adminPort),
            "--remote-port",
            Integer.toString(n.remotePort),
            "--seeds",
            String.join(",", seeds)));
    Map<String, String> env =
        Map.of(
            "HERALD_DB_USER", options.dbUser(),
            "HERALD_DB_PASSWORD", options.dbPassword(),
            "HERALD_MASTER_KEY", masterKey,
            "HERALD_DATA_DIR", n.dataDir.toAbsolutePath().toString());
    try {
      n.start(command, env);
      s.state = State.STARTING;
      s.sinceNanos = System.nanoTime();
      events.log("node %d: started (incarnation %d, pid %d, http %d, remote %d)", n.number, n.incarnations(), n.pid(), n.httpPort, n.remotePort);
    } catch (IOException e) {
      events.log("node %d: cannot launch: %s", n.number, e.getMessage());
      startFailure = "cannot launch node " + n.number + ": " + e.getMessage();
      toExited(s, System.nanoTime());
    }
  }

  /** Stops the supervisor and every node: SIGCONT, SIGTERM, and SIGKILL for what is left after 15 s. */
  @Override
  public void close() {
    closing = true;
    if (supervisor != null) {
      supervisor.interrupt();
      try {
        supervisor.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<NodeProcess> all = nodes();
    all.forEach(NodeProcess::terminate);
    long deadline = System.currentTimeMillis() + 15_000;
    for (NodeProcess n : all) {
      if (!n.waitForExit(Math.max(1, deadline - System.currentTimeMillis()))) {
        events.log("node %d: did not stop within 15 s of SIGTERM; SIGKILL", n.number);
        n.kill();
      }
    }
    synchronized (this) {
      slots.forEach(s -> s.state = State.STOPPED);
    }
    checks.shutdownNow();
  }

  /**
   * Last resort (shutdown hook): SIGKILL every node. Under the supervisor's lock, so that no
   * restart slips in between; {@link #launch} starts nothing once closing.
   */
  synchronized void killAll() {
    closing = true;
    nodes().forEach(NodeProcess::kill);
  }

  /** The cluster did not come up before the faults began: the run cannot say anything. */
  static final class ClusterStartException extends RuntimeException {
    ClusterStartException(String message) {
      super(message);
    }
  }
}
