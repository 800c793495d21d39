package org.herald.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.herald.chaos.Threads;

/**
 * What an idle connection costs the node: {@code --connections} authenticated updates sockets
 * opened (each to its {@code ready}) on a {@link SocketHerd} and held, the node's heap after a
 * full GC and its RSS measured before and with them. {@link #SOCKETS_PER_USER} sockets share
 * each account (each is a separate connection with its own registration in the node's hub), so
 * that setup creates a tenth of the accounts. Against {@code --url} only the counts are reported.
 */
final class ConnectionsScenario implements Scenario {
  /** Sockets per account: accounts cost the setup time, sockets are what is measured. */
  static final int SOCKETS_PER_USER = 10;
  /** After the last socket is ready, before measuring: the node's hub settles its registrations. */
  private static final long SETTLE_MS = 2_000;

  @Override
  public String name() {
    return "connections";
  }

  @Override
  public String summary() {
    return "idle authenticated updates sockets held: --connections, heap and RSS per connection";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws IOException {
    int wanted = context.options().sizes().connections();
    BenchClient client = context.client();
    List<BenchUser> users = context.setUp(name(), () -> client.createUsers((wanted + SOCKETS_PER_USER - 1) / SOCKETS_PER_USER));
    List<BenchUser> owners = new ArrayList<>(wanted);
    for (int i = 0; i < wanted; i++) {
      owners.add(users.get(i / SOCKETS_PER_USER));
    }
    boolean measurable = context.nodePid().isPresent();
    if (!measurable) {
      context.log("connections: the node at --url is not on this machine's process table: its memory cannot be measured,"
          + " only the connections counted");
    }
    NodeMemory before = measurable ? NodeMemory.measure(context.nodePid().getAsLong()) : null;
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("connections_requested", wanted);
    figures.put("accounts", users.size());
    figures.put("sockets_per_account", SOCKETS_PER_USER);
    Map<String, String> line = new LinkedHashMap<>();
    try (SocketHerd herd = new SocketHerd(context.baseUrl(), (socket, text) -> { })) {
      SocketHerd.Outcome o = FanoutScenario.connect(context, herd, owners, figures, "");
      figures.put("connect_per_s", Math.round(o.ready() / Math.max(1e-9, o.elapsedNanos() / 1e9)));
      figures.put("connect_s", Math.round(o.elapsedNanos() / 1e6) / 1000.0);
      Threads.sleep(SETTLE_MS);
      NodeMemory after = measurable ? NodeMemory.measure(context.nodePid().getAsLong()) : null;
      int held = herd.ready();
      figures.put("connections_held", held);
      figures.put("connections_failed", herd.failed());
      figures.put("first_error", herd.failed() == 0 ? "none" : o.firstError());
      line.put("connections", Integer.toString(held));
      if (measurable) {
        figures.put("heap_before_kib", before.heapUsedKib());
        figures.put("heap_after_kib", after.heapUsedKib());
        figures.put("rss_before_kib", before.rssKib());
        figures.put("rss_after_kib", after.rssKib());
        String heapPer = perConnection(after.heapUsedKib() - before.heapUsedKib(), held);
        String rssPer = perConnection(after.rssKib() - before.rssKib(), held);
        figures.put("heap_per_conn_kib", heapPer);
        figures.put("rss_per_conn_kib", rssPer);
        line.put("heap_per_conn_kib", heapPer);
        line.put("rss_per_conn_kib", rssPer);
        List<String> grown = after.grownClasses(before, held, Integer.MAX_VALUE);
        figures.put("heap_per_conn_by_class", grown.subList(0, Math.min(25, grown.size())));
        Path byClass = context.outDir().resolve("connections-heap-by-class.txt");
        Files.createDirectories(byClass.getParent());
        Files.write(byClass, grown);
        context.log("connections: live heap per socket by class (bytes, instances, class), all in %s:%n  %s", byClass,
            String.join(System.lineSeparator() + "  ", grown.subList(0, Math.min(12, grown.size()))));
      }
      line.put("connect_per_s", figures.get("connect_per_s").toString());
      line.put("failed", Integer.toString(herd.failed()));
    }
    return new ScenarioResult(name(), figures, line, Map.of(), List.of(), null);
  }

  static String perConnection(long kib, int connections) {
    return connections == 0 ? "0" : String.format(Locale.ROOT, "%.2f", (double) kib / connections);
  }
}
