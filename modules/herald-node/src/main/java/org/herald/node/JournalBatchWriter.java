package org.herald.node;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.herald.domain.common.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Future;
import scala.concurrent.Promise;
import scala.runtime.BoxedUnit;

/**
 * The journal's write queue on PostgreSQL, in place of the plugin's. Every entity's write waits
 * here; each of {@code parallelism} threads of its own takes what is waiting (whole writes, up to
 * {@code batchSize} events), writes it as one statement ({@link BatchedJournalDao}) on a
 * connection of its own pool, and completes the writes' promises itself. On its way a write
 * crosses two threads: this writer's, then the plugin's callback after it. Through the plugin's
 * queue (a stream: offer, batch, {@code mapAsync}, Slick's executor, back into the stream) it
 * crossed four, each a parked thread to wake, and at 1,000 messages a second nearly every write
 * is a batch of its own, so they were paid per message (docs/benchmarks.md).
 *
 * <p>Same guarantees as the plugin's queue: a batch is one statement in auto-commit, committed
 * whole or not at all, and a promise completes only after the commit; an entity has one write in
 * flight at a time, so its events keep their order. More than {@code bufferSize} events waiting
 * (events, where the plugin counted writes) fail the new write at once, and the journal's
 * circuit breaker then sheds load. The writers block only in JDBC, and nothing else runs on
 * them. They stop when the actor system terminates; writes still waiting then fail,
 * unacknowledged.
 */
final class JournalBatchWriter<R> {
  private static final Logger log = LoggerFactory.getLogger(JournalBatchWriter.class);

  /** Writes one batch's rows as one statement on {@code connection}. */
  @FunctionalInterface
  interface BatchStatement<R> {
    void write(Connection connection, List<R> rows) throws SQLException;
  }

  /** Opens a connection for one batch; closing it gives it back. */
  @FunctionalInterface
  interface Connections {
    Connection open() throws SQLException;
  }

  private record Pending<R>(List<R> rows, Promise<BoxedUnit> done) {}

  private final LinkedBlockingDeque<Pending<R>> queue = new LinkedBlockingDeque<>();
  private final AtomicInteger waitingEvents = new AtomicInteger();
  private final Connections connections;
  private final BatchStatement<R> statement;
  private final int batchSize;
  private final int bufferSize;
  private final Timer statementOk;
  private final Timer statementFailed;
  private final List<Thread> writers = new ArrayList<>();
  private volatile boolean stopped;

  JournalBatchWriter(
      String name,
      Connections connections,
      BatchStatement<R> statement,
      int parallelism,
      int batchSize,
      int bufferSize,
      MeterRegistry registry) {
    this.connections = connections;
    this.statement = statement;
    this.batchSize = Math.max(1, batchSize);
    this.bufferSize = bufferSize;
    this.statementOk = statementTimer(registry, "ok");
    this.statementFailed = statementTimer(registry, "failed");
    for (int i = 0; i < Math.max(1, parallelism); i++) {
      Thread t = new Thread(this::run, name + "-" + i);
      t.setDaemon(true);
      t.setUncaughtExceptionHandler(
          (thread, e) -> log.error("journal writer {} died", thread.getName(), e));
      writers.add(t);
    }
    writers.forEach(Thread::start);
  }

  private static Timer statementTimer(MeterRegistry registry, String outcome) {
    return Metrics.latencyHistogram(
        registry,
        "herald.journal.statement.duration",
        "Time one batch's journal statement took, commit included",
        Duration.ofNanos(100_000),
        Duration.ofSeconds(10),
        "outcome",
        outcome);
  }

  /** Queues one write (the rows of one AtomicWrite or more); completes once they are committed. */
  Future<BoxedUnit> submit(List<R> rows) {
    Promise<BoxedUnit> done = Promise.apply();
    if (rows.isEmpty()) {
      // Every event of it failed to serialize: nothing to write.
      done.success(BoxedUnit.UNIT);
    } else if (stopped) {
      done.failure(stoppedFailure());
    } else if (waitingEvents.addAndGet(rows.size()) > bufferSize) {
      waitingEvents.addAndGet(-rows.size());
      done.failure(
          new IllegalStateException(
              "journal write refused: "
                  + bufferSize
                  + " events already wait to be written (jdbc-journal.bufferSize)"));
    } else {
      queue.add(new Pending<>(rows, done));
      if (stopped) {
        // Stopped between the check and the add: no writer will take it.
        failWaiting();
      }
    }
    return done.future();
  }

  /** Stops the writers; writes still waiting fail. */
  void stop() {
    stopped = true;
    writers.forEach(Thread::interrupt);
    failWaiting();
  }

  private void failWaiting() {
    Pending<R> left;
    while ((left = queue.poll()) != null) {
      left.done().tryFailure(stoppedFailure());
    }
  }

  private static IllegalStateException stoppedFailure() {
    return new IllegalStateException("the journal writer has stopped");
  }

  private void run() {
    List<Pending<R>> batch = new ArrayList<>();
    List<R> rows = new ArrayList<>();
    while (!stopped) {
      Pending<R> next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        // Only stop() ends a writer.
        continue;
      }
      int events = 0;
      // Whole writes only (an AtomicWrite is all or nothing). One that would overflow the batch
      // goes back to the head of the queue, for whichever writer is free first.
      while (next != null) {
        if (events > 0 && events + next.rows().size() > batchSize) {
          queue.addFirst(next);
          break;
        }
        batch.add(next);
        rows.addAll(next.rows());
        events += next.rows().size();
        next = events < batchSize ? queue.poll() : null;
      }
      waitingEvents.addAndGet(-events);
      try {
        write(batch, rows);
      } finally {
        batch.clear();
        rows.clear();
      }
    }
    failWaiting();
  }

  private void write(List<Pending<R>> batch, List<R> rows) {
    Throwable failure = null;
    boolean committed = false;
    long elapsed = -1;
    try (Connection connection = connections.open()) {
      long start = System.nanoTime();
      try {
        statement.write(connection, rows);
        committed = true;
      } finally {
        elapsed = System.nanoTime() - start;
      }
    } catch (Throwable e) {
      if (!committed) {
        failure =
            e instanceof SQLException sql ? new BatchedJournalDao.JournalWriteException(sql) : e;
      } else {
        // Giving the connection back failed after the commit: the batch is written all the same.
        log.warn("closing a journal writer's connection failed after its commit", e);
      }
    }
    if (elapsed >= 0) {
      (failure == null ? statementOk : statementFailed).record(elapsed, TimeUnit.NANOSECONDS);
    }
    for (Pending<R> p : batch) {
      if (failure == null) {
        p.done().trySuccess(BoxedUnit.UNIT);
      } else {
        p.done().tryFailure(failure);
      }
    }
    if (failure instanceof VirtualMachineError fatal) {
      throw fatal;
    }
  }
}
