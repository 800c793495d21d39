package org.herald.domain.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.herald.domain.chat.ChatEvent.ChatCreated;
import org.herald.domain.chat.ChatEvent.MessageSent;
import org.herald.domain.chat.ChatState.Active;
import org.herald.domain.content.Sealed;

/**
 * Made-up chat events and a chat's snapshot, shaped like real ones (a direct chat's sealed
 * messages, a full recent window), for a node to run through its serializer before it takes
 * traffic: the code that reads a chat's snapshot and replays its events is then compiled, and
 * the first chats recovered after a start do not pay for that (docs/benchmarks.md, stop 32).
 * Nothing here is ever persisted.
 */
public final class ChatSamples {
  private ChatSamples() {}

  /**
   * {@code messages} {@link MessageSent} events of one made-up chat, then its {@link
   * ChatCreated}, then its state after them (through the chat's own event handling) with a
   * recent window of {@code window} updates.
   */
  public static List<Object> of(int messages, int window) {
    SplittableRandom random = new SplittableRandom(7);
    String alice = "uwarmupalicezzzzz";
    String bob = "uwarmupbobzzzzzzz";
    String chatId = ChatIds.direct(alice, bob);
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    ChatCreated created = new ChatCreated(chatId, ChatKind.DIRECT, null, alice, List.of(alice, bob), start, null, false);
    Active state = ChatEntity.created(created);
    List<Object> samples = new ArrayList<>(messages + 2);
    for (int i = 1; i <= messages; i++) {
      byte[] box = new byte[28 + random.nextInt(120)];
      random.nextBytes(box);
      MessageSent e =
          new MessageSent(
              chatId,
              i,
              i,
              i % 2 == 0 ? alice : bob,
              "warm-up-" + i,
              null,
              i % 7 == 0,
              i % 5 == 0 ? (long) i - 1 : null,
              start.plusMillis(137L * i),
              new Sealed(new UUID(random.nextLong(), random.nextLong()).toString(), box),
              null);
      samples.add(e);
      state = ChatEntity.withMessageSent(state, e, window);
    }
    samples.add(created);
    samples.add(state);
    return samples;
  }
}
