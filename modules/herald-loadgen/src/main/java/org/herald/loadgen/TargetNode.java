package org.herald.loadgen;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.herald.chaos.NodeProcess;
import org.herald.chaos.Threads;
import org.herald.testkit.FreePorts;

/**
 * The node a bench starts when it is given no {@code --url}: one {@code org.herald.node.Main}
 * process on PostgreSQL, its log in the results directory. Password hashing is made cheap
 * (Argon2id with the minimum memory, one pass): a bench creates thousands of accounts, and no
 * scenario measures logins. Stopped with SIGTERM (SIGKILL after 30 s).
 */
final class TargetNode implements AutoCloseable {
  /** Argon2id's smallest allowed memory for one lane (PasswordHasher refuses m &lt; 8). */
  static final int ARGON2_MEMORY_KIB = 8;
  static final int ARGON2_ITERATIONS = 1;
  private static final long START_TIMEOUT_MS = 180_000;

  private final NodeProcess process;
  private final List<String> command;
  private final Map<String, String> env;

  private TargetNode(NodeProcess process, List<String> command, Map<String, String> env) {
    this.process = process;
    this.command = command;
    this.env = env;
  }

  static TargetNode start(BenchOptions options, Path dir) throws IOException {
    List<Integer> ports = FreePorts.belowEphemeral(2, new Random());
    int httpPort = ports.get(0);
    int adminPort = ports.get(1);
    NodeProcess node = new NodeProcess(1, httpPort, adminPort, 0, dir);
    String classpath = options.nodeClasspath() != null ? options.nodeClasspath() : System.getProperty("java.class.path");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The node's own JVM options (conf/node-jvm.options, named by bin/herald), before the bench's.
    command.addAll(NodeProcess.jvmOptionsFile(System.getenv()));
    command.addAll(List.of(
        "-Xms" + options.nodeHeap(),
        "-Xmx" + options.nodeHeap(),
        "-Dherald.api.password.argon2.memory-kib=" + ARGON2_MEMORY_KIB,
        "-Dherald.api.password.argon2.iterations=" + ARGON2_ITERATIONS));
    command.addAll(options.nodeJavaOptions());
    command.addAll(List.of(
        "-cp", classpath,
        "org.herald.node.Main",
        "--db", "postgres",
        "--port", Integer.toString(httpPort),
        "--admin-port", Integer.toString(adminPort)));
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Map<String, String> env = Map.of(
        "HERALD_DB_URL", options.dbUrl(),
        "HERALD_DB_USER", options.dbUser(),
        "HERALD_DB_PASSWORD", options.dbPassword(),
        // A fresh database gets this run's key; nothing outlives the run.
        "HERALD_MASTER_KEY", Base64.getEncoder().encodeToString(key),
        "HERALD_DATA_DIR", dir.resolve("node-1").toAbsolutePath().toString());
    TargetNode target = new TargetNode(node, command, env);
    target.startAndAwaitReady();
    return target;
  }

  private void startAndAwaitReady() throws IOException {
    process.start(command, env);
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (!process.printedReady()) {
      if (!process.alive()) {
        throw new IllegalStateException("the node exited while starting (status " + process.exitStatus() + "):\n" + process.logTail(30));
      }
      if (System.currentTimeMillis() > deadline || !Threads.sleep(200)) {
        close();
        throw new IllegalStateException("the node was not ready in " + START_TIMEOUT_MS / 1000 + " s:\n" + process.logTail(30));
      }
    }
  }

  /**
   * Stops the node (SIGTERM, as {@link #close}) and starts it again on the same ports, database
   * and key: every entity is cold and recovers from the journal on its first command.
   */
  void restart() throws IOException {
    close();
    startAndAwaitReady();
  }

  String baseUrl() {
    return process.baseUrl();
  }

  String adminUrl() {
    return process.adminUrl();
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.terminate();
    if (!process.waitForExit(30_000)) {
      process.kill();
    }
  }
}
