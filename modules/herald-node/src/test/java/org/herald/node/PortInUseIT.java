package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.herald.testkit.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node whose public port is taken does not start: it says which port and why, and stops.
 * (It used to keep running without the port and say nothing: the failure's callback touched the
 * actor context from outside the actor and threw.)
 */
class PortInUseIT {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  @Test
  void aNodeWhosePortIsTakenSaysSoAndDoesNotStart() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      ExecutionException failed =
          assertThrows(
              ExecutionException.class,
              () -> HeraldNode.start(TestNodes.on(pg).with("herald.http.port", port)).toCompletableFuture().get(90, TimeUnit.SECONDS));
      String message = failed.getCause().getMessage();
      assertTrue(message.contains("cannot bind HTTP to 127.0.0.1:" + port), message);
      assertTrue(message.contains("Address already in use"), message);
    }
  }
}
