package org.herald.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Free loopback ports for nodes a test or a harness starts, below the ephemeral range (32768 and
 * up on Linux). A port the OS hands out for {@code new ServerSocket(0)} comes from that range,
 * the one every outgoing connection's local end is drawn from too: between picking it and the
 * node binding it, one of the node's own database connections could take it.
 */
public final class FreePorts {
  private FreePorts() {}

  /** One free port between 20000 and 32000. */
  public static int belowEphemeral() {
    return belowEphemeral(1, new Random()).get(0);
  }

  /** {@code count} distinct free ports between 20000 and 32000, picked with {@code random}. */
  public static List<Integer> belowEphemeral(int count, Random random) {
    Set<Integer> picked = new HashSet<>();
    List<Integer> ports = new ArrayList<>();
    int tries = 0;
    while (ports.size() < count) {
      if (++tries > 10_000) {
        throw new IllegalStateException("no free ports between 20000 and 32000");
      }
      int port = 20_000 + random.nextInt(12_000);
      if (picked.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        picked.add(port);
        ports.add(port);
      } catch (IOException inUse) {
        picked.add(port);
      }
    }
    return ports;
  }
}
