package org.herald.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import javax.sql.DataSource;
import org.herald.domain.content.MasterKey;
import org.herald.projection.keys.KeyCheck;
import org.herald.projection.common.Database;
import org.herald.projection.common.Database.Vendor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Herald node: configuration, schema migration, the actor system and its HTTP
 * binding. Main runs one per process; API tests run one in-process.
 */
public final class HeraldNode {
  private static final Logger log = LoggerFactory.getLogger(HeraldNode.class);

  private final ActorSystem<Guardian.Command> system;
  private final HikariDataSource dataSource;
  private final Guardian.Endpoints endpoints;

  private HeraldNode(ActorSystem<Guardian.Command> system, HikariDataSource dataSource, Guardian.Endpoints endpoints) {
    this.system = system;
    this.dataSource = dataSource;
    this.endpoints = endpoints;
  }

  /** Loads the configuration: explicit options over the overlay file over application.conf. */
  static Config config(NodeOptions options) {
    Config base =
        options.configFile() != null
            ? ConfigFactory.parseFile(options.configFile().toFile()).withFallback(ConfigFactory.parseResourcesAnySyntax("application"))
            : ConfigFactory.parseResourcesAnySyntax("application");
    Config explicit = ConfigFactory.parseMap(options.overrides());
    Config first = explicit.withFallback(base).resolve();
    Map<String, Object> derived = new HashMap<>();
    String url = first.getString("herald.db.url");
    if (url.isBlank()) {
      Path dir = Path.of(first.getString("herald.data-dir")).toAbsolutePath();
      url = "jdbc:h2:file:" + dir.resolve("herald") + ";DB_CLOSE_ON_EXIT=FALSE";
      derived.put("herald.data-dir", dir.toString());
    }
    Vendor vendor = Vendor.of(url);
    if (vendor == Vendor.POSTGRES) {
      url = withSessionTimeout(url, first.getDuration("herald.db.idle-in-transaction-timeout"));
    }
    derived.put("herald.db.effective-url", url);
    derived.put("herald.db.driver", vendor.driver);
    derived.put("herald.db.slick-profile", vendor.slickProfile);
    derived.put("herald.db.projection-dialect", vendor.projectionDialect());
    return ConfigFactory.load(ConfigFactory.parseMap(derived).withFallback(explicit).withFallback(base));
  }

  /**
   * Adds PostgreSQL's {@code idle_in_transaction_session_timeout} to every connection of the node
   * (journal and read models), unless the URL sets {@code options} itself. A node frozen between
   * a journal INSERT and its COMMIT (a long GC pause, SIGSTOP) would otherwise commit that event
   * when it wakes, long after its {@code ordering} was drawn; the read journal treats a gap in
   * the ordering that lasts 10 s as a rolled-back write and moves on, so the projections would
   * miss that event for good. The server aborts such a transaction after this timeout, well
   * inside those 10 s; the frozen node's write fails and was never acknowledged.
   */
  static String withSessionTimeout(String url, java.time.Duration timeout) {
    if (url.contains("options=") || timeout.isZero()) {
      return url;
    }
    String option = "options=-c%20idle_in_transaction_session_timeout%3D" + timeout.toMillis();
    return url + (url.contains("?") ? "&" : "?") + option;
  }

