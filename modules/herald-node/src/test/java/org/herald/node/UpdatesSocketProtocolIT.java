package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
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

  /** A client on a raw socket: frames written and read by hand. */
  static final class RawClient implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;

    RawClient(String token) throws Exception {
      URI base = URI.create(api.node().baseUrl());
      socket = new Socket(base.getHost(), base.getPort());
      socket.setSoTimeout(10_000);
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      String key = Base64.getEncoder().encodeToString(nonce);
      out.write(("GET /v1/updates?token=" + token + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
              + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String head = readHead();
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
      assertTrue(head.toLowerCase().contains("sec-websocket-accept: " + accept.toLowerCase()), head);
      assertEquals("ready", nextText().path("type").asText());
    }

    private String readHead() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        head.write(in.readUnsignedByte());
      }
      return head.toString(StandardCharsets.US_ASCII);
    }

    static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write((fin ? 0x80 : 0) | opcode);
      int len = payload.length;
      int mask = masked ? 0x80 : 0;
      if (len < 126) {
        b.write(mask | len);
      } else if (len < 65_536) {
        b.write(mask | 126);
        b.write(len >> 8);
        b.write(len);
      } else {
        b.write(mask | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
          b.write((int) ((long) len >> shift));
        }
      }
      byte[] key = new byte[4];
      ThreadLocalRandom.current().nextBytes(key);
      byte[] body = payload.clone();
      if (masked) {
        b.writeBytes(key);
        for (int i = 0; i < body.length; i++) {
          body[i] ^= key[i & 3];
        }
      }
      b.writeBytes(body);
      return b.toByteArray();
    }

    /** Writes the bytes in pieces of {@code piece} bytes, each flushed: TCP may split anywhere. */
    void write(byte[] bytes, int piece) throws IOException {
      for (int i = 0; i < bytes.length; i += piece) {
        out.write(bytes, i, Math.min(piece, bytes.length - i));
        out.flush();
      }
    }

    record Frame(int opcode, byte[] payload) {}

    Frame next() throws IOException {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      assertEquals(0x80, b0 & 0xF0, "server frames are final, with no reserved bits");
      assertEquals(0, b1 & 0x80, "server frames are not masked");
      long len = b1 & 0x7F;
      if (len == 126) {
        len = in.readUnsignedShort();
      } else if (len == 127) {
        len = in.readLong();
      }
      byte[] payload = new byte[(int) len];
      in.readFully(payload);
      return new Frame(b0 & 0x0F, payload);
    }

    /** The next frame with {@code opcode}, passing over others (echoes of our own sends). */
    Frame next(int opcode) throws IOException {
      Frame f = next();
      while (f.opcode() != opcode) {
        f = next();
      }
      return f;
    }

    /** The next text frame of {@code type}, passing over others (echoes, pings). */
    JsonNode nextOfType(String type) throws IOException {
      JsonNode n = HeraldClient.JSON.readTree(next(1).payload());
      while (!n.path("type").asText().equals(type)) {
        n = HeraldClient.JSON.readTree(next(1).payload());
      }
      return n;
    }

    JsonNode nextText() throws IOException {
      Frame f = next();
      while (f.opcode() == 0x9) {
        f = next();
      }
      assertEquals(1, f.opcode());
      return HeraldClient.JSON.readTree(f.payload());
    }

    @Override
    public void close() throws IOException {
      socket.close();
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
      RawClient.Frame pong = c.next(0xA);
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
      RawClient.Frame close = c.next();
      assertEquals(8, close.opcode());
      assertEquals(1000, ((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF));
      assertEquals(-1, c.in.read(), "then the server closes the connection");
    }
  }

  @Test
  void anUnmaskedClientFrameIsAProtocolErrorThatClosesTheSocket() throws Exception {
    try (RawClient c = new RawClient(alice.token())) {
      c.write(RawClient.frame(true, 1, utf8(send("three", "unmasked")), false), 1000);
      RawClient.Frame close = c.next();
      assertEquals(8, close.opcode());
      assertEquals(1002, ((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF));
      assertTrue(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8).contains("masked"));
      assertEquals(-1, c.in.read());
    }
  }
}
