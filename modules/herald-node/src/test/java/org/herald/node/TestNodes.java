package org.herald.node;

import java.util.List;
import java.util.Map;
import org.herald.testkit.PostgresExtension;

/** Starts in-process nodes for API tests: free ports, a test database, no JVM exit on stop. */
final class TestNodes {
  private TestNodes() {}

  static NodeOptions on(PostgresExtension pg) {
    return base()
        .with("herald.db.url", pg.url())
        .with("herald.db.user", pg.user())
        .with("herald.db.password", pg.password());
  }

  /** One master key for every test node of this JVM: nodes sharing a database must agree. */
  static final String MASTER_KEY = org.herald.domain.content.MasterKey.generate().toBase64();

  static NodeOptions base() {
    return NodeOptions.parse(List.of(), Map.of())
        .with("herald.crypto.master-key", MASTER_KEY)
        .with("herald.http.port", 0)
        .with("herald.admin.port", 0)
        .with("pekko.remote.artery.canonical.port", 0)
        .with("pekko.coordinated-shutdown.exit-jvm", "off")
        .with("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off")
        .with("pekko.jvm-exit-on-fatal-error", "off");
  }

  /**
   * A node for benchmark mains: on a fresh database of {@code pg}, Argon2 turned down for the
   * thousands of accounts they make (it is not what they measure), warnings only in the log.
   */
  static HeraldNode benchmarkNode(PostgresExtension pg) {
    return start(
        on(pg)
            .with("herald.api.password.argon2.memory-kib", 64)
            .with("herald.api.password.argon2.iterations", 1)
            .with("pekko.loglevel", "WARNING"));
  }

  static HeraldNode start(NodeOptions options) {
    return HeraldNode.start(options).toCompletableFuture().join();
  }

  /**
   * Makes the test database of {@code pg} refuse new connections and ends the open ones
   * ({@code open} false), or accept them again: a database outage, as nodes see it.
   */
  static void allowConnections(PostgresExtension pg, boolean open) {
    String db = pg.url().substring(pg.url().lastIndexOf('/') + 1).replaceAll("\\?.*", "");
    try (java.sql.Connection conn =
            java.sql.DriverManager.getConnection(
                System.getenv().getOrDefault("HERALD_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"), pg.user(), pg.password());
        java.sql.Statement st = conn.createStatement()) {
      st.execute("ALTER DATABASE " + db + " ALLOW_CONNECTIONS " + open);
      if (!open) {
        // The nodes' own connections only: an autovacuum worker on the database runs as a
        // superuser, and ending it would need one (the test role is not).
        st.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db
                + "' AND usename = current_user AND pid <> pg_backend_pid()");
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot " + (open ? "open" : "close") + " the test database: " + e.getMessage(), e);
    }
  }

  /** A push gateway on a free loopback port that answers every batch with {@code status}. */
  static com.sun.net.httpserver.HttpServer pushGateway(int status) throws java.io.IOException {
    var gateway = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    gateway.createContext(
        "/push",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    gateway.start();
    return gateway;
  }

  /** The {@code herald.push.webhook-url} of a gateway from {@link #pushGateway}. */
  static String webhookUrl(com.sun.net.httpserver.HttpServer gateway) {
    return "http://127.0.0.1:" + gateway.getAddress().getPort() + "/push";
  }
}
