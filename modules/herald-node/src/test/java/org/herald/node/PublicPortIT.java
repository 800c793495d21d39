package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The public port reads each connection's first bytes itself: a plain, authenticated upgrade to
 * {@code /v1/updates} becomes an updates socket without pekko-http (its 101 carries no
 * {@code Server} header, which pekko-http adds to every response), and everything else, an
 * upgrade that fails to authenticate or that the fast path does not recognise included, is
 * answered by pekko-http and the routes as before, whatever way its bytes arrive. A connection
 * that stays silent is closed after {@code pekko.http.server.idle-timeout}, as before, whether it
 * never finished its request head, it is an HTTP connection kept alive, or it is a socket with
 * pings turned off.
 */
class PublicPortIT {
  /** A short idle timeout, and no pings to keep sockets busy, to see silent connections closed. */
  @RegisterExtension
  static NodeExtension api =
      new NodeExtension(o -> o.with("pekko.http.server.idle-timeout", "2s").with("herald.api.socket.keep-alive", "0s"));

  static HeraldClient client;
  static Account alice;
  static String chatId;

  @BeforeAll
  static void setUp() {
    client = api.client();
    alice = client.registerUnique("ppa");
    Account bob = client.registerUnique("ppb");
    chatId = client.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
  }

  static RawConnection connect() throws IOException {
    return new RawConnection(api.node().baseUrl());
  }

