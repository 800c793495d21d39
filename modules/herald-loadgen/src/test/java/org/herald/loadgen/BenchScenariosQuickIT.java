package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The quick mode of fanout, connections and recovery against a node the bench starts on a fresh
 * database: every connected member gets every post, every requested connection is held, and a
 * chat made cold by the restart takes its next message as N+1. Figures are printed, never
 * asserted. Results and the node log stay in target/bench-it/.
 */
class BenchScenariosQuickIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  @Test
  void quickFanoutConnectionsAndRecoveryDeliverHoldAndRecoverEverything() throws Exception {
    QuickRun run = QuickRun.of(pg, "scenarios", "fanout", "connections", "recovery");
    String printed = run.printed();
    Bench.Report report = run.report();
    Path out = run.out();
    List<Map<String, String>> lines = run.lines();
    lines.forEach(l -> assertNotNull(l, "every bench: line parses\n" + printed));
    assertEquals(List.of("fanout", "connections", "recovery"), lines.stream().map(l -> l.get("scenario")).toList(), printed);
    for (String key : List.of("deliveries_per_s", "group_all_ms", "channel_reach_ms", "p50_ms", "p99_ms")) {
      Double.parseDouble(lines.get(0).get(key));
    }
    for (String key : List.of("heap_per_conn_kib", "rss_per_conn_kib")) {
      Double.parseDouble(lines.get(1).get(key));
    }
    for (String key : List.of("first_send_ms_1000", "first_send_ms_5000")) {
      Double.parseDouble(lines.get(2).get(key));
    }

    Map<String, Object> fanout = report.results().get(0).figures();
    assertEquals(20, number(fanout, "group_connected"), printed);
    assertEquals(20L * 10, number(fanout, "group_deliveries"), "every connected member got every post\n" + printed);
    assertEquals(20, number(fanout, "group_members_with_all_posts"), printed);
    assertEquals(10, number(fanout, "group_acked"), "every post acknowledged before the figures are read\n" + printed);
    assertTrue(decimal(fanout, "group_acked_ms") > 0, printed);
    assertEquals(50, number(fanout, "channel_connected"), printed);
    assertEquals(2, number(fanout, "channel_posts"), printed);
    assertEquals(50, number(fanout, "channel_subscribers_with_all_posts"), "every connected subscriber got every post\n" + printed);

    Map<String, Object> connections = report.results().get(1).figures();
    assertEquals(200, number(connections, "connections_held"), "every requested connection held\n" + printed);
    assertEquals(0, number(connections, "connections_failed"), printed);
    assertTrue(number(connections, "rss_after_kib") > 0, printed);

    Map<String, Object> recovery = report.results().get(2).figures();
    assertEquals(1001, number(recovery, "first_message_id_1000"), "the cold chat's next message is N+1\n" + printed);
    assertEquals(5001, number(recovery, "first_message_id_5000"), printed);
    assertEquals(50, number(recovery, "history_messages_5000"), printed);
    assertTrue(decimal(recovery, "chat_recovery_ms_5000") > 0, "the node timed the cold chat's recovery\n" + printed);
    assertTrue(decimal(recovery, "user_recovery_ms_5000") > 0, "and its sender's\n" + printed);
    assertTrue(decimal(recovery, "chat_recovery_ms_5000") < decimal(recovery, "first_send_ms_5000"), "within the send\n" + printed);
    // Restarted again once the projections caught up: the chat cold again, its next number N+2.
    assertEquals("projections caught up", String.valueOf(recovery.get("before_settled_restart_5000")).replaceAll(" in .*", ""),
        printed);
    assertEquals(1002, number(recovery, "first_message_id_settled_1000"), printed);
    assertEquals(5002, number(recovery, "first_message_id_settled_5000"), printed);
    assertTrue(decimal(recovery, "chat_recovery_settled_ms_5000") > 0, "the chat recovered again\n" + printed);
    assertTrue(decimal(recovery, "chat_recovery_settled_ms_5000") < decimal(recovery, "first_send_settled_ms_5000"), printed);
    // What the chat replays on recovery: the events after its latest snapshot (every 500 to 599).
    for (String key : List.of("events_after_snapshot_5000", "events_after_snapshot_settled_5000")) {
      assertTrue(number(recovery, key) >= 0 && number(recovery, key) < 600, key + "\n" + printed);
    }
    assertTrue(number(recovery, "projections_caught_up_after_settled_restart_ms_5000") > 0, "the restarted node's projections caught up\n" + printed);
  }

  private static double decimal(Map<String, Object> figures, String key) {
    Object v = figures.get(key);
    assertNotNull(v, key + " in " + figures);
    return ((Number) v).doubleValue();
  }

  private static long number(Map<String, Object> figures, String key) {
    Object v = figures.get(key);
    assertNotNull(v, key + " in " + figures);
    return ((Number) v).longValue();
  }
}
