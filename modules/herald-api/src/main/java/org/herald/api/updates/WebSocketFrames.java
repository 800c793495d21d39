package org.herald.api.updates;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * The server side of RFC 6455 framing, for the updates socket. Herald frames the socket itself
 * instead of using pekko-http's message API so that an update is encoded into one frame once and
 * the same bytes are written to every socket that gets it, and so that an idle socket is one
 * stream stage instead of some thirty (docs/benchmarks.md, "connections" and "fanout").
 *
 * <p>Server frames are final and unmasked. Client frames must be masked; data messages may be
 * fragmented and interleaved with control frames; no extension is negotiated, so reserved bits
 * must be clear. A message longer than the limit is skipped without being buffered and reported
 * as {@link TooLarge}; the socket stays open. A protocol violation ends parsing with the close
 * code the RFC asks for (1002, or 1007 for text that is not UTF-8).
 */
final class WebSocketFrames {
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CONTINUATION = 0x0;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  static final int NORMAL_CLOSURE = 1000;
  static final int PROTOCOL_ERROR = 1002;
  static final int INVALID_PAYLOAD = 1007;

  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WebSocketFrames() {}

  /** {@code Sec-WebSocket-Accept} for a client's {@code Sec-WebSocket-Key} (RFC 6455 4.2.2). */
  static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key.trim() + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-1", e);
    }
  }

  /** A final text frame: what every socket that gets {@code json} writes, encoded once. */
  static ByteString text(String json) {
    return frame(TEXT, json.getBytes(StandardCharsets.UTF_8));
  }

  static ByteString ping() {
    return frame(PING, ByteString.emptyByteString());
  }

  static ByteString pong(ByteString payload) {
    return frame(PONG, payload);
  }

  /** A close frame with its status code and a reason (cut to fit the 125-byte control limit). */
  static ByteString close(int code, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(r.length, 123);
    ByteStringBuilder b = new ByteStringBuilder();
    b.putByte((byte) (code >> 8)).putByte((byte) code).putBytes(r, 0, n);
    return frame(CLOSE, b.result());
  }

  /** A final, unmasked frame: the header (2, 4 or 10 bytes) and the payload as it is. */
  static ByteString frame(int opcode, ByteString payload) {
    return frame(opcode, payload.toArrayUnsafe());
  }

  /**
   * The same, as one array: header and payload in one buffer, so a frame costs one copy of its
   * payload and the socket writes it from one piece (a frame goes out for every update).
   */
  private static ByteString frame(int opcode, byte[] payload) {
    int len = payload.length;
    int header = len < 126 ? 2 : len < 65_536 ? 4 : 10;
    byte[] out = new byte[header + len];
    out[0] = (byte) (0x80 | opcode);
    if (len < 126) {
      out[1] = (byte) len;
    } else if (len < 65_536) {
      out[1] = 126;
      out[2] = (byte) (len >> 8);
      out[3] = (byte) len;
    } else {
      out[1] = 127;
      for (int i = 0; i < 8; i++) {
        out[2 + i] = (byte) ((long) len >> (56 - 8 * i));
      }
    }
    System.arraycopy(payload, 0, out, header, len);
    return ByteString.fromArrayUnsafe(out);
  }

  /** What the client said, in order. */
  sealed interface Event {}

  /** A whole text message, decoded. */
  record Text(String text) implements Event {}

  /** A whole binary message (its content is not kept: the protocol is JSON text). */
  record Binary() implements Event {}

  /** A message longer than the limit; its bytes were skipped. */
  record TooLarge(long limit) implements Event {}

  record Ping(ByteString payload) implements Event {}

  /** The client's close frame; {@code code} is 1005 when it carried none. Nothing follows. */
  record Close(int code) implements Event {}

  /** The client broke the protocol; the socket closes with {@code code}. Nothing follows. */
  record Violation(int code, String reason) implements Event {}

  /**
   * Parses the client's bytes as they arrive, across TCP segments. Buffers at most one frame of
   * at most the limit (plus its 14-byte header); longer frames are skipped as they stream by.
   */
  static final class Parser {
    private final long maxMessageBytes;
    private ByteString buffer = ByteString.emptyByteString();
    private boolean ended;
    /** Opcode of the message whose frames are arriving, or -1 between messages. */
    private int messageOpcode = -1;
    private ByteStringBuilder message = new ByteStringBuilder();
    private long messageBytes;
    private boolean messageTooLarge;
    /** Payload bytes of an oversized frame still to discard, and whether that frame was final. */
    private long skip;
    private boolean skipFinal;

    Parser(long maxMessageBytes) {
      this.maxMessageBytes = maxMessageBytes;
    }

    /** The events completed by {@code bytes}; after a {@link Close} or {@link Violation}, none. */
    List<Event> feed(ByteString bytes) {
      List<Event> events = new ArrayList<>(1);
      if (ended) {
        return events;
      }
      buffer = buffer.isEmpty() ? bytes : buffer.concat(bytes);
      while (!ended) {
        if (skip > 0 || skipFinal) {
          long n = Math.min(skip, buffer.size());
          buffer = buffer.drop((int) n);
          skip -= n;
          if (skip > 0) {
            break;
          }
          if (skipFinal) {
            events.add(new TooLarge(maxMessageBytes));
            endMessage();
          }
          skipFinal = false;
          continue;
        }
        if (buffer.size() < 2) {
          break;
        }
        int b0 = buffer.apply(0) & 0xFF;
        int b1 = buffer.apply(1) & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        int len7 = b1 & 0x7F;
        if ((b0 & 0x70) != 0) {
          return violation(events, PROTOCOL_ERROR, "reserved bits set, but no extension was negotiated");
        }
        if ((b1 & 0x80) == 0) {
          return violation(events, PROTOCOL_ERROR, "client frames must be masked");
        }
        int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
        if (buffer.size() < header) {
          break;
        }
        long len = len7;
        if (len7 == 126) {
          len = ((buffer.apply(2) & 0xFF) << 8) | (buffer.apply(3) & 0xFF);
        } else if (len7 == 127) {
          len = 0;
          for (int i = 2; i < 10; i++) {
            len = (len << 8) | (buffer.apply(i) & 0xFF);
          }
          if (len < 0) {
            return violation(events, PROTOCOL_ERROR, "frame length out of range");
          }
        }
        boolean control = (opcode & 0x8) != 0;
        if (control) {
          if (opcode != CLOSE && opcode != PING && opcode != PONG) {
            return violation(events, PROTOCOL_ERROR, "unknown control opcode " + opcode);
          }
          if (!fin || len > 125) {
            return violation(events, PROTOCOL_ERROR, "control frames must be final and at most 125 bytes");
          }
        } else {
          if (opcode != CONTINUATION && opcode != TEXT && opcode != BINARY) {
            return violation(events, PROTOCOL_ERROR, "unknown data opcode " + opcode);
          }
          if (opcode == CONTINUATION && messageOpcode < 0) {
            return violation(events, PROTOCOL_ERROR, "continuation frame outside a message");
          }
          if (opcode != CONTINUATION && messageOpcode >= 0) {
            return violation(events, PROTOCOL_ERROR, "new message before the last one ended");
          }
          // Nothing about the message changes until the frame is taken (here, or whole below):
          // a frame whose payload has not all arrived is parsed again from its header.
          if (messageTooLarge || messageBytes + len > maxMessageBytes) {
            if (opcode != CONTINUATION) {
              messageOpcode = opcode;
            }
            messageTooLarge = true;
            message = new ByteStringBuilder();
            buffer = buffer.drop(header);
            skip = len;
            skipFinal = fin;
            continue;
          }
        }
        if (buffer.size() < header + len) {
          break;
        }
        ByteString payload = unmask(buffer.slice(header - 4, header), buffer.slice(header, header + (int) len));
        buffer = buffer.drop(header + (int) len);
        if (control) {
          if (opcode == PING) {
            events.add(new Ping(payload));
          } else if (opcode == CLOSE) {
            if (payload.size() == 1) {
              return violation(events, PROTOCOL_ERROR, "close frame with a one-byte payload");
            }
            int code = payload.size() >= 2 ? ((payload.apply(0) & 0xFF) << 8) | (payload.apply(1) & 0xFF) : 1005;
            ended = true;
            events.add(new Close(code));
          }
          continue;
        }
        if (opcode != CONTINUATION) {
          messageOpcode = opcode;
        }
        message.append(payload);
        messageBytes += len;
        if (fin) {
          if (messageOpcode == TEXT) {
            String text;
            try {
              text = decoder().decode(message.result().asByteBuffer()).toString();
            } catch (CharacterCodingException e) {
              return violation(events, INVALID_PAYLOAD, "text message is not UTF-8");
            }
            events.add(new Text(text));
          } else {
            events.add(new Binary());
          }
          endMessage();
        }
      }
      return events;
    }

    private void endMessage() {
      messageOpcode = -1;
      message = new ByteStringBuilder();
      messageBytes = 0;
      messageTooLarge = false;
    }

    private List<Event> violation(List<Event> events, int code, String reason) {
      ended = true;
      buffer = ByteString.emptyByteString();
      events.add(new Violation(code, reason));
      return events;
    }

    private static CharsetDecoder decoder() {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static ByteString unmask(ByteString mask, ByteString masked) {
      byte[] key = mask.toArray();
      byte[] bytes = masked.toArray();
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] ^= key[i & 3];
      }
      return ByteString.fromArrayUnsafe(bytes);
    }
  }
}
