package org.herald.api;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.herald.api.updates.UpdatesSocket;

/**
 * The public port: Herald accepts its TCP connections itself and gives each to
 * {@link UpdatesSocket#connection}, which keeps a plain, authenticated upgrade to
 * {@code /v1/updates} as an updates socket with nothing under it but TCP, and hands every other
 * connection to pekko-http's server layer and the routes, exactly as pekko-http's own binding
 * would (same {@code pekko.http.server} settings). An idle socket served through pekko-http
 * kept its whole HTTP/1.1 pipeline for its life, about a fifth of its memory
 * (docs/benchmarks.md, "connections").
 *
 * <p>Stopping (CoordinatedShutdown), as pekko-http's binding does: the port unbinds; requests
 * in flight get up to {@code hardDeadline} to be answered, and answers given meanwhile carry
 * {@code Connection: close}; then the remaining HTTP connections are closed. Updates sockets
 * are closed by the {@link org.herald.api.updates.UpdatesHub} when the port unbinds.
 */
public final class PublicPort {
  private final ActorSystem<?> system;
  private final ServerSettings settings;
  private final LoggingAdapter log;
  private final Flow<HttpRequest, HttpResponse, NotUsed> routes;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final SharedKillSwitch httpConnections = KillSwitches.shared("public-port-http");
  private volatile boolean stopping;

  private PublicPort(ActorSystem<?> system, Route route) {
    this.system = system;
    this.settings = ServerSettings.create(system.classicSystem());
    this.log = Logging.getLogger(system.classicSystem(), PublicPort.class);
    this.routes = route.flow(system);
  }

  /** Binds {@code host:port}; the binding is undone in CoordinatedShutdown. */
  public static CompletionStage<Tcp.ServerBinding> bind(
      ActorSystem<?> system, Route route, UpdatesSocket socket, String host, int port, Duration hardDeadline) {
    PublicPort publicPort = new PublicPort(system, route);
    return Tcp.get(system)
        .bind(host, port, publicPort.settings.getBacklog(), publicPort.settings.getSocketOptions(), false, Optional.empty())
        .to(Sink.foreach(connection -> connection.handleWith(socket.connection(() -> publicPort.http(connection)), system)))
        .run(system)
        .thenApply(
            binding -> {
              publicPort.addToCoordinatedShutdown(binding, hardDeadline);
              return binding;
            });
  }

  /** pekko-http's server for one connection: its server layer over plain TCP, then the routes. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Flow<ByteString, ByteString, NotUsed> http(Tcp.IncomingConnection connection) {
    // TLSPlacebo's inbound type is SessionBytes, a kind of SslTlsInbound: Java's generics do not
    // see that one fits where the other is expected.
    BidiFlow plainTcp = TLSPlacebo.getInstance();
    BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> layer =
        Http.get(system).serverLayer(settings, Optional.of(connection.remoteAddress()), log).atop(plainTcp);
    // As pekko-http's binding: no bytes either way for idle-timeout closes the connection.
    scala.concurrent.duration.Duration idle = settings.getTimeouts().idleTimeout();
    if (idle.isFinite()) {
      layer = layer.atop(BidiFlow.bidirectionalIdleTimeout(Duration.ofNanos(idle.toNanos())));
    }
    return counted().join(layer).via(httpConnections.flow());
  }

  /** The routes, counting the requests they have not answered yet (per connection, so a dropped one does not stay counted). */
  private Flow<HttpRequest, HttpResponse, NotUsed> counted() {
    AtomicInteger mine = new AtomicInteger();
    return Flow.<HttpRequest>create()
        .map(
            request -> {
              mine.incrementAndGet();
              inFlight.incrementAndGet();
              return request;
            })
        .via(routes)
        .map(
            response -> {
              mine.decrementAndGet();
              inFlight.decrementAndGet();
              return stopping && response.status().intValue() != 101 ? response.addHeader(Connection.create("close")) : response;
            })
        .watchTermination(
            (mat, done) -> {
              done.whenComplete((d, failure) -> inFlight.addAndGet(-mine.getAndSet(0)));
              return NotUsed.getInstance();
            });
  }

  private void addToCoordinatedShutdown(Tcp.ServerBinding binding, Duration hardDeadline) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceUnbind(),
        "public-port-unbind",
        () -> {
          stopping = true;
          return binding.unbind().thenApply(unit -> Done.getInstance());
        });
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceRequestsDone(),
        "public-port-requests-done",
        () -> {
          CompletableFuture<Done> drained = new CompletableFuture<>();
          long deadline = System.nanoTime() + hardDeadline.toNanos();
          awaitDrained(drained, deadline);
          return drained.thenApply(
              d -> {
                httpConnections.shutdown();
                return d;
              });
        });
  }

  private void awaitDrained(CompletableFuture<Done> drained, long deadline) {
    if (inFlight.get() <= 0 || System.nanoTime() >= deadline) {
      drained.complete(Done.getInstance());
    } else {
      system.scheduler().scheduleOnce(Duration.ofMillis(20), () -> awaitDrained(drained, deadline), system.executionContext());
    }
  }
}
