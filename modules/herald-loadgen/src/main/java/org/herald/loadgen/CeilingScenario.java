package org.herald.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.herald.chaos.Progress;
import org.herald.loadgen.ceiling.Ceiling;
import org.herald.loadgen.ceiling.CeilingResult;

/**
 * The physical limit of this machine for Herald's write workload, measured in the same run on
 * the node's own PostgreSQL ({@link Ceiling}): journal-shaped rows with their tag rows through
 * plain JDBC, batched (as many rows per commit as the journal's batch, 400) and one row per
 * commit, with the journal's 8 connections and the server's durability settings. It runs before
 * the other scenarios and publishes the batched rate, which every later result line shows beside
 * Herald's figure as {@code ratio}.
 */
final class CeilingScenario implements Scenario {
  /** As the node's journal: {@code jdbc-journal.batchSize} and {@code herald.db.journal-pool-size}. */
  static final int BATCH = 400;

  static final int THREADS = 8;

  @Override
  public String name() {
    return "ceiling";
  }

  @Override
  public String summary() {
    return "raw JDBC journal-shaped inserts on the node's PostgreSQL (batched, single-row commits): the ratio's base";
  }

  @Override
  public boolean runsFirst() {
    return true;
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    BenchOptions o = context.options();
    if (o.dbUrl() == null) {
      throw new IllegalStateException(
          "ceiling: needs the node's PostgreSQL (--db-url or HERALD_DB_URL, with HERALD_DB_USER and HERALD_DB_PASSWORD)");
    }
    Duration perMode = o.quick() ? Duration.ofSeconds(2) : Duration.ofSeconds(Math.max(5, o.duration().toSeconds() / 2));
    AtomicLong rows = new AtomicLong();
    CeilingResult r;
    try (Progress p = context.progress(() -> "bench ceiling: " + rows.get() + " rows committed")) {
      r = Ceiling.measure(o.dbUrl(), o.dbUser(), o.dbPassword(), perMode, THREADS, BATCH, rows::set);
    }
    context.publishCeiling(r.batched().rowsPerSecond());

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("synchronous_commit", r.synchronousCommit());
    figures.put("fsync", r.fsync());
    figures.put("threads", r.threads());
    figures.put("payload_bytes", r.payloadBytes());
    figures.put("batch_rows", r.batchSize());
    figures.put("batched_rows_per_s", Math.round(r.batched().rowsPerSecond()));
    figures.put("batched_commit_p50_ms", ms(r.batched().transactionP50()));
    figures.put("batched_commit_p99_ms", ms(r.batched().transactionP99()));
    figures.put("single_row_per_s", Math.round(r.singleRow().rowsPerSecond()));
    figures.put("single_row_commit_p50_ms", ms(r.singleRow().transactionP50()));
    figures.put("single_row_commit_p99_ms", ms(r.singleRow().transactionP99()));

    Map<String, String> line = new LinkedHashMap<>();
    line.put("batched_per_s", Long.toString(Math.round(r.batched().rowsPerSecond())));
    line.put("single_row_per_s", Long.toString(Math.round(r.singleRow().rowsPerSecond())));
    line.put("single_row_p50_ms", ms(r.singleRow().transactionP50()));
    line.put("single_row_p99_ms", ms(r.singleRow().transactionP99()));
    return new ScenarioResult(name(), figures, line, Map.of(), series(r), null);
  }

  /** One row a second: the two modes ran one after the other, so each has its own seconds. */
  private static List<Map<String, Object>> series(CeilingResult r) {
    List<Map<String, Object>> rows = new ArrayList<>();
    List<Long> batched = r.batched().rowsPerSecondSamples();
    List<Long> single = r.singleRow().rowsPerSecondSamples();
    for (int i = 0; i < Math.max(batched.size(), single.size()); i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("second", i + 1);
      row.put("batched_rows", i < batched.size() ? batched.get(i) : 0L);
      row.put("single_row_rows", i < single.size() ? single.get(i) : 0L);
      rows.add(row);
    }
    return rows;
  }

  private static String ms(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.2f", d.toNanos() / 1e6);
  }
}
