package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.pekko.dispatch.ThreadPoolConfig;
import org.junit.jupiter.api.Test;

class NodeOptionsTest {
  @Test
  void theDefaultDispatcherHasAThreadACoreAndAtLeastFour() {
    var pool =
        HeraldNode.config(NodeOptions.parse(List.of(), Map.of()))
            .getConfig("pekko.actor.default-dispatcher.fork-join-executor");
    assertEquals(4, pool.getInt("parallelism-min"));
    // The pool size Pekko computes from these settings on this machine (2 cores on CI: 4, not 8).
    int cores = Runtime.getRuntime().availableProcessors();
    int threads =
        ThreadPoolConfig.scaledPoolSize(
            pool.getInt("parallelism-min"),
            pool.getDouble("parallelism-factor"),
            pool.getInt("parallelism-max"));
    assertEquals(Math.min(Math.max(cores, 4), pool.getInt("parallelism-max")), threads);
  }

  @Test
  void flagsWinOverTheEnvironment() {
    var options = NodeOptions.parse(List.of("--port", "9001"), Map.of("HERALD_HTTP_PORT", "9000", "HERALD_DATA_DIR", "/tmp/x"));
    assertEquals(9001, options.overrides().get("herald.http.port"));
    assertEquals("/tmp/x", options.overrides().get("herald.data-dir"));
    var config = HeraldNode.config(options);
    assertEquals(9001, config.getInt("herald.http.port"));
    assertTrue(config.getString("herald.db.effective-url").startsWith("jdbc:h2:file:/tmp/x/herald"));
    assertEquals("slick.jdbc.H2Profile$", config.getString("pekko-persistence-jdbc.shared-databases.herald.profile"));
  }

  @Test
  void postgresUrlsSelectThePostgresProfileAndDialect() {
    var config = HeraldNode.config(NodeOptions.parse(List.of("--db-url", "jdbc:postgresql://db:5432/herald"), Map.of()));
    assertEquals("slick.jdbc.PostgresProfile$", config.getString("pekko-persistence-jdbc.shared-databases.herald.profile"));
    assertEquals("postgres-dialect", config.getString("pekko.projection.jdbc.dialect"));
    assertEquals(
        "jdbc:postgresql://db:5432/herald?options=-c%20idle_in_transaction_session_timeout%3D5000",
        config.getString("pekko-persistence-jdbc.shared-databases.herald.db.url"));
    var own = HeraldNode.config(NodeOptions.parse(List.of("--db-url", "jdbc:postgresql://db/h?options=-c%20search_path%3Dx"), Map.of()));
    assertEquals("jdbc:postgresql://db/h?options=-c%20search_path%3Dx", own.getString("herald.db.effective-url"));
  }

  @Test
  void theOperatorPortDefaultsToLoopback8558AndFollowsItsFlagAndVariables() {
    var defaults = HeraldNode.config(NodeOptions.parse(List.of(), Map.of()));
    assertEquals("127.0.0.1", defaults.getString("herald.admin.host"));
    assertEquals(8558, defaults.getInt("herald.admin.port"));
    var fromEnv = HeraldNode.config(NodeOptions.parse(List.of(), Map.of("HERALD_ADMIN_PORT", "9558", "HERALD_ADMIN_HOST", "10.0.0.5")));
    assertEquals(9558, fromEnv.getInt("herald.admin.port"));
    assertEquals("10.0.0.5", fromEnv.getString("herald.admin.host"));
    var flag = HeraldNode.config(NodeOptions.parse(List.of("--admin-port", "0"), Map.of("HERALD_ADMIN_PORT", "9558")));
    assertEquals(0, flag.getInt("herald.admin.port"));
    assertTrue(assertThrows(NodeOptions.UsageException.class, () -> NodeOptions.parse(List.of(), Map.of("HERALD_ADMIN_PORT", "x"))).getMessage().contains("HERALD_ADMIN_PORT"));
  }

  @Test
  void seedsBecomeClusterAddresses() {
    var options = NodeOptions.parse(List.of("--seeds", "127.0.0.1:25521, 127.0.0.1:25522"), Map.of());
    assertEquals(
        List.of("pekko://herald@127.0.0.1:25521", "pekko://herald@127.0.0.1:25522"),
        options.overrides().get("pekko.cluster.seed-nodes"));
  }

  @Test
  void nodeNumbersGiveALocalClusterItsPortsAndSeedsWhichFlagsStillOverride() {
    Map<String, String> pg = Map.of("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:5432/herald");
    var two = HeraldNode.config(NodeOptions.parse(List.of("--node", "2"), pg));
    assertEquals(8082, two.getInt("herald.http.port"));
    assertEquals(8562, two.getInt("herald.admin.port"));
    assertEquals(25522, two.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(
        List.of("pekko://herald@127.0.0.1:25521", "pekko://herald@127.0.0.1:25522", "pekko://herald@127.0.0.1:25523"),
        two.getStringList("pekko.cluster.seed-nodes"));
    var moved = HeraldNode.config(NodeOptions.parse(List.of("--port", "9000", "--node", "3", "--seeds", "10.0.0.1:2552"), pg));
    assertEquals(9000, moved.getInt("herald.http.port"));
    assertEquals(8563, moved.getInt("herald.admin.port"));
    assertEquals(List.of("pekko://herald@10.0.0.1:2552"), moved.getStringList("pekko.cluster.seed-nodes"));
    assertTrue(assertThrows(NodeOptions.UsageException.class, () -> NodeOptions.parse(List.of("--node", "1"), Map.of())).getMessage().contains("--db postgres"));
    assertTrue(assertThrows(NodeOptions.UsageException.class, () -> NodeOptions.parse(List.of("--node", "0"), pg)).getMessage().contains("1 to 9"));
    assertTrue(assertThrows(NodeOptions.UsageException.class, () -> NodeOptions.parse(List.of("--node", "x"), pg)).getMessage().contains("--node"));
  }

  @Test
  void badFlagsAreUsageErrorsThatSayWhy() {
    assertTrue(assertThrows(NodeOptions.UsageException.class, () -> NodeOptions.parse(List.of("--port", "x"), Map.of())).getMessage().contains("--port"));
    assertTrue(assertThrows(NodeOptions.UsageException.class, () -> NodeOptions.parse(List.of("--bogus", "1"), Map.of())).getMessage().contains("--bogus"));
    assertTrue(assertThrows(NodeOptions.UsageException.class, () -> NodeOptions.parse(List.of("--port"), Map.of())).getMessage().contains("--port"));
    assertTrue(assertThrows(NodeOptions.UsageException.class, () -> NodeOptions.parse(List.of("--db", "postgres"), Map.of())).getMessage().contains("HERALD_DB_URL"));
    assertTrue(assertThrows(NodeOptions.UsageException.class, () -> NodeOptions.parse(List.of(), Map.of("HERALD_HTTP_PORT", "70000"))).getMessage().contains("HERALD_HTTP_PORT"));
  }
}
