package org.herald.api.admin;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.javadsl.ClusterHttpManagementRoutes;
import org.herald.api.common.ApiErrors;
import org.herald.api.common.ApiException;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Json;
import org.herald.api.common.Roles;
import org.herald.domain.common.Metrics;
import org.herald.projection.ops.ProjectionOps;

/**
 * The operator HTTP server: a second binding, on loopback by default ({@code herald.admin.host},
 * {@code herald.admin.port}, 8558), for tools, probes and Prometheus. Reads: {@code GET
 * /metrics} (Prometheus text), {@code GET /ready} and {@code GET /alive} (Pekko Management health
 * checks, {@link HealthRoutes}), {@code GET /cluster/members} (Pekko Management's read-only
 * cluster routes: members, reachability, leader, oldest; also {@code /cluster/members/{address}},
 * {@code /cluster/shards/{type}}, {@code /cluster/domain-events}), {@code GET /projections}.
 * Changes: {@code POST /projections/{name}/rebuild}, {@code PUT|DELETE /roles/{username}/{role}}.
 * It asks for no credentials, like Pekko Management's defaults, so binding it beyond loopback
 * needs a network that only operators reach. Errors have the API's JSON shape.
 *
 * <p>The port stays bound until the node has left the cluster (it unbinds just before the actor
 * system terminates), so a stopping node answers {@code /ready} with 503 while it drains rather
 * than refusing connections. To add routes, add a routes class and one line to {@link #routes}.
 */
public final class OperatorServer extends AllDirectives {
  /** Prometheus reads text/plain as its text format 0.0.4. */
  private static final ContentType.NonBinary PROMETHEUS_TEXT = MediaTypes.TEXT_PLAIN.toContentType(HttpCharsets.UTF_8);

  private OperatorServer() {}

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, DataSource dataSource, String host, int port) {
    return Http.get(system)
        .newServerAt(host, port)
        .bind(routes(system, dataSource))
        .thenApply(
            binding -> {
              CoordinatedShutdown.get(system)
                  .addTask(
                      CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                      "operator-port-unbind",
                      () -> binding.terminate(Duration.ofSeconds(2)).thenApply(terminated -> Done.getInstance()));
              return binding;
            });
  }

  static Route routes(ActorSystem<?> system, DataSource dataSource) {
    Metrics metrics = Metrics.get(system);
    ProjectionOpsRoutes projections = new ProjectionOpsRoutes(new ProjectionOps(system, dataSource));
    HealthRoutes health = new HealthRoutes(system);
    Route members = ClusterHttpManagementRoutes.readOnly(Cluster.get(Adapter.toClassic(system)));
    Roles roles = Roles.fromConfig(system, ApiSettings.fromConfig(system.settings().config()).askTimeout());
    OperatorServer d = new OperatorServer();
    String boundHost = system.settings().config().getString("herald.admin.host");
    return ApiErrors.handled(
        d,
        () ->
            d.fromToolsOnly(
                boundHost,
                () ->
                    d.concat(
                        d.path("metrics", () -> d.get(() -> d.complete(HttpEntities.create(PROMETHEUS_TEXT, metrics.scrape())))),
                        health.routes(),
                        members,
                        projections.routes(),
                        d.path(
                            PathMatchers.segment("roles").slash(PathMatchers.segment()).slash(PathMatchers.segment()),
                            (username, role) ->
                                d.concat(
                                    d.put(() -> d.completeWithFuture(grant(roles, username, role, true))),
                                    d.delete(() -> d.completeWithFuture(grant(roles, username, role, false))))))));
  }

  /**
   * Tools, not browsers. A request with an {@code Origin} header (a web page, even one on this
   * machine) is refused whatever it asks. A request that changes something (any method but GET
   * and HEAD) must also name an address, {@code localhost} or the bound host: a page whose own
   * name now resolves to this machine (DNS rebinding) sends no {@code Origin} on same-origin
   * requests, and must not grant roles or rebuild read models. Reads stay open to host names, so
   * that Prometheus and orchestrators can use {@code http://herald2:8558/metrics}.
   */
  private Route fromToolsOnly(String boundHost, Supplier<Route> inner) {
    return optionalHeaderValueByName(
        "Origin",
        origin ->
            extractMethod(
                method ->
                    extractHost(
                        host -> {
                          boolean read = method.equals(HttpMethods.GET) || method.equals(HttpMethods.HEAD);
                          boolean address =
                              host.equals("localhost") || host.equals(boundHost) || host.matches("[0-9.]+") || host.contains(":")
                                  || host.startsWith("[");
                          if (origin.isPresent() || !(read || address)) {
                            throw new ApiException(
                                StatusCodes.FORBIDDEN, "FORBIDDEN",
                                "the operator port answers command-line tools only (no browser origins; changes only"
                                    + " through an address, localhost or the bound host name)",
                                null, null);
                          }
                          return inner.get();
                        })));
  }

  /** {@code PUT|DELETE /roles/{username}/{role}}: the operator grants or revokes a platform role. */
  private static CompletionStage<HttpResponse> grant(Roles roles, String username, String role, boolean grant) {
    return roles
        .grant(username, role, grant, Roles.OPERATOR)
        .thenApply(done -> Json.ok(Map.of("username", username, "role", role, "granted", grant)));
  }
}
