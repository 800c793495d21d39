package org.herald.node;

import static org.herald.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.herald.testkit.HeraldClient.Response;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Analytics over real HTTP on PostgreSQL: one scenario (a private channel with subscribers
 * coming and going, posts, a group, direct chats) is played once, then every call is checked
 * for exact figures, in JSON and CSV, and for who may see them: channel owner and admins,
 * analysts by configuration and by the admin endpoint. The tests only read (or change roles,
 * which no figure counts), so the platform figures are exactly this scenario's.
 */
class AnalyticsIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  static final String ANALYST = ApiIT.unique("analyst");
  static final String ADMIN = ApiIT.unique("admin");
  static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

  static HeraldNode node;
  static HeraldClient client;
  static Account owner;
  static Account channelAdmin;
  static Account subscriber;
  static Account outsider;
  static Account groupOwner;
  static Account analyst;
  static Account platformAdmin;
  static Account grantee;
  static String channelId;
  static String groupId;
  static String directId;
  static final List<Long> posts = new ArrayList<>();

  @BeforeAll
  static void scenario() throws Exception {
    node =
        TestNodes.start(
            TestNodes.on(pg)
                .with("herald.roles.analysts", List.of(ANALYST))
                // The environment variables' form: one comma-separated string.
                .with("herald.roles.admins", "someone_else, " + ADMIN.toUpperCase(java.util.Locale.ROOT)));
    client = new HeraldClient(node.baseUrl());
    owner = user("own");
    channelAdmin = user("cadm");
    subscriber = user("sub");
    Account second = user("sub");
    Account leaver = user("sub");
    outsider = user("out");
    groupOwner = user("gown");
    analyst = client.register(ANALYST, "Analyst", "correct horse", "laptop");
    platformAdmin = client.register(ADMIN, "Admin", "correct horse", "laptop");
    grantee = user("gra");

    // The channel: created by its owner (a member from the start), four added, one leaves.
    Response created = client.post("/v1/chats", owner.token(), Map.of("kind", "channel", "title", "News", "public", false));
    assertEquals(201, created.status(), created.raw());
    channelId = created.text("chatId");
    for (Account a : List.of(channelAdmin, subscriber, second, leaver)) {
      assertEquals(204, client.post("/v1/chats/" + channelId + "/members", owner.token(), Map.of("userId", a.userId())).status());
    }
    assertEquals(204, client.put("/v1/chats/" + channelId + "/members/" + channelAdmin.userId() + "/role", owner.token(), Map.of("role", "admin")).status());
    assertEquals(204, client.post("/v1/chats/" + channelId + "/leave", leaver.token(), Map.of()).status());
    // Four posts (three by the owner, one by the admin); the second is deleted.
    posts.add(client.sendText(owner, channelId, "one"));
    posts.add(client.sendText(owner, channelId, "two"));
    posts.add(client.sendText(owner, channelId, "three"));
    posts.add(client.sendText(channelAdmin, channelId, "four"));
    assertEquals(204, client.delete("/v1/chats/" + channelId + "/messages/" + posts.get(1), owner.token()).status());
    assertEquals(204, client.post("/v1/chats/" + channelId + "/read", subscriber.token(), Map.of("upToMessageId", posts.get(3))).status());

    // A group with three messages, a direct chat with three, and a direct chat with none.
    Response group = client.post("/v1/chats", groupOwner.token(), Map.of("kind", "group", "title", "Team", "memberIds", List.of(subscriber.userId())));
    assertEquals(201, group.status(), group.raw());
    groupId = group.text("chatId");
    client.sendText(groupOwner, groupId, "hi");
    client.sendText(groupOwner, groupId, "all");
    client.sendText(subscriber, groupId, "hello");
    Response direct = client.post("/v1/chats", outsider.token(), Map.of("kind", "direct", "userId", groupOwner.userId()));
    directId = direct.text("chatId");
    client.sendText(outsider, directId, "psst");
    client.sendText(outsider, directId, "hey");
    client.sendText(groupOwner, directId, "yes?");
    assertEquals(201, client.post("/v1/chats", second.token(), Map.of("kind", "direct", "userId", leaver.userId())).status());

    // What the views projection (V10) writes, and history from before the ranges asked below.
    sql("INSERT INTO message_views (chat_id, message_id, views) VALUES (?, ?, 5), (?, ?, 100), (?, ?, 20), (?, ?, 1)",
        channelId, posts.get(0), channelId, posts.get(1), channelId, posts.get(2), channelId, posts.get(3));
    sql("INSERT INTO chat_views_daily (chat_id, day_utc, views) VALUES (?, ?, 26)", channelId, TODAY);
    sql("INSERT INTO analytics_chat_daily (chat_id, day_utc, joins, leaves, messages) VALUES (?, ?, 5, 2, 0)", channelId, TODAY.minusDays(3));
    sql("INSERT INTO analytics_active_users (day_utc, user_id) VALUES (?, 'uwithinmonth'), (?, 'umonthago')", TODAY.minusDays(29), TODAY.minusDays(30));

    // Everything is projected: the last events of each kind are in.
    eventually(() -> get("/v1/analytics/platform/messages?from=" + TODAY + "&to=" + TODAY, analyst), r -> r.status() == 200 && sum(r, "hours", "total") == 10);
    eventually(() -> get("/v1/analytics/platform/accounts?from=" + TODAY + "&to=" + TODAY, analyst), r -> r.status() == 200 && sum(r, "days", "accounts") == 10);
    eventually(() -> get(daily(channelId, TODAY, TODAY), owner), r -> r.status() == 200 && sum(r, "days", "leaves") == 1 && sum(r, "days", "posts") == 4);
    eventually(() -> get("/v1/analytics/platform/chats?from=" + TODAY + "&to=" + TODAY, analyst), r -> sum(r, "days", "total") == 4);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop();
    }
  }

  static Account user(String prefix) {
    return client.register(ApiIT.unique(prefix), "User", "correct horse", "phone");
  }

  static Response get(String path, Account a) {
    return client.get(path, a == null ? null : a.token());
  }

  static String daily(String chatId, LocalDate from, LocalDate to) {
    return "/v1/analytics/channels/" + chatId + "/daily?from=" + from + "&to=" + to;
  }

  static long sum(Response r, String rows, String field) {
    long total = 0;
    for (JsonNode row : r.body().path(rows)) {
      total += row.path(field).asLong();
    }
    return total;
  }

  static void sql(String sql, Object... values) throws Exception {
    try (Connection conn = DriverManager.getConnection(pg.url(), pg.user(), pg.password());
        PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      ps.executeUpdate();
    }
  }

  static void assertError(Response r, int status, String code, String reason, String inMessage) {
    assertEquals(status, r.status(), r.raw());
    assertEquals(code, r.errorCode(), r.raw());
    if (reason != null) {
      assertEquals(reason, r.body().path("error").path("reason").asText(), r.raw());
    }
    if (inMessage != null) {
      assertTrue(r.errorMessage().contains(inMessage), r.raw());
    }
  }

  @Test
  void aChannelsDaysCountJoinsLeavesSubscribersPostsAndViews() {
    Response r = get(daily(channelId, TODAY.minusDays(3), TODAY), owner);
    assertEquals(200, r.status(), r.raw());
    assertEquals(channelId, r.text("chatId"));
    assertEquals(TODAY.minusDays(3).toString(), r.text("from"));
    List<String> rows = new ArrayList<>();
    for (JsonNode d : r.body().path("days")) {
      rows.add(d.path("day").asText() + " " + d.path("joins").asLong() + " " + d.path("leaves").asLong() + " "
          + d.path("subscribers").asLong() + " " + d.path("posts").asLong() + " " + d.path("views").asLong());
    }
    assertEquals(
        List.of(
            TODAY.minusDays(3) + " 5 2 3 0 0",
            TODAY.minusDays(2) + " 0 0 3 0 0",
            TODAY.minusDays(1) + " 0 0 3 0 0",
            // The owner and four added, one left; four posts (a deleted one still was posted).
            TODAY + " 5 1 7 4 26"),
        rows);
    Response later = get(daily(channelId, TODAY, TODAY), channelAdmin);
    assertEquals(200, later.status(), "a channel admin sees it too");
    assertEquals(7, later.body().path("days").get(0).path("subscribers").asLong(), "a range that starts later carries the subscribers before it");

    Response byDefault = get("/v1/analytics/channels/" + channelId + "/daily", owner);
    assertEquals(30, byDefault.body().path("days").size(), "the last 30 days");
    assertEquals(TODAY.toString(), byDefault.body().path("days").get(29).path("day").asText());
    assertFalse(byDefault.body().has("header"), "only the table's fields go out");
  }

  @Test
  void csvHasAHeaderRowAndTheSameFigures() {
    HeraldClient.Text csv = client.getText(daily(channelId, TODAY.minusDays(1), TODAY) + "&format=csv", owner.token(), null);
    assertEquals(200, csv.status());
    assertEquals("text/csv; charset=UTF-8", csv.contentType());
    assertEquals(
        "day,joins,leaves,subscribers,posts,views\r\n" + TODAY.minusDays(1) + ",0,0,3,0,0\r\n" + TODAY + ",5,1,7,4,26\r\n",
        csv.body());
    HeraldClient.Text accepted = client.getText("/v1/analytics/platform/accounts?from=" + TODAY + "&to=" + TODAY, analyst.token(), "text/csv");
    assertEquals("day,accounts\r\n" + TODAY + ",10\r\n", accepted.body());
    assertTrue(accepted.contentType().startsWith("text/csv"));
  }

  @Test
  void topPostsAreOrderedByViewsOrDateAndLeaveDeletedPostsOut() {
    String base = "/v1/analytics/channels/" + channelId + "/posts";
    Response top = get(base, owner);
    assertEquals(200, top.status(), top.raw());
    assertEquals(List.of(posts.get(2), posts.get(0), posts.get(3)), ids(top));
    assertEquals(List.of(20L, 5L, 1L), top.body().path("posts").findValues("views").stream().map(JsonNode::asLong).toList());
    assertTrue(top.body().path("posts").get(0).path("date").asText().startsWith(TODAY.toString()));
    assertEquals(List.of(posts.get(2), posts.get(0)), ids(get(base + "?order=views&limit=2", channelAdmin)));
    assertEquals(List.of(posts.get(3), posts.get(2), posts.get(0)), ids(get(base + "?order=date", owner)));
    assertEquals(List.of(), ids(get(base + "?from=" + TODAY.minusDays(5) + "&to=" + TODAY.minusDays(1), owner)));
    assertError(get(base + "?limit=0", owner), 400, "BAD_REQUEST", "INVALID_FIELD", "limit");
    assertError(get(base + "?order=likes", owner), 400, "BAD_REQUEST", "INVALID_FIELD", "order");
    assertError(get("/v1/analytics/channels/" + groupId + "/posts", groupOwner), 400, "BAD_REQUEST", "CHAT_KIND_NOT_SUPPORTED", "channels");
  }

  static List<Long> ids(Response r) {
    return r.body().path("posts").findValues("messageId").stream().map(JsonNode::asLong).toList();
  }

  @Test
  void platformFiguresCountMessagesChatsAccountsAndActiveUsers() {
    Response messages = get("/v1/analytics/platform/messages?from=" + TODAY + "&to=" + TODAY, analyst);
    assertEquals(24, messages.body().path("hours").size());
    assertEquals(TODAY + "T00:00:00.000Z", messages.body().path("hours").get(0).path("hour").asText());
    assertEquals(List.of(3L, 3L, 4L, 10L),
        List.of(sum(messages, "hours", "direct"), sum(messages, "hours", "group"), sum(messages, "hours", "channel"), sum(messages, "hours", "total")));

    Response chats = get("/v1/analytics/platform/chats?from=" + TODAY.minusDays(1) + "&to=" + TODAY, analyst);
    assertEquals(2, chats.body().path("days").size());
    JsonNode today = chats.body().path("days").get(1);
    assertEquals(List.of(2L, 1L, 1L, 4L), List.of(today.path("direct").asLong(), today.path("group").asLong(), today.path("channel").asLong(), today.path("total").asLong()));

    Response accounts = get("/v1/analytics/platform/accounts?from=" + TODAY.minusDays(1) + "&to=" + TODAY, platformAdmin);
    assertEquals(200, accounts.status(), "an admin passes analyst checks");
    assertEquals(List.of(0L, 10L), accounts.body().path("days").findValues("accounts").stream().map(JsonNode::asLong).toList());

    // Every account opened a session today; the 30 days ending today add one user seen 29 days ago.
    Response active = get("/v1/analytics/platform/active-users?from=" + TODAY.minusDays(30) + "&to=" + TODAY, analyst);
    assertEquals(30, active.body().path("mauWindowDays").asInt());
    JsonNode days = active.body().path("days");
    assertEquals(31, days.size());
    assertEquals("1 1", days.get(0).path("dau").asLong() + " " + days.get(0).path("mau").asLong());
    assertEquals("1 2", days.get(1).path("dau").asLong() + " " + days.get(1).path("mau").asLong());
    assertEquals("0 2", days.get(29).path("dau").asLong() + " " + days.get(29).path("mau").asLong());
    assertEquals("10 11", days.get(30).path("dau").asLong() + " " + days.get(30).path("mau").asLong(), "the user of 30 days ago has left the window");
  }

  @Test
  void onlyTheOwnerAndAdminsSeeAChannelsStatistics() {
    String path = daily(channelId, TODAY, TODAY);
    assertError(get(path, outsider), 404, "NOT_FOUND", "CHAT_NOT_FOUND", null);
    assertError(get(path, subscriber), 403, "FORBIDDEN", "ADMIN_REQUIRED", null);
    assertError(get(path, analyst), 404, "NOT_FOUND", "CHAT_NOT_FOUND", null);
    assertError(get(path, null), 401, "UNAUTHORIZED", null, null);
    assertEquals(200, get(daily(groupId, TODAY, TODAY), groupOwner).status(), "a group's owner sees its statistics");
    assertError(get(daily(groupId, TODAY, TODAY), subscriber), 403, "FORBIDDEN", "ADMIN_REQUIRED", null);
    assertError(get(daily(directId, TODAY, TODAY), outsider), 400, "BAD_REQUEST", "CHAT_KIND_NOT_SUPPORTED", "direct");
  }

  @Test
  void platformStatisticsNeedTheAnalystRole() {
    for (String table : List.of("messages", "active-users", "accounts", "chats")) {
      assertError(get("/v1/analytics/platform/" + table, owner), 403, "ROLE_REQUIRED", "ROLE_REQUIRED", "analyst");
      assertEquals(200, get("/v1/analytics/platform/" + table, analyst).status(), table);
    }
  }

  @Test
  void badRangesAndFormatsAreRefusedNamingTheField() {
    String base = "/v1/analytics/platform/accounts";
    assertError(get(base + "?from=2026-13-01", analyst), 400, "BAD_REQUEST", "INVALID_FIELD", "from");
    assertError(get(base + "?to=yesterday", analyst), 400, "BAD_REQUEST", "INVALID_FIELD", "to");
    assertError(get(base + "?from=" + TODAY + "&to=" + TODAY.minusDays(1), analyst), 400, "BAD_REQUEST", "INVALID_FIELD", "from");
    assertError(get(base + "?from=" + TODAY.minusDays(366) + "&to=" + TODAY, analyst), 400, "BAD_REQUEST", "INVALID_FIELD", "366");
    assertEquals(366, get(base + "?from=" + TODAY.minusDays(365) + "&to=" + TODAY, analyst).body().path("days").size());
    assertError(get(base + "?format=xml", analyst), 400, "BAD_REQUEST", "INVALID_FIELD", "format");
    assertError(get("/v1/analytics/channels/" + channelId + "/daily?to=bad", owner), 400, "BAD_REQUEST", "INVALID_FIELD", "to");
  }

  @Test
  void anAdminGrantsAndRevokesTheAnalystRole() {
    String platform = "/v1/analytics/platform/chats";
    String role = "/v1/admin/roles/" + grantee.username() + "/analyst";
    assertError(get(platform, grantee), 403, "ROLE_REQUIRED", "ROLE_REQUIRED", "analyst");
    assertError(client.put(role, analyst.token(), ""), 403, "ROLE_REQUIRED", "ROLE_REQUIRED", "admin");
    assertEquals(204, client.put(role, platformAdmin.token(), "").status());
    assertEquals(204, client.put(role, platformAdmin.token(), "").status(), "granting twice is fine");
    assertEquals(200, get(platform, grantee).status());
    assertEquals(204, client.delete(role, platformAdmin.token()).status());
    assertError(get(platform, grantee), 403, "ROLE_REQUIRED", "ROLE_REQUIRED", "analyst");

    assertError(client.put("/v1/admin/roles/nosuchuser123/analyst", platformAdmin.token(), ""), 404, "NOT_FOUND", "USER_NOT_FOUND", "username");
    assertError(client.put("/v1/admin/roles/" + grantee.username() + "/owner", platformAdmin.token(), ""), 400, "BAD_REQUEST", "INVALID_FIELD", "role");
    // A role given by configuration stays, whatever the API revokes.
    assertEquals(204, client.delete("/v1/admin/roles/" + ANALYST + "/analyst", platformAdmin.token()).status());
    assertEquals(200, get(platform, analyst).status());
  }

  @Test
  void theOpenApiDocumentDescribesTheAnalyticsCalls() {
    JsonNode paths = client.get("/v1/openapi.json", null).body().path("paths");
    for (String path : List.of("/v1/analytics/channels/{chatId}/daily", "/v1/analytics/channels/{chatId}/posts",
        "/v1/analytics/platform/messages", "/v1/analytics/platform/active-users", "/v1/analytics/platform/accounts",
        "/v1/analytics/platform/chats", "/v1/admin/roles/{username}/{role}")) {
      assertTrue(paths.has(path), path);
    }
  }
}
