package org.herald.node;

import com.typesafe.config.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.jdbc.journal.JdbcAsyncWriteJournal;
import org.herald.domain.common.Metrics;
import scala.collection.immutable.Seq;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * pekko-persistence-jdbc's journal, timed: the journal plugin of {@code persistence.conf}. Each
 * {@code asyncWriteMessages} call is one entity's write (the events of one or more persists)
 * from the moment the journal receives it until it is committed, including the wait for the
 * plugin's shared INSERT batch: the time an entity waits before it may answer "durable". Meters
 * (this node's writes): {@code herald_journal_write_duration_seconds{outcome="ok|failed"}}, a
 * histogram, and {@code herald_journal_events_written_total}.
 */
public final class MeteredJdbcJournal extends JdbcAsyncWriteJournal {
  private final Timer written;
  private final Timer failed;
  private final Counter events;

  public MeteredJdbcJournal(Config config) {
    super(config);
    MeterRegistry registry = Metrics.get(Adapter.toTyped(context().system())).registry();
    this.written = timer(registry, "ok");
    this.failed = timer(registry, "failed");
    this.events =
        Counter.builder("herald.journal.events.written")
            .description("Events this node wrote to the journal")
            .register(registry);
  }

  private static Timer timer(MeterRegistry registry, String outcome) {
    // The circuit breaker's call-timeout (10 s) bounds a write.
    return Metrics.latencyHistogram(
        registry,
        "herald.journal.write.duration",
        "Time from the journal receiving an entity's write to its commit (failed: to its failure)",
        Duration.ofSeconds(10),
        "outcome",
        outcome);
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    long start = System.nanoTime();
    long count = 0;
    var it = messages.iterator();
    while (it.hasNext()) {
      count += it.next().size();
    }
    long eventCount = count;
    Future<Seq<Try<BoxedUnit>>> result = super.asyncWriteMessages(messages);
    result.onComplete(
        outcome -> {
          long elapsed = System.nanoTime() - start;
          if (outcome.isSuccess()) {
            written.record(elapsed, TimeUnit.NANOSECONDS);
            // A rejected AtomicWrite (serialization failure) wrote nothing.
            long rejected = 0;
            var results = outcome.get().iterator();
            var writes = messages.iterator();
            while (results.hasNext() && writes.hasNext()) {
              int size = writes.next().size();
              rejected += results.next().isFailure() ? size : 0;
            }
            events.increment(eventCount - rejected);
          } else {
            failed.record(elapsed, TimeUnit.NANOSECONDS);
          }
          return BoxedUnit.UNIT;
        },
        ec());
    return result;
  }
}