  static byte[] upgrade(String target, String host, String extraHeaders) {
    return ("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + extraHeaders + "Sec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  static boolean hasServerHeader(String head) {
    return head.toLowerCase(Locale.ROOT).contains("\r\nserver:");
  }

  @Test
  void aPlainUpgradeInPiecesWithFramesRightBehindItIsServedByTheSocketItself() throws Exception {
    try (RawConnection c = connect()) {
      byte[] head = upgrade("/v1/updates", c.host, "Authorization: Bearer " + alice.token() + "\r\nSec-WebSocket-Key: " + RawConnection.key() + "\r\n");
      byte[] send =
          RawConnection.frame(
              true,
              1,
              HeraldClient.write(Map.of("type", "send", "chatId", chatId, "clientMessageId", "pp-1", "text", "right behind the head"))
                  .getBytes(StandardCharsets.UTF_8),
              true);
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.writeBytes(head);
      both.writeBytes(send);
      // The head split every 3 bytes, the first frame in the same writes as its end.
      c.write(both.toByteArray(), 3);
      String response = c.head();
      assertTrue(response.startsWith("HTTP/1.1 101 "), response);
      assertFalse(hasServerHeader(response), "answered without pekko-http: " + response);
      assertEquals("ready", c.nextText().path("type").asText());
      assertEquals("pp-1", c.nextOfType("sent").path("clientMessageId").asText());
    }
  }

  @Test
  void anUpgradeWhoseTokenFailsGetsTheRoutes401() throws Exception {
    try (RawConnection c = connect()) {
      c.write(upgrade("/v1/updates?token=not-a-token", c.host, "Sec-WebSocket-Key: " + RawConnection.key() + "\r\n"), 1000);
      String[] response = c.response();
      assertTrue(response[0].startsWith("HTTP/1.1 401 "), response[0]);
      assertEquals("UNAUTHORIZED", HeraldClient.JSON.readTree(response[1]).path("error").path("code").asText(), response[1]);
    }
    try (RawConnection c = connect()) {
      String ended = alice.token().substring(0, alice.token().length() - 4) + "AAAA";
      c.write(upgrade("/v1/updates?token=" + ended, c.host, "Sec-WebSocket-Key: " + RawConnection.key() + "\r\n"), 1000);
      String[] response = c.response();
      assertTrue(response[0].startsWith("HTTP/1.1 401 "), "a well-formed but wrong token too: " + response[0]);
    }
  }

  @Test
  void anUpgradeWithoutItsKeyIsRefusedByPekkoHttp() throws Exception {
    try (RawConnection c = connect()) {
      c.write(upgrade("/v1/updates?token=" + alice.token(), c.host, ""), 1000);
      String[] response = c.response();
      assertTrue(response[0].startsWith("HTTP/1.1 400 "), response[0]);
    }
  }

  @Test
  void anUpgradeTheFastPathDoesNotRecogniseStillWorksThroughPekkoHttp() throws Exception {
    try (RawConnection c = connect()) {
      // A byte outside ASCII in a header value: left to pekko-http, which upgrades it.
      c.write(upgrade("/v1/updates?token=" + alice.token(), c.host, "User-Agent: Tëst\r\nSec-WebSocket-Key: " + RawConnection.key() + "\r\n"), 7);
      String response = c.head();
      assertTrue(response.startsWith("HTTP/1.1 101 "), response);
      assertTrue(hasServerHeader(response), "answered by pekko-http: " + response);
      assertEquals("ready", c.nextText().path("type").asText());
    }
  }

  @Test
  void oneConnectionCarriesSeveralRequestsWhateverWayTheirBytesArrive() throws Exception {
    try (RawConnection c = connect()) {
      byte[] get =
          ("GET /v1/chats/" + chatId + " HTTP/1.1\r\nHost: " + c.host + "\r\nAuthorization: Bearer " + alice.token() + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      ByteArrayOutputStream two = new ByteArrayOutputStream();
      two.writeBytes(get);
      two.writeBytes(get);
      c.write(two.toByteArray(), 5); // pipelined, split every 5 bytes
      for (int i = 0; i < 2; i++) {
        String[] response = c.response();
        assertTrue(response[0].startsWith("HTTP/1.1 200 "), response[0]);
        assertEquals(chatId, HeraldClient.JSON.readTree(response[1]).path("chatId").asText());
      }
      c.write(get, get.length);
      assertTrue(c.response()[0].startsWith("HTTP/1.1 200 "), "and a third, later");
      // Then an upgrade on the same connection: pekko-http's from the first request on.
      c.write(upgrade("/v1/updates?token=" + alice.token(), c.host, "Sec-WebSocket-Key: " + RawConnection.key() + "\r\n"), 1000);
      String response = c.head();
      assertTrue(response.startsWith("HTTP/1.1 101 "), response);
      assertEquals("ready", c.nextText().path("type").asText());
    }
  }

  @Test
  void aConnectionThatNeverFinishesItsRequestOrFallsSilentIsClosedAfterTheIdleTimeout() throws Exception {
    try (RawConnection c = connect()) {
      c.write("GET /v1/upd".getBytes(StandardCharsets.US_ASCII), 100);
      assertClosedWithin(c, 8_000);
    }
    try (RawConnection c = connect()) {
      c.write(("GET /v1/openapi.json HTTP/1.1\r\nHost: " + c.host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), 1000);
      assertTrue(c.response()[0].startsWith("HTTP/1.1 200 "));
      assertClosedWithin(c, 8_000);
    }
  }

  @Test
  void aSocketSilentBothWaysIsClosedAfterTheIdleTimeoutWhenPingsAreOff() throws Exception {
    try (RawConnection c = connect()) {
      c.write(upgrade("/v1/updates?token=" + alice.token(), c.host, "Sec-WebSocket-Key: " + RawConnection.key() + "\r\n"), 1000);
      assertTrue(c.head().startsWith("HTTP/1.1 101 "));
      assertEquals("ready", c.nextText().path("type").asText());
      assertClosedWithin(c, 8_000);
    }
  }

  /** The server ends the connection (a clean close or a reset) well before {@code millis}. */
  private static void assertClosedWithin(RawConnection c, int millis) throws IOException {
    c.socket.setSoTimeout(millis);
    long start = System.nanoTime();
    try {
      assertEquals(-1, c.in.read(), "nothing more is sent");
    } catch (java.net.SocketException reset) {
      // closed by a reset: closed all the same
    }
    assertTrue(System.nanoTime() - start < millis * 1_000_000L);
  }
}
