package org.herald.api.updates;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.herald.api.updates.WebSocketFrames.Binary;
import org.herald.api.updates.WebSocketFrames.Close;
import org.herald.api.updates.WebSocketFrames.Event;
import org.herald.api.updates.WebSocketFrames.Ping;
import org.herald.api.updates.WebSocketFrames.Text;
import org.herald.api.updates.WebSocketFrames.TooLarge;
import org.herald.api.updates.WebSocketFrames.Violation;
import org.junit.jupiter.api.Test;

class WebSocketFramesTest {
  private static final byte[] KEY = {0x37, (byte) 0xfa, 0x21, 0x3d};

  /** A client's frame: masked, as RFC 6455 requires of clients. */
  static ByteString clientFrame(boolean fin, int opcode, byte[] payload) {
    ByteStringBuilder b = new ByteStringBuilder();
    b.putByte((byte) ((fin ? 0x80 : 0) | opcode));
    int len = payload.length;
    if (len < 126) {
      b.putByte((byte) (0x80 | len));
    } else if (len < 65_536) {
      b.putByte((byte) (0x80 | 126)).putByte((byte) (len >> 8)).putByte((byte) len);
    } else {
      b.putByte((byte) (0x80 | 127));
      for (int shift = 56; shift >= 0; shift -= 8) {
        b.putByte((byte) ((long) len >> shift));
      }
    }
    b.putBytes(KEY);
    byte[] masked = payload.clone();
    for (int i = 0; i < masked.length; i++) {
      masked[i] ^= KEY[i & 3];
    }
    b.putBytes(masked);
    return b.result();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Feeds the bytes one at a time: whatever TCP does to the segments, the events are the same. */
  private static List<Event> byteByByte(WebSocketFrames.Parser parser, ByteString bytes) {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < bytes.size(); i++) {
      events.addAll(parser.feed(bytes.slice(i, i + 1)));
    }
    return events;
  }

