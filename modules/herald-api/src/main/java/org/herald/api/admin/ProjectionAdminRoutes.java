package org.herald.api.admin;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.admin.dto.ProjectionDtos.ProjectionsResponse;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Caller;
import org.herald.api.common.Json;
import org.herald.api.common.RouteSupport;
import org.herald.projection.ops.ProjectionOps;

/**
 * Admin-only routes of the public API: {@code GET /v1/admin/projections}, the same lag table as
 * the operator port's {@code /projections}. Rebuilding stays on the operator port. Whether a
 * caller is an admin is decided by {@code requireAdmin} (completes normally for an admin, fails
 * with the 403 otherwise), so these routes know nothing of how roles are kept.
 */
public final class ProjectionAdminRoutes extends RouteSupport {
  private final ProjectionOps ops;
  private final Function<Caller, CompletionStage<Void>> requireAdmin;

  public ProjectionAdminRoutes(
      Authenticator authenticator, ApiSettings settings, ProjectionOps ops, Function<Caller, CompletionStage<Void>> requireAdmin) {
    super(authenticator, settings);
    this.ops = ops;
    this.requireAdmin = requireAdmin;
  }

  public Route routes() {
    return pathPrefix(
        "admin",
        () -> path("projections", () -> get(() -> authenticated(caller -> respond(projections(caller))))));
  }

  private CompletionStage<HttpResponse> projections(Caller caller) {
    return requireAdmin
        .apply(caller)
        .thenCompose(admin -> ops.status())
        .thenApply(all -> Json.ok(ProjectionsResponse.of(all)));
  }
}
