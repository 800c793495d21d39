package org.herald.loadgen;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * HTTP/1.1 and WebSocket written and read by hand over a plain {@link Socket}, counting every
 * byte that crosses it: what {@code wire} reports is what the network carries (TLS and TCP/IP
 * headers aside), not what a library says it sent.
 */
final class RawWire implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One frame as it crossed the wire: its whole size (header, mask, payload) and its text. */
  record Frame(int opcode, int wireBytes, String text) {}

  /** An HTTP exchange's byte counts and the response body. */
  record Exchange(int requestBytes, int responseBytes, int status, String body) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawWire(String host, int port) throws IOException {
    socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  void timeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  /**
   * Sends {@code head} (request line and headers, without the blank line) and {@code body}; reads
   * the response through its body (Content-Length or chunked).
   */
  Exchange exchange(String head, byte[] body) throws IOException {
    byte[] request = (head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    out.write(request);
    out.write(body);
    out.flush();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    String headers = readHead(seen);
    int status = Integer.parseInt(headers.substring(9, 12));
    String lower = headers.toLowerCase(Locale.ROOT);
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    if (lower.contains("transfer-encoding: chunked")) {
      while (true) {
        String sizeLine = readLine(seen);
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        byte[] chunk = readN(size, seen);
        content.write(chunk);
        readLine(seen);
        if (size == 0) {
          break;
        }
      }
    } else {
      int at = lower.indexOf("content-length:");
      int length = at < 0 ? 0 : Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
      content.write(readN(length, seen));
    }
    return new Exchange(request.length + body.length, seen.size(), status, content.toString(StandardCharsets.UTF_8));
  }

  /** The upgrade handshake a typical client sends to {@code path}; an Exchange without body. */
  Exchange upgrade(String host, String path) throws IOException {
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    String head = "GET " + path + " HTTP/1.1\r\n"
        + "Host: " + host + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + "User-Agent: herald-bench/1";
    byte[] request = (head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    out.write(request);
    out.flush();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    String headers = readHead(seen);
    int status = Integer.parseInt(headers.substring(9, 12));
    return new Exchange(request.length, seen.size(), status, "");
  }

  /** Writes one masked text frame, as a client must; its size on the wire. */
  int sendText(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        frame.write((int) ((long) payload.length >>> (8 * i)) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i & 3]);
    }
    byte[] bytes = frame.toByteArray();
    out.write(bytes);
    out.flush();
    return bytes.length;
  }

  /** Reads one whole server frame (unmasked; a fragmented message is not expected here). */
  Frame readFrame() throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] h = readN(2, seen);
    int opcode = h[0] & 0x0f;
    boolean masked = (h[1] & 0x80) != 0;
    long length = h[1] & 0x7f;
    if (length == 126) {
      byte[] l = readN(2, seen);
      length = ((l[0] & 0xffL) << 8) | (l[1] & 0xffL);
    } else if (length == 127) {
      byte[] l = readN(8, seen);
      length = 0;
      for (byte b : l) {
        length = (length << 8) | (b & 0xffL);
      }
    }
    byte[] mask = masked ? readN(4, seen) : null;
    byte[] payload = readN((int) length, seen);
    if (mask != null) {
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i & 3];
      }
    }
    return new Frame(opcode, seen.size(), new String(payload, StandardCharsets.UTF_8));
  }

  /** Reads text frames until one has {@code "type":"<type>"}; that frame. */
  Frame readUntil(String type) throws IOException {
    while (true) {
      Frame f = readFrame();
      if (f.opcode() == 1 && Frames.is(f.text(), "type", type)) {
        return f;
      }
      if (f.opcode() == 8) {
        throw new IOException("the server closed the socket waiting for " + type + ": " + f.text());
      }
    }
  }

  private String readHead(ByteArrayOutputStream seen) throws IOException {
    StringBuilder head = new StringBuilder();
    while (true) {
      String line = readLine(seen);
      if (line.isEmpty()) {
        return head.toString();
      }
      head.append(line).append("\r\n");
    }
  }

  private String readLine(ByteArrayOutputStream seen) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed mid-response");
      }
      seen.write(b);
      if (b == '\n') {
        int n = line.length();
        return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
      }
      line.append((char) b);
    }
  }

  private byte[] readN(int n, ByteArrayOutputStream seen) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new IOException("connection closed mid-frame");
    }
    seen.write(b);
    return b;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