  @Test
  void theAcceptKeyIsTheRfcExample() {
    assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketFrames.accept("dGhlIHNhbXBsZSBub25jZQ=="));
  }

  @Test
  void serverFramesAreFinalUnmaskedWithTheShortestLength() {
    ByteString small = WebSocketFrames.text("hi");
    assertEquals(ByteString.fromArray(new byte[] {(byte) 0x81, 2, 'h', 'i'}), small);
    ByteString medium = WebSocketFrames.text("x".repeat(300));
    assertEquals(0x81, medium.apply(0) & 0xFF);
    assertEquals(126, medium.apply(1) & 0xFF);
    assertEquals(300, ((medium.apply(2) & 0xFF) << 8) | (medium.apply(3) & 0xFF));
    assertEquals(304, medium.size());
    ByteString large = WebSocketFrames.text("y".repeat(70_000));
    assertEquals(127, large.apply(1) & 0xFF);
    assertEquals(70_010, large.size());
  }

  @Test
  void aServerFrameCarriesItsWholePayloadAfterTheHeaderAtEveryLengthBoundary() {
    for (int len : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 70_001}) {
      // a three-byte character, so the length counts bytes, not characters
      String text = "✓".repeat(len / 3) + "z".repeat(len % 3);
      byte[] payload = utf8(text);
      byte[] frame = WebSocketFrames.text(text).toArray();
      assertEquals(0x81, frame[0] & 0xFF, "final text frame, length " + len);
      int header;
      long declared;
      if (len < 126) {
        header = 2;
        declared = frame[1];
      } else if (len < 65_536) {
        header = 4;
        assertEquals(126, frame[1] & 0xFF);
        declared = ((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF);
      } else {
        header = 10;
        assertEquals(127, frame[1] & 0xFF);
        declared = 0;
        for (int i = 2; i < 10; i++) {
          declared = (declared << 8) | (frame[i] & 0xFF);
        }
      }
      assertEquals(len, declared, "declared length");
      assertEquals(header + len, frame.length, "header and payload, nothing else");
      assertArrayEquals(payload, Arrays.copyOfRange(frame, header, frame.length), "payload of length " + len);
    }
    ByteString pong = WebSocketFrames.pong(ByteString.fromString("ping!"));
    assertEquals(ByteString.fromArray(new byte[] {(byte) 0x8A, 5, 'p', 'i', 'n', 'g', '!'}), pong);
  }

  @Test
  void aMaskedTextFrameIsDecodedWhateverTheSegments() {
    String text = "{\"type\":\"send\",\"text\":\"héllo ✓ 🎉\"}";
    ByteString frames = clientFrame(true, 1, utf8(text)).concat(clientFrame(true, 1, utf8("second")));
    assertEquals(List.of(new Text(text), new Text("second")), new WebSocketFrames.Parser(1024).feed(frames));
    assertEquals(List.of(new Text(text), new Text("second")), byteByByte(new WebSocketFrames.Parser(1024), frames));
  }

  @Test
  void aFragmentedMessageIsJoinedAndControlFramesMayComeBetweenItsFragments() {
    byte[] whole = utf8("ab✓cd");
    // The split falls inside the 3-byte ✓: fragments need not end on a character.
    ByteString frames =
        clientFrame(false, 1, java.util.Arrays.copyOfRange(whole, 0, 3))
            .concat(clientFrame(true, 9, utf8("p")))
            .concat(clientFrame(false, 0, java.util.Arrays.copyOfRange(whole, 3, 5)))
            .concat(clientFrame(true, 0, java.util.Arrays.copyOfRange(whole, 5, whole.length)));
    List<Event> events = byteByByte(new WebSocketFrames.Parser(1024), frames);
    assertEquals(2, events.size());
    assertEquals(new Ping(ByteString.fromString("p")), events.get(0));
    assertEquals(new Text("ab✓cd"), events.get(1));
  }

  @Test
  void binaryAndCloseAreReportedAndNothingIsReadAfterTheClose() {
    ByteString frames =
        clientFrame(true, 2, new byte[] {1, 2, 3})
            .concat(clientFrame(true, 8, new byte[] {0x03, (byte) 0xe8}))
            .concat(clientFrame(true, 1, utf8("after the close")));
    assertEquals(List.of(new Binary(), new Close(1000)), new WebSocketFrames.Parser(1024).feed(frames));
  }

  @Test
  void aMessageOverTheLimitIsSkippedWithoutBufferingAndTheNextOneStillArrives() {
    WebSocketFrames.Parser parser = new WebSocketFrames.Parser(100);
    ByteString frames =
        clientFrame(false, 1, new byte[80])
            .concat(clientFrame(true, 0, new byte[5_000]))
            .concat(clientFrame(true, 1, utf8("ok")));
    assertEquals(List.of(new TooLarge(100), new Text("ok")), byteByByte(parser, frames));
  }

  @Test
  void protocolViolationsCloseWithTheirCode() {
    assertEquals(
        1002,
        ((Violation) new WebSocketFrames.Parser(100).feed(ByteString.fromArray(new byte[] {(byte) 0x81, 2, 'h', 'i'})).get(0)).code(),
        "an unmasked client frame");
    assertEquals(1002, violation(clientFrame(true, 0, utf8("x"))), "a continuation outside a message");
    assertEquals(1002, violation(clientFrame(false, 1, utf8("x")).concat(clientFrame(true, 1, utf8("y")))), "a new message inside one");
    assertEquals(1002, violation(clientFrame(false, 9, utf8("x"))), "a fragmented control frame");
    assertEquals(1002, violation(clientFrame(true, 9, new byte[126])), "a control frame over 125 bytes");
    assertEquals(1002, violation(clientFrame(true, 3, utf8("x"))), "an unknown opcode");
    ByteString rsv = clientFrame(true, 1, utf8("x"));
    assertEquals(1002, violation(ByteString.fromArray(new byte[] {(byte) 0xC1}).concat(rsv.drop(1))), "a reserved bit");
    assertEquals(1007, violation(clientFrame(true, 1, new byte[] {(byte) 0xC3, 0x28})), "text that is not UTF-8");
  }

  private static int violation(ByteString bytes) {
    List<Event> events = new WebSocketFrames.Parser(1024).feed(bytes);
    assertTrue(events.get(events.size() - 1) instanceof Violation, "events: " + events);
    assertTrue(new WebSocketFrames.Parser(1024).feed(bytes).size() == events.size());
    return ((Violation) events.get(events.size() - 1)).code();
  }
}
