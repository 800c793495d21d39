package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.FutureConverters;

/**
 * The journal's own write queue: whole writes batched while a statement runs, failures, the
 * buffer limit, stop.
 */
class JournalBatchWriterTest {
  private static final Connection CONNECTION =
      (Connection)
          Proxy.newProxyInstance(
              JournalBatchWriterTest.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> null);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch firstStatementMayEnd = new CountDownLatch(1);
  private final CountDownLatch firstStatementStarted = new CountDownLatch(1);
  private JournalBatchWriter<String> writer;

  /**
   * A statement that records its rows, holds the first batch until released, and fails a batch
   * holding "bad" (an SQLException) or "boom" (an Error).
   */
  private void write(Connection connection, List<String> rows) throws SQLException {
    batches.add(List.copyOf(rows));
    if (batches.size() == 1) {
      firstStatementStarted.countDown();
      try {
        firstStatementMayEnd.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (rows.contains("bad")) {
      throw new SQLException("refused");
    }
    if (rows.contains("boom")) {
      throw new AssertionError("not an SQLException");
    }
  }

  private JournalBatchWriter<String> writer(int batchSize, int bufferSize) {
    writer =
        new JournalBatchWriter<>(
            "test-journal-writer",
            () -> CONNECTION,
            this::write,
            1,
            batchSize,
            bufferSize,
            registry);
    return writer;
  }

  private CompletableFuture<?> submit(String... rows) {
    return FutureConverters.asJava(writer.submit(List.of(rows))).toCompletableFuture();
  }

  /** Submits a first write and waits until its statement runs, held until released. */
  private CompletableFuture<?> submitHeld(String row) throws InterruptedException {
    CompletableFuture<?> first = submit(row);
    assertTrue(firstStatementStarted.await(10, TimeUnit.SECONDS), "the first statement runs");
    return first;
  }

  private long statements(String outcome) {
    return registry
        .get("herald.journal.statement.duration")
        .tag("outcome", outcome)
        .timer()
        .count();
  }

  @AfterEach
  void stop() {
    firstStatementMayEnd.countDown();
    if (writer != null) {
      writer.stop();
    }
  }

  @Test
  void writesWaitingDuringAStatementGoTogetherWholeUpToTheBatchSizeAnsweredOnceWritten()
      throws Exception {
    writer(5, 100);
    CompletableFuture<?> first = submitHeld("a1");
    CompletableFuture<?> second = submit("b1", "b2");
    CompletableFuture<?> third = submit("c1", "c2");
    CompletableFuture<?> fourth = submit("d1", "d2");
    Thread.sleep(100);
    assertFalse(first.isDone() || second.isDone(), "nothing is answered before its statement ends");
    firstStatementMayEnd.countDown();
    CompletableFuture.allOf(first, second, third, fourth).get(10, TimeUnit.SECONDS);
    assertEquals(
        List.of(List.of("a1"), List.of("b1", "b2", "c1", "c2"), List.of("d1", "d2")),
        batches,
        "of the three waiting writes two fill a batch of at most 5; the third is not split");
    assertEquals(3, statements("ok"));
  }

  @Test
  void aFailedStatementFailsEveryWriteOfItsBatchAndTheWriterGoesOn() throws Exception {
    writer(10, 100);
    CompletableFuture<?> first = submitHeld("a1");
    CompletableFuture<?> bad = submit("bad");
    CompletableFuture<?> sameBatch = submit("b1");
    firstStatementMayEnd.countDown();
    first.get(10, TimeUnit.SECONDS);
    for (CompletableFuture<?> f : List.of(bad, sameBatch)) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertInstanceOf(BatchedJournalDao.JournalWriteException.class, e.getCause());
    }
    submit("c1").get(10, TimeUnit.SECONDS);
    assertEquals(1, statements("failed"));
  }

  @Test
  void aWriteLargerThanTheBatchSizeIsWrittenWholeAndAlone() throws Exception {
    writer(2, 100);
    CompletableFuture<?> first = submitHeld("a1");
    CompletableFuture<?> large = submit("b1", "b2", "b3");
    CompletableFuture<?> after = submit("c1");
    firstStatementMayEnd.countDown();
    CompletableFuture.allOf(first, large, after).get(10, TimeUnit.SECONDS);
    assertEquals(List.of(List.of("a1"), List.of("b1", "b2", "b3"), List.of("c1")), batches);
  }

  @Test
  void anErrorThatIsNoSqlExceptionAlsoFailsItsBatchAndTheWriterGoesOn() throws Exception {
    writer(10, 100);
    firstStatementMayEnd.countDown();
    submit("a1").get(10, TimeUnit.SECONDS);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> submit("boom").get(10, TimeUnit.SECONDS));
    // Scala's promise boxes an Error in an ExecutionException.
    assertInstanceOf(AssertionError.class, e.getCause().getCause());
    submit("c1").get(10, TimeUnit.SECONDS);
  }

  @Test
  void anEmptyWriteIsAnsweredAtOnceWithoutAStatement() throws Exception {
    writer(10, 100);
    submit().get(1, TimeUnit.SECONDS);
    assertEquals(List.of(), batches);
  }

  @Test
  void moreEventsWaitingThanTheBufferRefusesTheNewWriteAtOnce() throws Exception {
    writer(10, 3);
    CompletableFuture<?> first = submitHeld("a1");
    CompletableFuture<?> waiting = submit("b1", "b2");
    CompletableFuture<?> refused = submit("c1", "c2");
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> refused.get(1, TimeUnit.SECONDS));
    String message = e.getCause().getMessage();
    assertTrue(message.contains("jdbc-journal.bufferSize"), message);
    firstStatementMayEnd.countDown();
    CompletableFuture.allOf(first, waiting).get(10, TimeUnit.SECONDS);
    submit("d1", "d2", "d3").get(10, TimeUnit.SECONDS);
  }

  @Test
  void stoppingFailsWhatWaitsAndWhatComesAfter() throws Exception {
    writer(10, 100);
    submitHeld("a1");
    CompletableFuture<?> waiting = submit("b1");
    writer.stop();
    assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
    assertThrows(ExecutionException.class, () -> submit("c1").get(10, TimeUnit.SECONDS));
  }
}
