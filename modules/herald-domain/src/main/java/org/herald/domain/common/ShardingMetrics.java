package org.herald.domain.common;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.pattern.Patterns;

/**
 * Keeps the gauges {@code herald_sharding_entities} and {@code herald_sharding_shards} (label
 * {@code entity_type}) up to date: every {@code herald.metrics.refresh-interval} it asks each
 * shard region of this node for its statistics ({@code GetShardRegionStats}: entities per
 * shard, counted by the shards without listing ids), one round in flight at a time, so a scrape
 * never waits for a region. Values are per node: what this node hosts, not the cluster. Entity
 * types include the sharded daemon processes that run projection instances.
 */
public final class ShardingMetrics {
  private ShardingMetrics() {}

  /** The current values behind one entity type's pair of gauges. */
  private static final class Hosted {
    volatile double entities;
    volatile double shards;
  }

  public static Behavior<PeriodicRefresh.Command> create(MeterRegistry registry, Duration interval) {
    Map<String, Hosted> hosted = new HashMap<>();
    return Behaviors.setup(
        ctx -> {
          ClusterSharding sharding = ClusterSharding.get(Adapter.toClassic(ctx.getSystem()));
          // A region busy for longer than a refresh is reported at its last value.
          Duration timeout = interval.compareTo(Duration.ofSeconds(3)) < 0 ? interval : Duration.ofSeconds(3);
          return PeriodicRefresh.create(
              "shard region statistics",
              interval,
              () -> ask(sharding, timeout),
              stats -> stats.forEach((type, regionStats) -> update(type, regionStats, hosted, registry)));
        });
  }

  /** Every local region's statistics; a region that does not answer in time is left out. */
  private static CompletionStage<Map<String, ShardRegion.ShardRegionStats>> ask(ClusterSharding sharding, Duration timeout) {
    List<String> types = new ArrayList<>(sharding.getShardTypeNames());
    List<CompletableFuture<ShardRegion.ShardRegionStats>> asks = new ArrayList<>();
    for (String type : types) {
      asks.add(
          Patterns.ask(sharding.shardRegion(type), ShardRegion.getRegionStatsInstance(), timeout)
              .thenApply(ShardRegion.ShardRegionStats.class::cast)
              .exceptionally(failure -> null)
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, ShardRegion.ShardRegionStats> stats = new HashMap<>();
              for (int i = 0; i < types.size(); i++) {
                ShardRegion.ShardRegionStats answer = asks.get(i).join();
                if (answer != null) {
                  stats.put(types.get(i), answer);
                }
              }
              return stats;
            });
  }

  private static void update(String type, ShardRegion.ShardRegionStats stats, Map<String, Hosted> hosted, MeterRegistry registry) {
    Hosted h = hosted.computeIfAbsent(type, t -> register(registry, t, new Hosted()));
    long entities = 0;
    for (Object count : stats.getStats().values()) {
      entities += ((Number) count).longValue();
    }
    h.entities = entities;
    h.shards = stats.getStats().size();
  }

  private static Hosted register(MeterRegistry registry, String type, Hosted hosted) {
    Gauge.builder("herald.sharding.entities", hosted, h -> h.entities)
        .description("Entities of this type running on this node (sharding; refreshed every herald.metrics.refresh-interval)")
        .tags("entity_type", type)
        .strongReference(true)
        .register(registry);
    Gauge.builder("herald.sharding.shards", hosted, h -> h.shards)
        .description("Shards of this entity type hosted by this node")
        .tags("entity_type", type)
        .strongReference(true)
        .register(registry);
    return hosted;
  }
}
