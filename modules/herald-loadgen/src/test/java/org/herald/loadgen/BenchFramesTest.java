package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchFramesTest {
  @Test
  void ackAndDeliveryCarryTheSendTime() {
    String send = LoadFrames.send("c1", 123456789L, 7);
    assertTrue(send.contains("\"clientMessageId\":\"b123456789-7\""), send);
    String ack = "{\"type\":\"sent\",\"clientMessageId\":\"b123456789-7\",\"chatId\":\"c1\",\"messageId\":3,\"pts\":3}";
    assertEquals(LoadFrames.Kind.ACK, LoadFrames.kind(ack));
    assertEquals(123456789L, LoadFrames.ackSendNanos(ack));
    String delivery = "{\"type\":\"message.new\",\"chatId\":\"c1\",\"pts\":3,\"message\":{\"messageId\":3,\"senderId\":\"u1\","
        + "\"text\":\"bench 123456789\",\"date\":\"2026-01-01T00:00:00Z\"}}";
    assertEquals(LoadFrames.Kind.DELIVERY, LoadFrames.kind(delivery));
    assertEquals(123456789L, LoadFrames.deliverySendNanos(delivery));
    assertTrue(LoadFrames.sentBy(delivery, "u1"));
    assertFalse(LoadFrames.sentBy(delivery, "u12"));
    assertEquals(LoadFrames.Kind.OTHER, LoadFrames.kind("{\"type\":\"sentinel\"}"));
  }
}
