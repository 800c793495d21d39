package org.herald.api.admin;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.admin.dto.ProjectionDtos.ProjectionsResponse;
import org.herald.api.admin.dto.ProjectionDtos.RebuildDto;
import org.herald.api.common.ApiErrors;
import org.herald.api.common.ApiException;
import org.herald.api.common.Json;
import org.herald.projection.ops.ProjectionOps;

/**
 * Operator routes for projections: {@code GET /projections} (the lag table) and {@code POST
 * /projections/{name}/rebuild} (202 with the rebuild's state; 404 for an unknown name, naming the
 * known ones; 409 when it is already rebuilding or refuses rebuilds).
 */
final class ProjectionOpsRoutes extends AllDirectives {
  private final ProjectionOps ops;

  ProjectionOpsRoutes(ProjectionOps ops) {
    this.ops = ops;
  }

  Route routes() {
    return pathPrefix(
        "projections",
        () ->
            concat(
                pathEndOrSingleSlash(() -> get(() -> respond(list()))),
                path(
                    PathMatchers.segment().slash("rebuild"),
                    // The body, if any, is read and ignored, so the connection stays usable.
                    name -> post(() -> toStrictEntity(Duration.ofSeconds(5), () -> respond(rebuild(name)))))));
  }

  private CompletionStage<HttpResponse> list() {
    return ops.status().thenApply(all -> Json.ok(ProjectionsResponse.of(all)));
  }

  private CompletionStage<HttpResponse> rebuild(String name) {
    try {
      return CompletableFuture.completedFuture(Json.response(StatusCodes.ACCEPTED, RebuildDto.of(ops.rebuild(name))));
    } catch (ProjectionOps.Refused refused) {
      boolean unknown = refused.reason() == ProjectionOps.Refused.Reason.UNKNOWN_PROJECTION;
      return CompletableFuture.failedFuture(new ApiException(
          unknown ? StatusCodes.NOT_FOUND : StatusCodes.CONFLICT,
          unknown ? "NOT_FOUND" : "CONFLICT",
          refused.getMessage(),
          refused.reason().name(),
          null));
    }
  }

  private Route respond(CompletionStage<HttpResponse> response) {
    return completeWithFuture(response.exceptionally(ApiErrors::toResponse));
  }
}
