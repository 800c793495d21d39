package org.herald.domain.common;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's one metrics registry (Micrometer, Prometheus format), an actor-system extension so
 * that any code holding the system records into the same registry: {@code
 * Metrics.get(system).registry()}. One per actor system, not a static: tests run several nodes
 * in one JVM. Scraped at {@code GET /metrics} on the operator port. Name meters with dots
 * ({@code herald.projection.lag.events}); Prometheus sees underscores.
 */
public final class Metrics implements Extension {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private Metrics(ActorSystem<?> system) {
    new JvmMemoryMetrics().bindTo(registry);
    // Collector pauses (jvm_gc_pause_seconds) and what the node allocated between collections
    // (jvm_gc_memory_allocated_bytes_total): the bench reports both per message and per second.
    // It listens to the collectors' notifications, so it stops with this system (tests run
    // several nodes in one JVM, one after another).
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    system.getWhenTerminated().whenComplete((done, failure) -> gc.close());
    new JvmThreadMetrics().bindTo(registry);
    // The JIT's time (jvm_compilation_time_ms_total): a node compiles for minutes after its start,
    // which costs CPU the load then lacks; the bench waits for it to settle before measuring.
    new JvmCompilationMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  public static Metrics get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * A latency timer published as a Prometheus histogram with buckets from 1 ms to {@code max}
   * (the longest the timed thing can take), labelled with one {@code tag=value}. Registering an
   * existing name and label returns the meter already there.
   */
  public static Timer latencyHistogram(MeterRegistry registry, String name, String description, Duration max, String tag, String value) {
    return latencyHistogram(registry, name, description, Duration.ofMillis(1), max, tag, value);
  }

  /** As above, with buckets from {@code min} (for what usually takes well under a millisecond). */
  public static Timer latencyHistogram(
      MeterRegistry registry, String name, String description, Duration min, Duration max, String tag, String value) {
    return Timer.builder(name)
        .description(description)
        .tag(tag, value)
        .publishPercentileHistogram()
        .minimumExpectedValue(min)
        .maximumExpectedValue(max)
        .register(registry);
  }

  /** Every meter in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  private static final class Id extends ExtensionId<Metrics> {
    static final Id INSTANCE = new Id();

    @Override
    public Metrics createExtension(ActorSystem<?> system) {
      return new Metrics(system);
    }
  }
}
