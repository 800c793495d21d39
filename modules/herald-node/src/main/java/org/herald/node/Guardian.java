package org.herald.node;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.herald.api.ApiServer;
import org.herald.api.admin.OperatorServer;
import org.herald.api.common.ApiSettings;
import org.herald.api.updates.PubSub;
import org.herald.api.updates.UpdatesHub;
import org.herald.domain.Domain;
import org.herald.projection.Projections;
import org.herald.projection.keys.JdbcContentKeys;
import org.herald.domain.content.ContentKeysDestroyed;
import org.herald.domain.content.MasterKey;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import java.util.List;

/**
 * The composition root: once this node is Up in the cluster, it registers the entities, starts
 * the projections and the updates hub, and binds HTTP and the operator port.
 */
final class Guardian {
  private Guardian() {}

  interface Command {}

  /** Where each node's cache of data keys hears of keys another node destroyed. */
  private static final String EVICTIONS = "content-key-evictions";

  private record Up() implements Command {}

  /** Where a node listens: the public API and the operator port ({@code herald.admin}). */
  record Endpoints(String host, int port, String adminHost, int adminPort) {}

  static Behavior<Command> create(
      DataSource dataSource, MasterKey masterKey, Endpoints endpoints, CompletableFuture<Endpoints> bound) {
    return Behaviors.setup(
        ctx -> {
          Cluster cluster = Cluster.get(ctx.getSystem());
          ActorRef<SelfUp> upAdapter = ctx.messageAdapter(SelfUp.class, up -> new Up());
          cluster.subscriptions().tell(Subscribe.create(upAdapter, SelfUp.class));
          if (ctx.getSystem().settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
          }
          return Behaviors.receive(Command.class)
              .onMessage(Up.class, up -> start(ctx, dataSource, masterKey, endpoints, bound))
              .build();
        });
  }

  private static Behavior<Command> start(
      ActorContext<Command> ctx,
      DataSource dataSource,
      MasterKey masterKey,
      Endpoints endpoints,
      CompletableFuture<Endpoints> bound) {
    var system = ctx.getSystem();
    // Millisecond ticks: every time Herald records matches what clients see on the wire.
    Clock clock = Clock.tick(Clock.systemUTC(), Duration.ofMillis(1));
    PubSub pubSub = new PubSub(system);
    JdbcContentKeys contentKeys =
        new JdbcContentKeys(
            dataSource,
            system.dispatchers().lookup(DispatcherSelector.fromConfig("herald.jdbc-dispatcher")),
            masterKey,
            clock,
            system.settings().config().getInt("herald.crypto.key-cache-size"),
            system.settings().config().getInt("herald.crypto.key-reserve"));
    contentKeys.refillIfLow();
    // After the shard regions have stopped (their chats destroyed their own unused keys).
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "destroy-unused-content-keys",
            () -> contentKeys.releaseReserve().handle((done, failure) -> Done.getInstance()));
    ActorRef<ContentKeysDestroyed> evictions =
        ctx.spawn(
            Behaviors.receive(ContentKeysDestroyed.class)
                .onMessage(ContentKeysDestroyed.class, m -> {
                  contentKeys.evict(m.keyIds());
                  return Behaviors.same();
                })
                .build(),
            EVICTIONS);
    pubSub.register(Adapter.toClassic(evictions));
    contentKeys.onDestroyed(ids -> pubSub.sendToOthers("/user/" + EVICTIONS, new ContentKeysDestroyed(List.copyOf(ids))));
    Domain.init(system, clock, pubSub, contentKeys);
    Projections.init(system, dataSource);
    ApiSettings settings = ApiSettings.fromConfig(system.settings().config());
    ActorRef<UpdatesHub.Command> hub =
        ctx.spawn(UpdatesHub.create(ClusterSharding.get(system), pubSub, settings.askTimeout()), "updates-hub");
    var operator =
        OperatorServer.start(system, dataSource, endpoints.adminHost(), endpoints.adminPort())
            .toCompletableFuture()
            .exceptionally(
                failure -> {
                  throw new IllegalStateException(
                      "cannot bind the operator port " + endpoints.adminHost() + ":" + endpoints.adminPort()
                          + " (herald.admin.port, HERALD_ADMIN_PORT): " + rootMessage(failure),
                      failure);
                });
    var api =
        ApiServer.start(system, dataSource, contentKeys, hub, endpoints.host(), endpoints.port())
            .toCompletableFuture()
            .exceptionally(
                failure -> {
                  throw new IllegalStateException(
                      "cannot bind HTTP to " + endpoints.host() + ":" + endpoints.port()
                          + " (herald.http.port, HERALD_HTTP_PORT): " + rootMessage(failure),
                      failure);
                });
    // The log is taken here: the callback below runs outside the actor, where the context
    // refuses to be touched (it threw, and a port that failed to bind left the node running
    // without it, silently).
    org.slf4j.Logger log = ctx.getLog();
    api.thenCombine(
            operator,
            (http, admin) ->
                new Endpoints(
                    endpoints.host(), http.localAddress().getPort(), endpoints.adminHost(), admin.localAddress().getPort()))
        .whenComplete(
            (ports, failure) -> {
              if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                bound.completeExceptionally(cause);
                log.error(cause.getMessage());
              } else {
                bound.complete(ports);
              }
            });
    return Behaviors.empty();
  }

  /** The innermost cause's message: "Address already in use", not the wrappers' class names. */
  private static String rootMessage(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
