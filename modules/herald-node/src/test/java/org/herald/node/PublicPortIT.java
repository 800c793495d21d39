package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
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
 * never finished its request head or it is an HTTP connection kept alive.
 */
class PublicPortIT {
  /** A short idle timeout, to see connections that say nothing closed. */
  @RegisterExtension
  static NodeExtension api = new NodeExtension(o -> o.with("pekko.http.server.idle-timeout", "2s"));

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

  /** A raw TCP connection to the public port. */
  static final class Conn implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    final String host;

    Conn() throws IOException {
      URI base = URI.create(api.node().baseUrl());
      host = base.getHost() + ":" + base.getPort();
      socket = new Socket(base.getHost(), base.getPort());
      socket.setSoTimeout(10_000);
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    void write(byte[] bytes, int piece) throws IOException {
      for (int i = 0; i < bytes.length; i += piece) {
        out.write(bytes, i, Math.min(piece, bytes.length - i));
        out.flush();
      }
    }

    /** A response head, status line to blank line. */
    String head() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        head.write(in.readUnsignedByte());
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** A whole response with a Content-Length body: its head and its body. */
    String[] response() throws IOException {
      String head = head();
      int length = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      byte[] body = new byte[length];
      in.readFully(body);
      return new String[] {head, new String(body, StandardCharsets.UTF_8)};
    }

    /** The payload of the next text frame, passing over pings. */
    JsonNode nextText() throws IOException {
      while (true) {
        int b0 = in.readUnsignedByte();
        int len = in.readUnsignedByte() & 0x7F;
        if (len == 126) {
          len = in.readUnsignedShort();
        } else if (len == 127) {
          len = (int) in.readLong();
        }
        byte[] payload = new byte[len];
        in.readFully(payload);
        if ((b0 & 0x0F) == 1) {
          return HeraldClient.JSON.readTree(payload);
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  static String key() {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  static byte[] upgrade(String target, String host, String extraHeaders) {
    return ("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + extraHeaders + "Sec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  static byte[] maskedText(String json) {
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x81);
    if (payload.length < 126) {
      b.write(0x80 | payload.length);
    } else {
      b.write(0x80 | 126);
      b.write(payload.length >> 8);
      b.write(payload.length);
    }
    byte[] mask = {1, 2, 3, 4};
    b.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      b.write(payload[i] ^ mask[i & 3]);
    }
    return b.toByteArray();
  }

  static boolean hasServerHeader(String head) {
    return head.toLowerCase(Locale.ROOT).contains("\r\nserver:");
  }

  @Test
  void aPlainUpgradeInPiecesWithFramesRightBehindItIsServedByTheSocketItself() throws Exception {
    try (Conn c = new Conn()) {
      byte[] head = upgrade("/v1/updates", c.host, "Authorization: Bearer " + alice.token() + "\r\nSec-WebSocket-Key: " + key() + "\r\n");
      byte[] send =
          maskedText(HeraldClient.write(Map.of("type", "send", "chatId", chatId, "clientMessageId", "pp-1", "text", "right behind the head")));
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.writeBytes(head);
      both.writeBytes(send);
      // The head split every 3 bytes, the first frame in the same writes as its end.
      c.write(both.toByteArray(), 3);
      String response = c.head();
      assertTrue(response.startsWith("HTTP/1.1 101 "), response);
      assertFalse(hasServerHeader(response), "answered without pekko-http: " + response);
      assertEquals("ready", c.nextText().path("type").asText());
      JsonNode sent = c.nextText();
      while (!sent.path("type").asText().equals("sent")) {
        sent = c.nextText();
      }
      assertEquals("pp-1", sent.path("clientMessageId").asText());
    }
  }

  @Test
  void anUpgradeWhoseTokenFailsGetsTheRoutes401() throws Exception {
    try (Conn c = new Conn()) {
      c.write(upgrade("/v1/updates?token=not-a-token", c.host, "Sec-WebSocket-Key: " + key() + "\r\n"), 1000);
      String[] response = c.response();
      assertTrue(response[0].startsWith("HTTP/1.1 401 "), response[0]);
      assertEquals("UNAUTHORIZED", HeraldClient.JSON.readTree(response[1]).path("error").path("code").asText(), response[1]);
    }
    try (Conn c = new Conn()) {
      String ended = alice.token().substring(0, alice.token().length() - 4) + "AAAA";
      c.write(upgrade("/v1/updates?token=" + ended, c.host, "Sec-WebSocket-Key: " + key() + "\r\n"), 1000);
      String[] response = c.response();
      assertTrue(response[0].startsWith("HTTP/1.1 401 "), "a well-formed but wrong token too: " + response[0]);
    }
  }

  @Test
  void anUpgradeWithoutItsKeyIsRefusedByPekkoHttp() throws Exception {
    try (Conn c = new Conn()) {
      c.write(upgrade("/v1/updates?token=" + alice.token(), c.host, ""), 1000);
      String[] response = c.response();
      assertTrue(response[0].startsWith("HTTP/1.1 400 "), response[0]);
    }
  }

  @Test
  void anUpgradeTheFastPathDoesNotRecogniseStillWorksThroughPekkoHttp() throws Exception {
    try (Conn c = new Conn()) {
      // A byte outside ASCII in a header value: left to pekko-http, which upgrades it.
      c.write(upgrade("/v1/updates?token=" + alice.token(), c.host, "User-Agent: Tëst\r\nSec-WebSocket-Key: " + key() + "\r\n"), 7);
      String response = c.head();
      assertTrue(response.startsWith("HTTP/1.1 101 "), response);
      assertTrue(hasServerHeader(response), "answered by pekko-http: " + response);
      assertEquals("ready", c.nextText().path("type").asText());
    }
  }

  @Test
  void oneConnectionCarriesSeveralRequestsWhateverWayTheirBytesArrive() throws Exception {
    try (Conn c = new Conn()) {
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
      c.write(upgrade("/v1/updates?token=" + alice.token(), c.host, "Sec-WebSocket-Key: " + key() + "\r\n"), 1000);
      String response = c.head();
      assertTrue(response.startsWith("HTTP/1.1 101 "), response);
      assertEquals("ready", c.nextText().path("type").asText());
    }
  }

  @Test
  void aConnectionThatNeverFinishesItsRequestOrFallsSilentIsClosedAfterTheIdleTimeout() throws Exception {
    try (Conn c = new Conn()) {
      c.write("GET /v1/upd".getBytes(StandardCharsets.US_ASCII), 100);
      assertClosedWithin(c, 8_000);
    }
    try (Conn c = new Conn()) {
      c.write(("GET /v1/openapi.json HTTP/1.1\r\nHost: " + c.host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), 1000);
      assertTrue(c.response()[0].startsWith("HTTP/1.1 200 "));
      assertClosedWithin(c, 8_000);
    }
  }

  /** The server ends the connection (a clean close or a reset) well before {@code millis}. */
  private static void assertClosedWithin(Conn c, int millis) throws IOException {
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
