package org.herald.api.admin;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Caller;
import org.herald.api.common.Json;
import org.herald.api.common.Roles;
import org.herald.api.common.RouteSupport;
import org.herald.domain.user.PlatformRole;

/**
 * Administration by platform admins: {@code PUT} and {@code DELETE
 * /v1/admin/roles/{username}/{role}} grant and revoke a platform role (204, idempotent). The
 * admin check comes first, so nobody else learns which usernames exist.
 */
public final class AdminRoutes extends RouteSupport {
  private final Roles roles;

  public AdminRoutes(Authenticator authenticator, ApiSettings settings, Roles roles) {
    super(authenticator, settings);
    this.roles = roles;
  }

  public Route routes() {
    return path(
        PathMatchers.segment("admin").slash("roles").slash(PathMatchers.segment()).slash(PathMatchers.segment()),
        (username, role) ->
            concat(
                put(() -> ignoringBody(() -> authenticated(caller -> respond(grant(caller, username, role, true))))),
                delete(() -> ignoringBody(() -> authenticated(caller -> respond(grant(caller, username, role, false)))))));
  }

  private CompletionStage<HttpResponse> grant(Caller caller, String username, String role, boolean grant) {
    return roles.require(caller, PlatformRole.ADMIN)
        .thenCompose(ok -> roles.grant(username, role, grant, caller.userId()))
        .thenApply(done -> Json.noContent());
  }
}
