package org.herald.node;

import static org.herald.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator port's health endpoints on a node over PostgreSQL: ready and alive while it runs,
 * every readiness check named in the answer; not ready, naming the journal, while the database
 * refuses connections, yet alive (an outage must not get the node restarted); ready again by
 * itself once the database is back. Reads answer requests that name the node by a host name,
 * as Prometheus and orchestrators do; changes do not, and browsers get nothing.
 */
class HealthIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  static HeraldNode node;
  static HeraldClient operator;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestNodes.on(pg));
    operator = new HeraldClient(node.adminUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop();
    }
  }

  @Test
  void aRunningNodeIsReadyAndAliveAndSaysWhy() {
    // Ready shortly after start: the entity regions register with their coordinator first.
    Response ready = eventually(() -> operator.get("/ready", null), r -> r.status() == 200);
    assertEquals("ready", ready.text("status"));
    assertEquals("Up", ready.text("memberStatus"));
    JsonNode checks = ready.body().path("checks");
    for (String check : List.of("cluster-membership", "sharding", "shutdown", "schema", "journal")) {
      assertEquals("ok", checks.path(check).asText(), check + " in " + ready.raw());
    }
    Response alive = operator.get("/alive", null);
    assertEquals(200, alive.status(), alive.raw());
    assertEquals("alive", alive.text("status"));
  }

  @Test
  void notReadyWhileTheDatabaseRefusesConnectionsButAlive() {
    eventually(() -> operator.get("/ready", null), r -> r.status() == 200);
    try {
      TestNodes.allowConnections(pg, false);
      long start = System.nanoTime();
      Response down = eventually(() -> operator.get("/ready", null), r -> r.status() == 503);
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      assertEquals("not-ready", down.text("status"), down.raw());
      assertNotEquals("ok", down.body().path("checks").path("journal").asText(), down.raw());
      assertEquals("ok", down.body().path("checks").path("cluster-membership").asText(), down.raw());
      assertTrue(seconds < 10, "not ready within " + seconds + " s");
      assertEquals(200, operator.get("/alive", null).status(), "a database outage is no reason to restart the node");
    } finally {
      TestNodes.allowConnections(pg, true);
    }
    Response back = eventually(() -> operator.get("/ready", null), r -> r.status() == 200);
    assertEquals("ok", back.body().path("checks").path("journal").asText(), back.raw());
  }

  @Test
  void readsAnswerHostNamesChangesAndBrowsersAreRefused() throws IOException {
    eventually(() -> operator.get("/ready", null), r -> r.status() == 200);
    assertTrue(raw("GET", "/metrics", "herald2", null).startsWith("HTTP/1.1 200"), "Prometheus scraping http://herald2:8558/metrics");
    assertTrue(raw("GET", "/ready", "herald2", null).startsWith("HTTP/1.1 200"), "a probe by host name");
    assertTrue(raw("GET", "/cluster/members", "herald2", null).startsWith("HTTP/1.1 200"));
    String change = raw("PUT", "/roles/someone/admin", "herald2", null);
    assertTrue(change.startsWith("HTTP/1.1 403") && change.contains("command-line tools only"), change);
    assertTrue(raw("GET", "/metrics", "127.0.0.1", "http://evil.example").startsWith("HTTP/1.1 403"), "a web page, whatever it reads");
    assertTrue(raw("GET", "/ready", "herald2", "http://herald2:8558").startsWith("HTTP/1.1 403"));
  }

  @Test
  void clusterMembersAreListedReadOnly() throws IOException {
    Response members = operator.get("/cluster/members", null);
    assertEquals(200, members.status(), members.raw());
    assertEquals(1, members.body().path("members").size(), members.raw());
    JsonNode self = members.body().path("members").get(0);
    assertEquals("Up", self.path("status").asText());
    assertEquals(members.text("selfNode"), self.path("node").asText());
    assertEquals(members.text("selfNode"), members.text("leader"));
    assertEquals(members.text("selfNode"), members.text("oldest"));
    assertEquals(0, members.body().path("unreachable").size());
    String leave = raw("DELETE", "/cluster/members/" + members.text("selfNode").replace("/", "%2F"), "127.0.0.1", null);
    assertTrue(leave.startsWith("HTTP/1.1 405"), "no membership changes through the operator port: " + leave);
    String join = raw("POST", "/cluster/members", "127.0.0.1", null);
    assertTrue(join.startsWith("HTTP/1.1 405"), join);
  }

  /** A request written by hand, to set {@code Host} (and {@code Origin}) as a browser or Prometheus would. */
  static String raw(String method, String path, String host, String origin) throws IOException {
    URI admin = URI.create(node.adminUrl());
    try (Socket socket = new Socket(admin.getHost(), admin.getPort())) {
      String request =
          method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + admin.getPort() + "\r\n"
              + (origin == null ? "" : "Origin: " + origin + "\r\n")
              + (method.equals("GET") ? "" : "Content-Length: 0\r\n")
              + "Connection: close\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
