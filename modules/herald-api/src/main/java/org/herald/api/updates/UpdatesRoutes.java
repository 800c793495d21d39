package org.herald.api.updates;

import org.apache.pekko.http.javadsl.server.Route;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.RouteSupport;
import org.herald.api.updates.UpdatesSocket;

/** {@code GET /v1/updates}: the live updates WebSocket, authenticated before the upgrade. */
public final class UpdatesRoutes extends RouteSupport {
  private final UpdatesSocket socket;

  public UpdatesRoutes(Authenticator authenticator, ApiSettings settings, UpdatesSocket socket) {
    super(authenticator, settings);
    this.socket = socket;
  }

  public Route routes() {
    return path(
        "updates",
        () ->
            get(
                () ->
                    authenticated(
                        caller ->
                            // pekko-http validates the upgrade (a 400 otherwise); the socket
                            // answers it and frames the connection itself.
                            extractWebSocketUpgrade(
                                upgrade ->
                                    headerValueByName(
                                        "Sec-WebSocket-Key", key -> complete(socket.upgrade(caller, key)))))));
  }
}
