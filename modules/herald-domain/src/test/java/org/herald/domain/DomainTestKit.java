package org.herald.domain;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.herald.domain.chat.Message;
import org.herald.domain.content.ContentCipher;
import org.herald.domain.content.ContentKey;
import org.herald.domain.content.ContentKeys;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.common.Publisher;

/** Shared pieces of entity tests: the test-kit configuration, a fixed clock, a recording publisher. */
public final class DomainTestKit {
  private DomainTestKit() {}

  public static final Instant NOW = Instant.parse("2026-11-21T10:15:30.123Z");
  public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** Users of the entity tests: well-formed ids that need no registration. */
  public static final String ALICE = "u" + "a".repeat(16);
  public static final String BOB = "u" + "b".repeat(16);
  public static final String CAROL = "u" + "c".repeat(16);

  /** The reply, which must not be a rejection. */
  public static org.herald.domain.chat.ChatReply ok(org.herald.domain.chat.ChatReply reply) {
    if (reply instanceof org.herald.domain.chat.ChatReply.Rejected r) {
      throw new AssertionError("rejected: " + r.rejection());
    }
    return reply;
  }

  /** The code of a reply that must be a rejection. */
  public static org.herald.domain.common.ErrorCode code(org.herald.domain.chat.ChatReply reply) {
    return org.junit.jupiter.api.Assertions.assertInstanceOf(org.herald.domain.chat.ChatReply.Rejected.class, reply).rejection().code();
  }

  /** In-memory journal and snapshots, plus this module's serialization bindings. */
  public static Config config() {
    return EventSourcedBehaviorTestKit.config()
        .withFallback(ConfigFactory.parseString("pekko.persistence.testkit.events.serialize = on"))
        .withFallback(ConfigFactory.load());
  }

  /** Records what an entity publishes. */
  public static final class RecordingPublisher implements Publisher {
    public record Published(String topic, CborSerializable notification) {}

    /** The topic of announcements to every node. */
    public static final String EVERY_NODE = "*";

    public final List<Published> published = new CopyOnWriteArrayList<>();

    @Override
    public void publish(String topic, CborSerializable notification) {
      published.add(new Published(topic, notification));
    }

    @Override
    public void announce(CborSerializable notification) {
      published.add(new Published(EVERY_NODE, notification));
    }
  }

  /**
   * The key table's contract in memory, for entity tests (the JDBC key table is tested against
   * PostgreSQL and H2). It remembers what was destroyed, so tests can check shredding.
   */
  public static final class MemoryContentKeys implements ContentKeys {
    public final Map<String, ContentKey> live = new ConcurrentHashMap<>();
    public final Set<String> destroyed = ConcurrentHashMap.newKeySet();
    /** The count of each {@link #issue} call, in order. */
    public final List<Integer> issues = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<List<ContentKey>> issue(int count) {
      issues.add(count);
      List<ContentKey> keys = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ContentKey key = new ContentKey(UUID.randomUUID().toString(), ContentCipher.newKey());
        live.put(key.keyId(), key);
        keys.add(key);
      }
      return CompletableFuture.completedFuture(keys);
    }

    @Override
    public CompletionStage<Map<String, ContentKey>> find(Collection<String> keyIds) {
      Map<String, ContentKey> found = new HashMap<>();
      keyIds.forEach(id -> {
        if (live.containsKey(id)) {
          found.put(id, live.get(id));
        }
      });
      return CompletableFuture.completedFuture(found);
    }

    @Override
    public CompletionStage<Void> destroy(Collection<String> keyIds) {
      keyIds.forEach(id -> {
        live.remove(id);
        destroyed.add(id);
      });
      return CompletableFuture.completedFuture(null);
    }

    /** The text of sealed content, as a reader with the key table would see it. */
    public String open(String chatId, Message m) {
      ContentKey key = live.get(m.content().keyId());
      return key == null ? null : ContentCipher.open(key, m.content(), chatId, m.messageId());
    }

    /** The text of a scheduled post's sealed content, or null once its key is gone. */
    public String openScheduled(String chatId, long scheduledId, org.herald.domain.content.Sealed content) {
      ContentKey key = live.get(content.keyId());
      return key == null ? null : ContentCipher.openScheduled(key, content, chatId, scheduledId);
    }
  }

  /** A clock tests move forward. */
  public static final class MovableClock extends Clock {
    private volatile Instant now = NOW;

    public void advance(java.time.Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
