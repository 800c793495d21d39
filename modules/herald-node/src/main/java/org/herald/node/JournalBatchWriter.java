package org.herald.node;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.herald.domain.common.Metrics;
import scala.concurrent.Future;
import scala.concurrent.Promise;
import scala.runtime.BoxedUnit;

/**
 * The journal's write queue on PostgreSQL, in place of the plugin's. Every entity's write waits
 * here; each of {@code parallelism} threads of its own takes what is waiting (whole writes, up to
 * {@code batchSize} events), writes it as one statement ({@link BatchedJournalDao}) on a
 * connection of the journal's pool, and completes the writes' promises itself. A write therefore
 * crosses one hand-off, to a writer, before the database and none after it. The plugin's queue is
 * a stream (offer, batch, {@code mapAsync}, Slick's executor, back into the stream), in which a
 * write crossed three more, each a parked thread to wake; at 1,000 messages a second nearly every
 * write was a batch of its own, so they were paid per message (docs/benchmarks.md).
 *
 * <p>Same guarantees as the plugin's queue: a batch is one statement in auto-commit, committed whole
 * or not at all, and a promise completes only after the commit; an entity has one write in flight
 * at a time, so its events keep their order; more than {@code bufferSize} events waiting fail the
 * new write at once (the journal's circuit breaker then sheds load). The writers block only in
 * JDBC, and nothing else runs on them. They stop when the actor system terminates; writes still
 * waiting then fail, unacknowledged.
 */
final class JournalBatchWriter<R> {
  /** Writes one batch's rows as one statement on {@code connection}. */
  @FunctionalInterface
  interface BatchStatement<R> {
    void write(Connection connection, List<R> rows) throws SQLException;
  }

  /** Opens a connection of the journal's pool. */
  @FunctionalInterface
  interface Connections {
    Connection open() throws SQLException;
  }

  private record Pending<R>(List<R> rows, Promise<BoxedUnit> done) {}

  private final LinkedBlockingQueue<Pending<R>> queue = new LinkedBlockingQueue<>();
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
      writers.add(t);
    }
    writers.forEach(Thread::start);
  }

  private static Timer statementTimer(MeterRegistry registry, String outcome) {
    return Metrics.latencyHistogram(
        registry,
        "herald.journal.statement.duration",
        "Time PostgreSQL took for one batch's journal statement, commit included",
        Duration.ofNanos(100_000),
        Duration.ofSeconds(10),
        "outcome",
        outcome);
  }

  /** Queues one write (the rows of one AtomicWrite or more); completes once they are committed. */
  Future<BoxedUnit> submit(List<R> rows) {
    Promise<BoxedUnit> done = Promise.apply();
    if (stopped) {
      done.failure(new IllegalStateException("the journal writer has stopped"));
    } else if (waitingEvents.addAndGet(rows.size()) > bufferSize) {
      waitingEvents.addAndGet(-rows.size());
      done.failure(
          new IllegalStateException(
              "journal write refused: " + bufferSize + " events already wait to be written (jdbc-journal.bufferSize)"));
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
      left.done().tryFailure(new IllegalStateException("the journal writer has stopped"));
    }
  }

  private void run() {
    List<Pending<R>> batch = new ArrayList<>();
    List<R> rows = new ArrayList<>();
    Pending<R> carried = null;
    while (!stopped) {
      Pending<R> next;
      try {
        next = carried != null ? carried : queue.take();
      } catch (InterruptedException e) {
        break;
      }
      carried = null;
      int events = 0;
      // Whole writes only (an AtomicWrite is all or nothing); one over the size waits for the next batch.
      while (next != null) {
        if (events > 0 && events + next.rows().size() > batchSize) {
          carried = next;
          break;
        }
        batch.add(next);
        rows.addAll(next.rows());
        events += next.rows().size();
        next = events < batchSize ? queue.poll() : null;
      }
      waitingEvents.addAndGet(-events);
      write(batch, rows);
      batch.clear();
      rows.clear();
    }
    if (carried != null) {
      carried.done().tryFailure(new IllegalStateException("the journal writer has stopped"));
    }
  }

  private void write(List<Pending<R>> batch, List<R> rows) {
    long start = System.nanoTime();
    Throwable failure = null;
    try (Connection connection = connections.open()) {
      statement.write(connection, rows);
    } catch (SQLException e) {
      failure = new BatchedJournalDao.JournalWriteException(e);
    } catch (RuntimeException e) {
      failure = e;
    }
    long elapsed = System.nanoTime() - start;
    if (failure == null) {
      statementOk.record(elapsed, TimeUnit.NANOSECONDS);
      for (Pending<R> p : batch) {
        p.done().trySuccess(BoxedUnit.UNIT);
      }
    } else {
      statementFailed.record(elapsed, TimeUnit.NANOSECONDS);
      for (Pending<R> p : batch) {
        p.done().tryFailure(failure);
      }
    }
  }
}
