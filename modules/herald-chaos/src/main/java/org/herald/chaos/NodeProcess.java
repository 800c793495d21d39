package org.herald.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Herald node as an operating-system process: its fixed ports (kept across restarts, so the
 * seed list stays valid), its data directory and its log file, which every incarnation appends
 * to after a marker line. Signals: SIGKILL ({@link Process#destroyForcibly()}), SIGSTOP and
 * SIGCONT ({@code kill}), SIGTERM for the final stop. Public for herald-loadgen's bench, which
 * starts one node the same way.
 */
public final class NodeProcess {
  public static final String READY_LINE = "Herald is ready on ";

  /**
   * The environment variable that names the nodes' JVM options file (conf/node-jvm.options,
   * exported by bin/herald for bench and chaos), passed to every node before the launcher's own.
   */
  public static final String JVM_OPTIONS_ENV = "HERALD_NODE_JVM_OPTIONS";

  /**
   * The java launcher's argument for the options file named in {@code env} ({@code @file}),
   * or nothing when none is named; a named file that does not exist is refused, since the
   * node would not start.
   */
  public static List<String> jvmOptionsFile(Map<String, String> env) {
    String file = env.get(JVM_OPTIONS_ENV);
    if (file == null || file.isBlank()) {
      return List.of();
    }
    if (!Files.isRegularFile(Path.of(file))) {
      throw new IllegalArgumentException(JVM_OPTIONS_ENV + " names " + file + ", which is not a file");
    }
    return List.of("@" + file);
  }

  /** Where a node is in its life, as the cluster supervisor tracks it. */
  enum State {
    /** Started; its ready line has not appeared yet. */
    STARTING("start"),
    /** Ready line seen, or thawed and settled: checking that it serves every chat. */
    CHECKING("check"),
    UP("up"),
    /** SIGKILLed by the run; restarted after --restart-after. */
    KILLED("killed"),
    FROZEN("frozen"),
    /** SIGCONTed; waiting to see whether it stays (it exits if it was downed meanwhile). */
    THAWED("thawed"),
    /** Ended without being killed by the run: restarted at once. */
    EXITED("exited"),
    STOPPED("stopped");

    final String label;

    State(String label) {
      this.label = label;
    }
  }

  final int number;
  final int httpPort;
  final int adminPort;
  final int remotePort;
  final Path dataDir;
  final Path logFile;

  private Process process;
  private int incarnations;
  private long scanFrom;
  private final StringBuilder carry = new StringBuilder();

  public NodeProcess(int number, int httpPort, int adminPort, int remotePort, Path runDir) {
    this.number = number;
    this.httpPort = httpPort;
    this.adminPort = adminPort;
    this.remotePort = remotePort;
    this.dataDir = runDir.resolve("node-" + number);
    this.logFile = runDir.resolve("node-" + number + ".log");
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** The operator port's address (health, /metrics). */
  public String adminUrl() {
    return "http://127.0.0.1:" + adminPort;
  }

  public synchronized void start(List<String> command, Map<String, String> env) throws IOException {
    Files.createDirectories(dataDir);
    incarnations++;
    String marker =
        "==== chaos: start #" + incarnations + " of node " + number + " at " + Instant.now() + " ====\n";
    Files.writeString(logFile, marker, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    scanFrom = Files.size(logFile);
    carry.setLength(0);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    process = pb.start();
  }

  synchronized int incarnations() {
    return incarnations;
  }

  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** The exit status of the current incarnation, or null while it runs. */
  public synchronized Integer exitStatus() {
    return process == null || process.isAlive() ? null : process.exitValue();
  }

  /** Whether the current incarnation has printed its ready line since it started. */
  public synchronized boolean printedReady() {
    try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
      long end = f.length();
      if (end <= scanFrom) {
        return false;
      }
      byte[] bytes = new byte[(int) Math.min(end - scanFrom, 4 << 20)];
      f.seek(scanFrom);
      f.readFully(bytes);
      scanFrom += bytes.length;
      carry.append(new String(bytes, StandardCharsets.UTF_8));
      boolean found = carry.indexOf(READY_LINE) >= 0;
      // Keep a tail, so a line split between two reads is still found.
      if (carry.length() > 256) {
        carry.delete(0, carry.length() - 256);
      }
      if (found) {
        carry.setLength(0);
        carry.append(READY_LINE);
      }
      return found;
    } catch (IOException e) {
      return false;
    }
  }

  private synchronized Process current() {
    return process;
  }

  /** SIGKILL, and waits for the process to be gone. */
  public void kill() {
    Process p = current();
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void signal(String signal) {
    Process p = current();
    if (p == null || !p.isAlive()) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).redirectErrorStream(true).start();
      kill.getInputStream().readAllBytes();
      kill.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM: CoordinatedShutdown leaves the cluster and stops the node. */
  public void terminate() {
    Process p = current();
    if (p != null && p.isAlive()) {
      signal("CONT");
      p.destroy();
    }
  }

  public boolean waitForExit(long millis) {
    Process p = current();
    if (p == null) {
      return true;
    }
    try {
      return p.waitFor(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  /** The last lines of the log, for a start that failed. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
