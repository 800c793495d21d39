package org.herald.domain;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.common.Publisher;

/** Shared pieces of entity tests: the test-kit configuration, a fixed clock, a recording publisher. */
public final class DomainTestKit {
  private DomainTestKit() {}

  public static final Instant NOW = Instant.parse("2026-11-21T10:15:30.123Z");
  public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

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
}
