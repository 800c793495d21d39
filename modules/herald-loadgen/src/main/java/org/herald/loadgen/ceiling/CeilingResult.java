package org.herald.loadgen.ceiling;

import java.time.Duration;
import java.util.List;

/**
 * What {@link Ceiling#measure} found: the journal-shaped write rate this machine's PostgreSQL
 * sustains in each mode, and the durability settings it ran under, since those decide the
 * single-row figure (with {@code synchronous_commit = on} every commit waits for a WAL flush).
 *
 * @param synchronousCommit the server's {@code synchronous_commit}, as {@code SHOW} gives it
 * @param fsync the server's {@code fsync}, as {@code SHOW} gives it
 * @param threads writer threads per mode, one connection each
 * @param batchSize journal rows per transaction in the batched mode
 * @param payloadBytes size of each event's {@code event_payload}
 * @param batched batches of {@code batchSize} rows plus their tag rows, one transaction each
 * @param singleRow one row plus its tag row per transaction
 */
public record CeilingResult(
    String synchronousCommit,
    String fsync,
    int threads,
    int batchSize,
    int payloadBytes,
    Mode batched,
    Mode singleRow) {

  /**
   * One mode's figures. Rows are journal rows; each also wrote one tag row.
   *
   * @param name {@code "batched"} or {@code "single-row"}
   * @param rows journal rows committed
   * @param transactions transactions committed
   * @param elapsed from the start signal until the last thread finished its last transaction
   * @param rowsPerSecond {@code rows / elapsed}
   * @param transactionP50 median time of one transaction, first statement to commit returned
   * @param transactionP99 99th percentile of the same
   * @param rowsPerSecondSamples rows committed in each whole second of the run, in order, for a
   *     throughput chart (a trailing partial second is left out)
   */
  public record Mode(
      String name,
      long rows,
      long transactions,
      Duration elapsed,
      double rowsPerSecond,
      Duration transactionP50,
      Duration transactionP99,
      List<Long> rowsPerSecondSamples) {

    public Mode {
      rowsPerSecondSamples = List.copyOf(rowsPerSecondSamples);
    }
  }
}
