package org.herald.domain.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.herald.domain.DomainTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's samples are what a chat's recovery reads: sealed {@code MessageSent}s, its
 * {@code ChatCreated}, and a state with a full recent window; each goes through the CBOR
 * serializer and back unchanged.
 */
class ChatSamplesTest {
  private static final ActorTestKit kit = ActorTestKit.create(DomainTestKit.config());

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void samplesAreARealChatsEventsAndItsStateWithAFullWindowAndReadBackUnchanged() {
    List<Object> samples = ChatSamples.of(600, 500);
    assertEquals(602, samples.size());
    for (int i = 0; i < 600; i++) {
      ChatEvent.MessageSent e = assertInstanceOf(ChatEvent.MessageSent.class, samples.get(i));
      assertEquals(i + 1, e.messageId());
      assertEquals(null, e.text(), "sealed, as messages are journaled");
    }
    assertInstanceOf(ChatEvent.ChatCreated.class, samples.get(600));
    ChatState.Active state = assertInstanceOf(ChatState.Active.class, samples.get(601));
    assertEquals(600, state.lastMessageId());
    assertEquals(500, state.recent().size(), "a full window, as a busy chat's snapshot holds");

    Serialization serialization = SerializationExtension.get(kit.system());
    for (Object sample : samples) {
      Serializer serializer = serialization.findSerializerFor(sample);
      assertInstanceOf(JacksonCborSerializer.class, serializer);
      byte[] bytes = serialization.serialize(sample).get();
      assertEquals(sample, serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, sample)).get());
    }
  }
}