  /** Migrates the schema, starts the actor system and completes once HTTP accepts requests. */
  public static CompletionStage<HeraldNode> start(NodeOptions options) {
    if (ForkJoinPool.getCommonPoolParallelism() < 2) {
      log.warn(
          "The JVM's common pool has one thread, so every ask callback starts a new thread; run with -D{}=2",
          Main.COMMON_POOL_PARALLELISM);
    }
    Config config = config(options);
    String url = config.getString("herald.db.effective-url");
    Vendor vendor = Vendor.of(url);
    if (vendor == Vendor.H2) {
      try {
        Files.createDirectories(Path.of(config.getString("herald.data-dir")));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot create data directory: " + e.getMessage(), e);
      }
    }
    var settings =
        new Database.Settings(
            url,
            config.getString("herald.db.user"),
            config.getString("herald.db.password"),
            config.getInt("herald.db.pool-size"));
    HikariDataSource dataSource = Database.pool(settings, "herald-read-models");
    String schemaVersion;
    try {
      schemaVersion = Database.migrate(dataSource, vendor);
    } catch (RuntimeException e) {
      dataSource.close();
      throw new IllegalStateException("cannot prepare the database at " + redact(url) + ": " + rootMessage(e), e);
    }
    log.info("database ready ({}, {}, schema version {})", vendor, redact(url), schemaVersion);
    // What the readiness check confirms in the journal's database (SchemaCheck).
    config = ConfigFactory.parseMap(Map.of("herald.db.schema-version", schemaVersion)).withFallback(config);
    MasterKey masterKey;
    try {
      masterKey = masterKey(config, dataSource);
    } catch (RuntimeException e) {
      dataSource.close();
      throw new IllegalStateException("cannot open message content: " + e.getMessage(), e);
    }
    log.info("content keys: master key {} verified", masterKey.fingerprint());

    var endpoints =
        new Guardian.Endpoints(
            config.getString("herald.http.host"),
            config.getInt("herald.http.port"),
            config.getString("herald.admin.host"),
            config.getInt("herald.admin.port"));
    CompletableFuture<Guardian.Endpoints> bound = new CompletableFuture<>();
    ActorSystem<Guardian.Command> system =
        ActorSystem.create(Guardian.create(dataSource, masterKey, endpoints, bound), "herald", config);
    // Pools close only after the actor system has terminated: entities may still be writing.
    system.getWhenTerminated().whenComplete((done, failure) -> dataSource.close());
    // Ready once the ports are bound and the serializer is warm (it warms while the cluster forms).
    CompletableFuture<Void> warmedUp = SerializationWarmUp.start(system, config);
    return bound
        .thenCombine(warmedUp, (actual, warm) -> actual)
        .thenApply(actual -> new HeraldNode(system, dataSource, actual))
        .whenComplete(
            (node, failure) -> {
              if (failure != null) {
                system.terminate();
              }
            });
  }

  /**
   * The master key, checked against the database: {@code herald.crypto.master-key}
   * (HERALD_MASTER_KEY) if set; otherwise the key file ({@code herald.crypto.master-key-file},
   * default {@code <data-dir>/master.key}). A missing file is generated only for a database that
   * has never sealed anything; for one that has, the key is lost and the node says so rather
   * than start unable to read its messages.
   */
  static MasterKey masterKey(Config config, DataSource dataSource) {
    String configured = config.getString("herald.crypto.master-key");
    if (!configured.isBlank()) {
      return verified(dataSource, MasterKey.parse(configured, "herald.crypto.master-key (HERALD_MASTER_KEY)"));
    }
    String fileSetting = config.getString("herald.crypto.master-key-file");
    Path file = (fileSetting.isBlank() ? Path.of(config.getString("herald.data-dir")).resolve("master.key") : Path.of(fileSetting)).toAbsolutePath();
    try {
      if (Files.exists(file)) {
        return verified(dataSource, MasterKey.parse(Files.readString(file), "the master key file " + file));
      }
      if (KeyCheck.isRecorded(dataSource)) {
        throw new IllegalStateException(
            "the master key is missing: this database's message content is sealed under a master key, but neither"
                + " herald.crypto.master-key (HERALD_MASTER_KEY) is set nor does " + file + " exist");
      }
      MasterKey generated = MasterKey.generate();
      Files.createDirectories(file.getParent());
      // Created owner-only and never overwritten: two nodes starting at once cannot swap keys.
      try {
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      }
      Files.writeString(file, generated.toBase64() + "\n");
      try {
        verified(dataSource, generated);
      } catch (RuntimeException lostTheRace) {
        // Another node recorded its key first: this one must not stay behind as if it were valid.
        Files.deleteIfExists(file);
        throw lostTheRace;
      }
      log.warn("generated a new master key in {}: back it up; without it no message can be read", file);
      return generated;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read or create the master key file " + file + ": " + e.getMessage(), e);
    }
  }

  private static MasterKey verified(DataSource dataSource, MasterKey key) {
    KeyCheck.verify(dataSource, key);
    return key;
  }

  private static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  public int port() {
    return endpoints.port();
  }

  public String baseUrl() {
    return "http://" + endpoints.host() + ":" + endpoints.port();
  }

  /** The bound operator port (health, metrics, cluster members, projections; see {@code herald.admin}). */
  public int adminPort() {
    return endpoints.adminPort();
  }

  /** The operator server's address, for tools and tests. */
  public String adminUrl() {
    String host = endpoints.adminHost().equals("0.0.0.0") ? "127.0.0.1" : endpoints.adminHost();
    return "http://" + host + ":" + endpoints.adminPort();
  }

  public ActorSystem<?> system() {
    return system;
  }

  /** Graceful stop: unbind, finish requests, leave the cluster, stop, then close the pool. */
  public void stop() {
    try {
      CoordinatedShutdown.get(system)
          .runAll(CoordinatedShutdown.unknownReason())
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not stop in time", e);
    }
    dataSource.close();
  }

  public CompletionStage<?> whenTerminated() {
    return system.getWhenTerminated();
  }

}
