package org.herald.api.updates;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.pubsub.DistributedPubSub;
import org.apache.pekko.cluster.pubsub.DistributedPubSubMediator;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.common.Publisher;

/**
 * Pekko's distributed pub-sub mediator, as the domain's {@link Publisher}. The mediator keeps a
 * registry of which node subscribes to which topic and gossips it, so a publish goes only to
 * the nodes that hold a follower of that chat: cost O(nodes with followers), not O(members).
 */
public final class PubSub implements Publisher {
  private final ActorRef mediator;

  public PubSub(ActorSystem<?> system) {
    this.mediator = DistributedPubSub.get(Adapter.toClassic(system)).mediator();
  }

  public ActorRef mediator() {
    return mediator;
  }

  @Override
  public void publish(String topic, CborSerializable notification) {
    mediator.tell(new DistributedPubSubMediator.Publish(topic, notification), ActorRef.noSender());
  }

  /**
   * To the notices actor of every node's {@link UpdatesHub}. Those register once at start-up,
   * so unlike a fresh topic subscription there is no gossip delay when the notice is sent.
   */
  @Override
  public void announce(CborSerializable notification) {
    mediator.tell(
        new DistributedPubSubMediator.SendToAll(UpdatesHub.NOTICES_PATH, notification, false), ActorRef.noSender());
  }

  /** To the actor registered under {@code path} on every other node. */
  public void sendToOthers(String path, CborSerializable message) {
    mediator.tell(new DistributedPubSubMediator.SendToAll(path, message, true), ActorRef.noSender());
  }

  /** Registers a node-local actor under its path, for {@link #announce} and {@link #sendToOthers}. */
  public void register(ActorRef actor) {
    mediator.tell(new DistributedPubSubMediator.Put(actor), ActorRef.noSender());
  }
}
