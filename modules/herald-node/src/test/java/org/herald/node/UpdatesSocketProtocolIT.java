package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.herald.testkit.HeraldClient;
import org.herald.testkit.HeraldClient.Account;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The updates socket speaks RFC 6455 to a client that writes its own frames on a plain TCP
 * socket: the handshake's accept key, masked frames split anywhere, fragments with a ping
 * between them, pings answered with their payload, binary and oversized messages answered with
 * an error while the socket stays open, and the close handshakes (the client's, and the one a
 * protocol violation starts).
 */
class UpdatesSocketProtocolIT {
  @RegisterExtension static NodeExtension api = new NodeExtension();

  static HeraldClient client;
  static Account alice;
  static String chatId;

  @BeforeAll
  static void setUp() {
    client = api.client();
    alice = client.registerUnique("wsa");
    Account bob = client.registerUnique("wsb");
    chatId = client.post("/v1/chats", alice.token(), Map.of("kind", "direct", "userId", bob.userId())).text("chatId");
  }

  /** A client on a raw socket, upgraded: frames written and read by hand. */
  static final class RawClient extends RawConnection {
    RawClient(String token) throws Exception {
      super(api.node().baseUrl());
      String key = key();
      out.write(("GET /v1/updates?token=" + token + " HTTP/1.1\r\nHost: " + host
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
              + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String head = head();
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
      assertTrue(head.toLowerCase().contains("sec-websocket-accept: " + accept.toLowerCase()), head);
      assertEquals("ready", nextText().path("type").asText());
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String send(String clientMessageId, String text) {
    return HeraldClient.write(Map.of("type", "send", "chatId", chatId, "clientMessageId", clientMessageId, "text", text));
  }

  @Test
  void aSendSplitAnywhereAndFragmentedAroundAPingIsAcknowledged() throws Exception {
    try (RawClient c = new RawClient(alice.token())) {
      c.write(RawClient.frame(true, 1, utf8(send("one", "whole but split into 3-byte writes")), true), 3);
      JsonNode sent = c.nextOfType("sent");
      assertEquals("one", sent.path("clientMessageId").asText());

      byte[] whole = utf8(send("two", "in fragments ✓"));
      int cut = whole.length / 2;
      c.write(RawClient.frame(false, 1, Arrays.copyOfRange(whole, 0, cut), true), 1000);
      c.write(RawClient.frame(true, 9, utf8("are you there"), true), 1000);
      RawConnection.Frame pong = c.next(0xA);
      assertEquals(0xA, pong.opcode(), "a ping between fragments is answered at once");
      assertArrayEquals(utf8("are you there"), pong.payload());
      c.write(RawClient.frame(true, 0, Arrays.copyOfRange(whole, cut, whole.length), true), 1000);
      JsonNode second = c.nextOfType("sent");
      assertEquals("two", second.path("clientMessageId").asText());
      assertEquals(
          "in fragments ✓",
          client.get("/v1/chats/" + chatId + "/messages?limit=1", alice.token()).body().path("messages").get(0).path("text").asText());
    }
  }

  @Test
  void binaryAndOversizedMessagesGetAnErrorAndTheSocketStaysOpen() throws Exception {
    try (RawClient c = new RawClient(alice.token())) {
      c.write(RawClient.frame(true, 2, new byte[] {1, 2, 3}, true), 1000);
      JsonNode binary = c.nextText();
      assertEquals("error", binary.path("type").asText());
      assertEquals("BAD_REQUEST", binary.path("error").path("code").asText(), binary.toString());

      byte[] huge = new byte[200_000];
      Arrays.fill(huge, (byte) 'x');
      c.write(RawClient.frame(true, 1, huge, true), 16_384);
      JsonNode tooLarge = c.nextText();
      assertEquals("error", tooLarge.path("type").asText());
      assertEquals("PAYLOAD_TOO_LARGE", tooLarge.path("error").path("code").asText(), tooLarge.toString());

      c.write(RawClient.frame(true, 1, utf8(HeraldClient.write(Map.of("type", "ping"))), true), 1000);
      assertEquals("pong", c.nextText().path("type").asText(), "the socket still answers");
    }
  }

  @Test
  void theClientsCloseIsAnsweredWithTheSameCode() throws Exception {
    try (RawClient c = new RawClient(alice.token())) {
      c.write(RawClient.frame(true, 8, new byte[] {0x03, (byte) 0xE8}, true), 1000);
      RawConnection.Frame close = c.next();
      assertEquals(8, close.opcode());
      assertEquals(1000, ((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF));
      assertEquals(-1, c.in.read(), "then the server closes the connection");
    }
  }

  @Test
  void anUnmaskedClientFrameIsAProtocolErrorThatClosesTheSocket() throws Exception {
    try (RawClient c = new RawClient(alice.token())) {
      c.write(RawClient.frame(true, 1, utf8(send("three", "unmasked")), false), 1000);
      RawConnection.Frame close = c.next();
      assertEquals(8, close.opcode());
      assertEquals(1002, ((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF));
      assertTrue(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8).contains("masked"));
      assertEquals(-1, c.in.read());
    }
  }
}
