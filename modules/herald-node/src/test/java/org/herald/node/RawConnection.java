package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.concurrent.ThreadLocalRandom;
import org.herald.testkit.HeraldClient;

/**
 * A plain TCP connection to a node's public port for tests that write HTTP and RFC 6455 by hand:
 * bytes written in pieces (TCP may split anywhere), response heads and bodies, server frames.
 */
class RawConnection implements AutoCloseable {
  final Socket socket;
  final DataInputStream in;
  final OutputStream out;
  /** {@code host:port}, for the Host header. */
  final String host;

  RawConnection(String baseUrl) throws IOException {
    URI base = URI.create(baseUrl);
    host = base.getHost() + ":" + base.getPort();
    socket = new Socket(base.getHost(), base.getPort());
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** A fresh {@code Sec-WebSocket-Key}: 16 random bytes in base64. */
  static String key() {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  /** A client frame: masked unless told otherwise (an unmasked one is a protocol error). */
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

  record Frame(int opcode, byte[] payload) {}

  /** The next server frame, checked to be final, without reserved bits and unmasked. */
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

  /** The next text frame, passing over pings; anything else fails. */
  JsonNode nextText() throws IOException {
    Frame f = next();
    while (f.opcode() == 0x9) {
      f = next();
    }
    assertEquals(1, f.opcode());
    return HeraldClient.JSON.readTree(f.payload());
  }

  /** The next text frame of {@code type}, passing over others (echoes, pings). */
  JsonNode nextOfType(String type) throws IOException {
    JsonNode n = HeraldClient.JSON.readTree(next(1).payload());
    while (!n.path("type").asText().equals(type)) {
      n = HeraldClient.JSON.readTree(next(1).payload());
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
