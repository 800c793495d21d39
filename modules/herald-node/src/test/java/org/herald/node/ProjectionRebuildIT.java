package org.herald.node;

import static org.herald.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator port on a real node over PostgreSQL: a rebuilt read model equals the one the live
 * projection built, also when the rebuild ran while clients kept sending (and their sends
 * succeeded); lag is visible as JSON and as Prometheus gauges; the CLI drives it all.
 */
class ProjectionRebuildIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  /** Every table the rebuildable relational read models own, with the order of a canonical dump. */
  private static final Map<String, String> TABLES =
      Map.ofEntries(
          Map.entry("dialog_chats", "chat_id"),
          Map.entry("dialog_members", "user_id, chat_id"),
          Map.entry("dialog_departures", "user_id, chat_id"),
          Map.entry("chat_messages", "chat_id, message_id"),
          Map.entry("chat_updates", "chat_id, pts"),
          Map.entry("message_views", "chat_id, message_id"),
          Map.entry("chat_views_daily", "chat_id, day_utc"),
          Map.entry("scheduled_posts", "chat_id, scheduled_id"),
          Map.entry("analytics_chat_daily", "chat_id, day_utc"),
          Map.entry("analytics_channel_posts", "chat_id, message_id"),
          Map.entry("analytics_messages_hourly", "hour_utc, chat_kind, slice"),
          Map.entry("analytics_chats_created", "day_utc, chat_kind, slice"),
          Map.entry("analytics_accounts_daily", "day_utc"));

  static HeraldNode node;
  static HeraldClient client;
  static HeraldClient operator;
  static HttpServer pushReceiver;

  @BeforeAll
  static void start() throws Exception {
    // Push on (to a receiver that accepts everything), so push-outbox is in the catalog too.
    pushReceiver = TestNodes.pushGateway(204);
    node =
        TestNodes.start(
            TestNodes.on(pg).with("herald.push.webhook-url", TestNodes.webhookUrl(pushReceiver)));
    client = new HeraldClient(node.baseUrl());
    operator = new HeraldClient(node.adminUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop();
    }
    if (pushReceiver != null) {
      pushReceiver.stop(0);
    }
  }

  /** Direct and group chats with messages, edits, deletions, reads, joins, leaves and roles. */
  private static List<String> traffic(String prefix) {
    Account alice = client.registerUnique(prefix + "a");
    Account bob = client.registerUnique(prefix + "b");
    Account carol = client.registerUnique(prefix + "c");
    Account dave = client.registerUnique(prefix + "d");
    String direct = client.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
    String group =
        client.post("/v1/chats", alice.token(), Map.of("kind", "group", "title", "Rebuild " + prefix, "memberIds", List.of(bob.userId(), carol.userId())))
            .text("chatId");
    for (int i = 0; i < 5; i++) {
      client.sendText(alice, direct, "hello " + i);
      client.sendText(bob, direct, "hi " + i);
      client.sendText(carol, group, "group " + i);
    }
    long typo = client.sendText(alice, group, "helo all");
    assertEquals(200, client.patch("/v1/chats/" + group + "/messages/" + typo, alice.token(), Map.of("text", "hello all")).status());
    long oops = client.sendText(bob, direct, "wrong chat");
    assertEquals(204, client.delete("/v1/chats/" + direct + "/messages/" + oops, bob.token()).status());
    long regret = client.sendText(carol, group, "regret");
    assertEquals(200, client.patch("/v1/chats/" + group + "/messages/" + regret, carol.token(), Map.of("text", "regret, edited")).status());
    assertEquals(204, client.delete("/v1/chats/" + group + "/messages/" + regret, alice.token()).status());
    assertEquals(204, client.post("/v1/chats/" + direct + "/read", alice.token(), Map.of("upToMessageId", 4)).status());
    assertEquals(204, client.post("/v1/chats/" + group + "/read", bob.token(), Map.of("upToMessageId", typo)).status());
    assertEquals(204, client.post("/v1/chats/" + group + "/members", alice.token(), Map.of("userId", dave.userId())).status());
    assertEquals(204, client.put("/v1/chats/" + group + "/members/" + bob.userId() + "/role", alice.token(), Map.of("role", "admin")).status());
    client.sendText(dave, group, "dave here");
    assertEquals(204, client.post("/v1/chats/" + group + "/leave", carol.token(), Map.of()).status());
    client.sendText(bob, group, "bye carol");
    String channel = client.post("/v1/chats", alice.token(), Map.of("kind", "channel", "title", "Rebuild news " + prefix)).text("chatId");
    assertEquals(204, client.post("/v1/chats/" + channel + "/members", alice.token(), Map.of("userId", bob.userId())).status());
    for (int i = 0; i < 3; i++) {
      client.sendText(alice, channel, "post " + i);
    }
    assertEquals(200, client.post("/v1/chats/" + channel + "/views", bob.token(), Map.of("messageIds", List.of(1, 2))).status());
    assertEquals(200, client.post("/v1/chats/" + channel + "/views", alice.token(), Map.of("messageIds", List.of(2))).status());
    assertEquals(201, client.post("/v1/chats/" + channel + "/messages", alice.token(),
        Map.of("clientMessageId", "later", "text", "tomorrow", "scheduleAt", java.time.Instant.now().plus(java.time.Duration.ofDays(1)).toString())).status());
    return List.of(direct, group, channel);
  }

  private static JsonNode projections() {
    Response r = operator.get("/projections", null);
    assertEquals(200, r.status(), r.raw());
    return r.body().path("projections");
  }

  private static JsonNode projection(String name) {
    for (JsonNode p : projections()) {
      if (p.path("name").asText().equals(name)) {
        return p;
      }
    }
    throw new AssertionError("no projection " + name + " in " + projections());
  }

  /** Waits until every projection has processed every event of the journal (lag 0, none paused). */
  private static void awaitCaughtUp() {
    eventually(ProjectionRebuildIT::projections, all -> {
      for (JsonNode p : all) {
        if (!p.path("caughtUp").asBoolean() || p.path("eventsBehind").asLong() != 0) {
          return false;
        }
      }
      return true;
    });
  }

  /** Waits until the node reports the rebuild of {@code name} caught up. */
  private static void awaitRebuilt(String name) {
    eventually(() -> projection(name), p -> p.path("rebuild").path("state").asText().equals("caught-up"));
  }

  /** The read-model tables as sorted canonical rows, per table. */
  private static Map<String, List<String>> dump() throws Exception {
    Map<String, List<String>> tables = new TreeMap<>();
    try (Connection conn = pg.connect();
        Statement st = conn.createStatement()) {
      for (var table : TABLES.entrySet()) {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT * FROM " + table.getKey() + " ORDER BY " + table.getValue())) {
          ResultSetMetaData meta = rs.getMetaData();
          while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int c = 1; c <= meta.getColumnCount(); c++) {
              row.append(meta.getColumnName(c)).append('=').append(rs.getString(c)).append(c < meta.getColumnCount() ? ", " : "");
            }
            rows.add(row.toString());
          }
        }
        tables.put(table.getKey(), rows);
      }
    }
    return tables;
  }

  private static Response rebuild(String name) {
    return operator.post("/projections/" + name + "/rebuild", null, Map.of());
  }

  @Test
  void rebuiltReadModelsEqualTheLiveOnesWithAndWithoutTrafficDuringTheRebuild() throws Exception {
    traffic("rb");
    awaitCaughtUp();
    Map<String, List<String>> live = dump();
    assertTrue(live.get("chat_messages").size() >= 15 && live.get("dialog_members").size() >= 6, "traffic reached the read models: " + live);

    // 1. Quiet: the rebuilt tables are exactly what the live projections had built. The tables
    // are damaged first, so equality proves they were rebuilt rather than left alone.
    try (Connection conn = pg.connect();
        Statement st = conn.createStatement()) {
      st.executeUpdate("UPDATE dialog_chats SET title = 'tampered'");
      st.executeUpdate("DELETE FROM chat_updates WHERE pts = 1");
      st.executeUpdate("UPDATE chat_messages SET pts = pts + 1000");
      st.executeUpdate("INSERT INTO dialog_members (user_id, chat_id, read_up_to, joined_at) VALUES ('ughost', 'gghost', 0, now())");
      st.executeUpdate("UPDATE message_views SET views = views + 5");
      st.executeUpdate("DELETE FROM scheduled_posts");
      st.executeUpdate("UPDATE analytics_chat_daily SET joins = joins + 1");
      st.executeUpdate("UPDATE analytics_accounts_daily SET accounts = accounts + 1");
    }
    assertFalse(live.equals(dump()), "damaged");
    assertTrue(live.get("message_views").size() >= 2 && !live.get("scheduled_posts").isEmpty(), "views and schedules reached the read models");
    for (String name : List.of("dialogs", "history", "views", "scheduled-posts", "analytics", "analytics-users")) {
      Response started = rebuild(name);
      assertEquals(202, started.status(), started.raw());
      assertEquals(name, started.text("projection"));
      assertEquals("pausing", started.text("state"));
    }
    for (String name : List.of("dialogs", "history", "views", "scheduled-posts", "analytics", "analytics-users")) {
      awaitRebuilt(name);
    }
    awaitCaughtUp();
    assertEquals(live, dump(), "a rebuild from the journal gives the tables the live projections built");

    // 2. Under traffic: the node keeps serving, and the result equals a quiet rebuild's.
    Account sender = client.registerUnique("rs");
    Account reader = client.registerUnique("rr");
    String chat = client.post("/v1/chats", sender.token(), Map.of("kind", "direct", "userId", reader.userId())).text("chatId");
    AtomicBoolean sending = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Long> sent = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    Thread traffic =
        new Thread(
            () -> {
              int i = 0;
              while (sending.get()) {
                try {
                  sent.add(client.sendText(sender, chat, "during the rebuild " + i++));
                } catch (Throwable t) {
                  failures.add(t);
                }
              }
            },
            "traffic-during-rebuild");
    traffic.start();
    eventually(sent::size, n -> n >= 5);
    int sentBefore = sent.size();
    for (String name : List.of("dialogs", "history", "membership-index")) {
      assertEquals(202, rebuild(name).status());
    }
    Response again = rebuild("dialogs");
    assertEquals(409, again.status(), again.raw());
    assertTrue(again.errorMessage().contains("already rebuilding"), again.raw());
    JsonNode during = projection("history");
    assertNotNull(during.path("rebuild").path("startedAt").asText(null), during.toString());
    assertEquals(200, client.get("/v1/chats/" + chat + "/messages", reader.token()).status(), "reads are served meanwhile");
    awaitRebuilt("dialogs");
    awaitRebuilt("history");
    awaitRebuilt("membership-index");
    eventually(sent::size, n -> n >= sentBefore + 20);
    sending.set(false);
    traffic.join(TimeUnit.SECONDS.toMillis(30));
    assertEquals(List.of(), List.copyOf(failures), "sends succeed while read models are rebuilt");
    awaitCaughtUp();
    Map<String, List<String>> rebuiltUnderTraffic = dump();
    long stored =
        rebuiltUnderTraffic.get("chat_messages").stream().filter(row -> row.startsWith("chat_id=" + chat + ",")).count();
    assertEquals(sent.size(), stored, "every message acknowledged during the rebuild is in the rebuilt history");

    for (String name : List.of("dialogs", "history")) {
      assertEquals(202, rebuild(name).status());
    }
    awaitRebuilt("dialogs");
    awaitRebuilt("history");
    awaitCaughtUp();
    assertEquals(rebuiltUnderTraffic, dump(), "the rebuild under traffic ends where a quiet one does");
    JsonNode dialogs = client.get("/v1/dialogs", reader.token()).body().path("dialogs");
    assertEquals(sent.size(), dialogs.path(0).path("unreadCount").asLong(), "the rebuilt dialogs serve the reader: " + dialogs);
  }

  @Test
  void projectionsTableNamesEveryProjectionWithItsLag() {
    traffic("pt");
    awaitCaughtUp();
    JsonNode all = projections();
    List<String> names = new ArrayList<>();
    all.forEach(p -> names.add(p.path("name").asText()));
    assertEquals(List.of("analytics", "analytics-users", "dialogs", "history", "membership-index", "push-outbox", "scheduled-posts", "views"), names);
    JsonNode dialogs = projection("dialogs");
    assertEquals("exactly-once", dialogs.path("delivery").asText());
    assertEquals(8, dialogs.path("tags").size());
    assertEquals("[\"dialog_chats\",\"dialog_members\",\"dialog_departures\"]", dialogs.path("tables").toString());
    assertTrue(dialogs.path("rebuildable").asBoolean());
    assertEquals(0, dialogs.path("eventsBehind").asLong());
    assertFalse(dialogs.path("eventsBehindCapped").asBoolean());
    assertEquals(0.0, dialogs.path("secondsBehind").asDouble());
    JsonNode instance = dialogs.path("instances").get(0);
    for (String field : List.of("tag", "eventsBehind", "eventsBehindCapped", "secondsBehind", "paused")) {
      assertTrue(instance.has(field), field + " in " + instance);
    }
    long offsets = 0;
    for (JsonNode i : dialogs.path("instances")) {
      offsets += i.path("offset").asLong(0);
    }
    assertTrue(offsets > 0, "instances report their offsets: " + dialogs);
    assertEquals("at-least-once", projection("membership-index").path("delivery").asText());

    JsonNode push = projection("push-outbox");
    assertFalse(push.path("rebuildable").asBoolean());
    Response refused = rebuild("push-outbox");
    assertEquals(409, refused.status(), refused.raw());
    assertTrue(refused.errorMessage().contains("queue of notifications"), refused.raw());

    Response unknown = rebuild("nope");
    assertEquals(404, unknown.status(), unknown.raw());
    assertEquals("NOT_FOUND", unknown.errorCode());
    for (String name : List.of("dialogs", "history", "membership-index", "push-outbox", "views", "scheduled-posts", "analytics")) {
      assertTrue(unknown.errorMessage().contains(name), unknown.raw());
    }
  }

  @Test
  void publicAdminEndpointRefusesNonAdmins() {
    Account someone = client.registerUnique("na");
    assertEquals(401, client.get("/v1/admin/projections", null).status());
    Response r = client.get("/v1/admin/projections", someone.token());
    assertEquals(403, r.status(), r.raw());
    assertEquals("ROLE_REQUIRED", r.body().path("error").path("reason").asText(), r.raw());
    assertTrue(r.errorMessage().contains("admin"), r.raw());
  }

  @Test
  void theOperatorPortRefusesBrowsers() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> fromAPage =
        http.send(
            HttpRequest.newBuilder(URI.create(node.adminUrl() + "/roles/someone/admin"))
                .header("Origin", "http://evil.example")
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, fromAPage.statusCode(), fromAPage.body());
    assertTrue(fromAPage.body().contains("command-line tools only"), fromAPage.body());
    // DNS rebinding: a page's own host name now resolving to the node's machine may not change
    // anything (reads stay open to host names, for Prometheus and probes: HealthIT).
    String rebuild = raw("POST /projections/history/rebuild", "rebound.example");
    assertTrue(rebuild.startsWith("HTTP/1.1 403"), rebuild);
    assertTrue(raw("GET /projections", "rebound.example").startsWith("HTTP/1.1 200"), "a read by host name");
  }

  private static String raw(String requestLine, String host) throws java.io.IOException {
    URI admin = URI.create(node.adminUrl());
    try (java.net.Socket raw = new java.net.Socket(admin.getHost(), admin.getPort())) {
      raw.getOutputStream().write(
          (requestLine + " HTTP/1.1\r\nHost: " + host + ":" + admin.getPort() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      return new String(raw.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void metricsExposeTheLagGaugesAsPrometheusText() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String text =
        eventually(
            () -> {
              try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
                return r.body();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            body -> body.contains("herald_projection_lag_events{projection=\"dialogs\",tag=\"chat-0\"}"));
    for (String projection : List.of("dialogs", "history", "membership-index", "push-outbox")) {
      for (int t = 0; t < 8; t++) {
        String labels = "{projection=\"" + projection + "\",tag=\"chat-" + t + "\"}";
        assertTrue(text.contains("herald_projection_lag_events" + labels), labels);
        assertTrue(text.contains("herald_projection_lag_seconds" + labels), labels);
      }
    }
    assertTrue(text.contains("# TYPE herald_projection_lag_seconds gauge"), "gauges");
    assertTrue(text.contains("jvm_memory_used_bytes"), "the node-wide registry has the JVM's meters too");
    assertTrue(text.contains("jvm_compilation_time_ms_total"), "and the JIT's time, which the bench's warm-up waits on");
  }

  @Test
  void cliListsAndRebuildsAndSaysWhenNoNodeAnswers() throws Exception {
    traffic("cl");
    awaitCaughtUp();
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int status = cli(List.of("projections", "list", "--admin-url", node.adminUrl()), out, err);
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    String table = out.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("PROJECTION") && table.contains("membership-index") && table.contains("caught up"), table);

    out.reset();
    status = cli(List.of("projections", "rebuild", "history", "--wait", "--admin-url", node.adminUrl()), out, err);
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8) + out);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("history rebuilt: caught up with the journal"), out.toString(StandardCharsets.UTF_8));

    err.reset();
    assertEquals(1, cli(List.of("projections", "rebuild", "nope", "--admin-url", node.adminUrl()), out, err));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("no projection named 'nope'"), err.toString(StandardCharsets.UTF_8));

    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    err.reset();
    assertEquals(1, cli(List.of("projections", "list", "--admin-url", "http://127.0.0.1:" + closedPort), out, err));
    assertEquals(
        "herald: no Herald node answers on http://127.0.0.1:" + closedPort + "; is it running? (--admin-url)\n",
        err.toString(StandardCharsets.UTF_8));

    err.reset();
    assertEquals(2, cli(List.of("projections", "rebuild"), out, err));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: bin/herald projections rebuild NAME"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theAdminCliGrantsAndRevokesPlatformRoles() {
    Account analyst = client.registerUnique("gr");
    String platform = "/v1/analytics/platform/accounts";
    assertEquals(403, client.get(platform, analyst.token()).status());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, cli(List.of("admin", "grant", analyst.username(), "analyst", "--admin-url", node.adminUrl()), out, err), err.toString());
    assertTrue(out.toString().contains("now has the analyst role"), out.toString());
    assertEquals(200, client.get(platform, analyst.token()).status());
    assertEquals(1, cli(List.of("admin", "grant", "no_such_user_x", "analyst", "--admin-url", node.adminUrl()), out, err));
    assertTrue(err.toString().contains("404"), err.toString());
    assertEquals(0, cli(List.of("admin", "revoke", analyst.username(), "analyst", "--admin-url", node.adminUrl()), out, err), err.toString());
    assertEquals(403, client.get(platform, analyst.token()).status());
  }

  private static int cli(List<String> args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
    return AdminCli.run(
        args,
        Collections.emptyMap(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
