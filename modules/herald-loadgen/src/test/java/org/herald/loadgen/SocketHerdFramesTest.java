package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The herd's client frames, read back the way RFC 6455 (5.2) tells a server to read them. */
class SocketHerdFramesTest {
  @Test
  void everyLengthFormReadsBackAsTheMaskedText() {
    for (int length : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 70_001}) {
      // two multi-byte characters (5 bytes) where they fit
      String text = length >= 5 ? "é€" + "x".repeat(length - 5) : "x".repeat(length);
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      byte[] frame = SocketHerd.maskedFrame(SocketHerd.TEXT, payload, 0, payload.length, 0x9abc_def1);
      assertEquals(0x81, frame[0] & 0xff, "FIN and text, length " + payload.length);
      assertEquals(0x80, frame[1] & 0x80, "the mask bit is set: a server closes on an unmasked client frame");
      int at = 2;
      long declared = frame[1] & 0x7f;
      if (declared == 126) {
        declared = ((frame[2] & 0xff) << 8) | (frame[3] & 0xff);
        at = 4;
      } else if (declared == 127) {
        declared = 0;
        for (int i = 0; i < 8; i++) {
          declared = (declared << 8) | (frame[2 + i] & 0xff);
        }
        at = 10;
      }
      assertEquals(length, payload.length);
      assertEquals(payload.length, declared, "the declared length");
      int shortest = payload.length < 126 ? 2 : payload.length < 65_536 ? 4 : 10;
      assertEquals(shortest, at, "the length in its shortest form, " + payload.length);
      byte[] mask = {frame[at], frame[at + 1], frame[at + 2], frame[at + 3]};
      assertArrayEquals(new byte[] {(byte) 0x9a, (byte) 0xbc, (byte) 0xde, (byte) 0xf1}, mask);
      assertEquals(at + 4 + payload.length, frame.length, "nothing after the payload");
      byte[] unmasked = new byte[payload.length];
      for (int i = 0; i < unmasked.length; i++) {
        unmasked[i] = (byte) (frame[at + 4 + i] ^ mask[i & 3]);
      }
      assertEquals(text, new String(unmasked, StandardCharsets.UTF_8));
    }
  }

  @Test
  void aPongCarriesThePingsPayloadMasked() {
    byte[] ping = {9, 9, 'h', 'i', '!', 9};
    byte[] pong = SocketHerd.maskedFrame(SocketHerd.PONG, ping, 2, 3, 0x0102_0304);
    assertEquals(0x8a, pong[0] & 0xff, "FIN and pong");
    assertEquals(0x80 | 3, pong[1] & 0xff, "masked, 3 bytes");
    assertArrayEquals(new byte[] {1, 2, 3, 4}, new byte[] {pong[2], pong[3], pong[4], pong[5]});
    assertArrayEquals(new byte[] {'h' ^ 1, 'i' ^ 2, '!' ^ 3}, new byte[] {pong[6], pong[7], pong[8]});
    assertEquals(9, pong.length);
  }
}
