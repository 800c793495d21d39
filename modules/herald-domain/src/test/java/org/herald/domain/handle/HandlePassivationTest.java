package org.herald.domain.handle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.herald.domain.DomainTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A sharded handle entity stops once idle for herald.handle.passivate-after, and keeps its claim. */
class HandlePassivationTest {
  private final ActorTestKit kit =
      ActorTestKit.create(
          ConfigFactory.parseString(
                  """
                  pekko.actor.provider = cluster
                  pekko.remote.artery.canonical.hostname = 127.0.0.1
                  pekko.remote.artery.canonical.port = 0
                  herald.handle.passivate-after = 1s
                  """)
              .withFallback(DomainTestKit.config()));

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void anIdleHandleStopsAndStillKnowsItsOwner() {
    ActorSystem<Void> system = kit.system();
    Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
    HandleEntity.init(system, DomainTestKit.CLOCK);
    ClusterSharding sharding = ClusterSharding.get(system);
    String id = HandleEntity.usernameId("alice");

    TestProbe<HandleEntity.Reply> replies = kit.createTestProbe();
    HandleEntity.ref(sharding, id).tell(new HandleEntity.Claim("u1", replies.ref()));
    assertEquals(new HandleEntity.Claimed("u1"), replies.receiveMessage(Duration.ofSeconds(20)));
    assertTrue(liveEntities(sharding).contains(id), "the claimed handle is live");

    // Default sharding passivation (2 minutes here, 10 in the node) would keep it far longer.
    TestProbe<Object> waiter = kit.createTestProbe();
    waiter.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(200), () -> {
      assertTrue(liveEntities(sharding).isEmpty(), "the idle handle passivated");
      return null;
    });

    HandleEntity.ref(sharding, id).tell(new HandleEntity.Claim("u2", replies.ref()));
    assertInstanceOf(HandleEntity.Rejected.class, replies.receiveMessage(Duration.ofSeconds(10)), "recovered as taken");
  }

  private Set<String> liveEntities(ClusterSharding sharding) {
    TestProbe<ShardRegion.CurrentShardRegionState> state = kit.createTestProbe();
    sharding.shardState().tell(new GetShardRegionState(HandleEntity.ENTITY_TYPE_KEY, state.ref()));
    return state.receiveMessage(Duration.ofSeconds(5)).getShards().stream()
        .flatMap(s -> s.getEntityIds().stream())
        .collect(Collectors.toSet());
  }
}
