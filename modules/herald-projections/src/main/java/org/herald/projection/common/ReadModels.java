package org.herald.projection.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The catalog of the projections this node runs, filled as they start ({@link TaggedProjections}
 * registers every projection it starts). The operator endpoints, the lag metrics and rebuilds
 * read it. One per actor system.
 */
public final class ReadModels implements Extension {
  private final Map<String, ReadModel> byName = new ConcurrentHashMap<>();

  private ReadModels() {}

  public static ReadModels get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** Adds a projection; a second projection under the same name is a programming error. */
  public void register(ReadModel model) {
    ReadModel earlier = byName.putIfAbsent(model.name(), model);
    if (earlier != null && !earlier.equals(model)) {
      throw new IllegalStateException("two projections are named " + model.name());
    }
  }

  public Optional<ReadModel> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Every registered projection, by name. */
  public List<ReadModel> all() {
    List<ReadModel> all = new ArrayList<>(byName.values());
    all.sort((a, b) -> a.name().compareTo(b.name()));
    return all;
  }

  private static final class Id extends ExtensionId<ReadModels> {
    static final Id INSTANCE = new Id();

    @Override
    public ReadModels createExtension(ActorSystem<?> system) {
      return new ReadModels();
    }
  }
}
