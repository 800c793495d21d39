package org.herald.api.admin;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.common.ApiErrors;
import org.herald.domain.common.Metrics;
import org.herald.projection.ops.ProjectionOps;

/**
 * The operator HTTP server: a second binding, on loopback by default ({@code herald.admin.host},
 * {@code herald.admin.port}, 8558), for tools on the node's own machine: {@code GET /metrics}
 * (Prometheus text), {@code GET /projections}, {@code POST /projections/{name}/rebuild}. It asks
 * for no credentials, like Pekko Management's defaults: whoever reaches the port may rebuild
 * read models, so binding it beyond loopback needs a network that only operators reach. Errors
 * have the API's JSON shape. To add routes, add a routes class and one line to {@link #routes}.
 */
public final class OperatorServer extends AllDirectives {
  /** Prometheus reads text/plain as its text format 0.0.4. */
  private static final ContentType.NonBinary PROMETHEUS_TEXT = MediaTypes.TEXT_PLAIN.toContentType(HttpCharsets.UTF_8);

  private OperatorServer() {}

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, DataSource dataSource, String host, int port) {
    return Http.get(system)
        .newServerAt(host, port)
        .bind(routes(system, dataSource))
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system));
  }

  static Route routes(ActorSystem<?> system, DataSource dataSource) {
    Metrics metrics = Metrics.get(system);
    ProjectionOpsRoutes projections = new ProjectionOpsRoutes(new ProjectionOps(system, dataSource));
    org.herald.api.common.Roles roles =
        org.herald.api.common.Roles.fromConfig(system, org.herald.api.common.ApiSettings.fromConfig(system.settings().config()).askTimeout());
    OperatorServer d = new OperatorServer();
    String boundHost = system.settings().config().getString("herald.admin.host");
    return d.handleExceptions(
        ApiErrors.exceptionHandler(),
        () ->
            d.handleRejections(
                ApiErrors.rejectionHandler(),
                () -> d.fromToolsOnly(boundHost, () ->
                    d.concat(
                        d.path("metrics", () -> d.get(() -> d.complete(HttpEntities.create(PROMETHEUS_TEXT, metrics.scrape())))),
                        projections.routes(),
                        d.path(
                            org.apache.pekko.http.javadsl.server.PathMatchers.segment("roles")
                                .slash(org.apache.pekko.http.javadsl.server.PathMatchers.segment())
                                .slash(org.apache.pekko.http.javadsl.server.PathMatchers.segment()),
                            (username, role) ->
                                d.concat(
                                    d.put(() -> d.completeWithFuture(grant(roles, username, role, true))),
                                    d.delete(() -> d.completeWithFuture(grant(roles, username, role, false)))))))));
  }

  /**
   * Tools, not browsers: a request with an {@code Origin} header (a web page, even one on this
   * machine) or for a host name other than an address, {@code localhost} or the bound host (DNS
   * rebinding: a page whose name now resolves to 127.0.0.1) is refused, so no web page can grant
   * roles or rebuild read models through a browser on the node's machine.
   */
  private Route fromToolsOnly(String boundHost, java.util.function.Supplier<Route> inner) {
    return optionalHeaderValueByName(
        "Origin",
        origin ->
            extractHost(
                host -> {
                  boolean address = host.equals("localhost") || host.equals(boundHost) || host.matches("[0-9.]+") || host.contains(":")
                      || host.startsWith("[");
                  if (origin.isPresent() || !address) {
                    throw new org.herald.api.common.ApiException(
                        org.apache.pekko.http.javadsl.model.StatusCodes.FORBIDDEN, "FORBIDDEN",
                        "the operator port answers command-line tools only (no browser origins, no host names but the bound one)",
                        null, null);
                  }
                  return inner.get();
                }));
  }

  /** {@code PUT|DELETE /roles/{username}/{role}}: the operator grants or revokes a platform role. */
  private static CompletionStage<org.apache.pekko.http.javadsl.model.HttpResponse> grant(
      org.herald.api.common.Roles roles, String username, String role, boolean grant) {
    return roles
        .grant(username, role, grant, org.herald.api.common.Roles.OPERATOR)
        .thenApply(
            done ->
                org.herald.api.common.Json.ok(
                    java.util.Map.of("username", username, "role", role, "granted", grant)));
  }
}
