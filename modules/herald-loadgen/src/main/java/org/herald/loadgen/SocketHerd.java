package org.herald.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.herald.chaos.Threads;

/**
 * Many updates sockets on one selector thread: plain NIO {@link SocketChannel}s with a
 * hand-written WebSocket upgrade, reading the server's (unmasked) frames, answering its pings and
 * sending masked text frames. The JDK WebSocket client costs a few threads' worth of buffers and
 * callbacks per socket and cannot bind a local address on Java 17; this holds tens of thousands
 * for a few hundred bytes each, and spreads them over the source addresses 127.0.0.2, 127.0.0.3,
 * … when the node is on loopback, so that no one address runs out of ephemeral ports.
 *
 * <p>A load generator's own thread hops land in the latencies it reports and its CPU is taken
 * from the node it measures on a shared machine: the JDK client reads on its selector thread and
 * hands every frame to another thread. Here a frame is read, parsed and given to the
 * {@link FrameSink} on the selector thread, and {@link #send} writes straight to the socket from
 * the calling thread (the sink's, in a closed loop; the pacing thread's, in an open one); only
 * what the socket does not take at once waits for the selector.
 */
final class SocketHerd implements AutoCloseable {
  /** Receives each text frame after the socket's {@code ready}, on the selector thread. */
  @FunctionalInterface
  interface FrameSink {
    void onText(int socket, String text);
  }

  /** How {@link #connect} went: sockets ready, failed, the first failure, and its length. */
  record Outcome(int ready, int failed, String firstError, long elapsedNanos) {}

  /** Sockets per source address: well under the 28k ephemeral ports of one address. */
  static final int PER_SOURCE_ADDRESS = 5_000;
  /** Upgrades in flight at once: the server's accept backlog is small (Pekko's default 100). */
  private static final int MAX_PENDING = 64;
  /** From the connect to the {@code ready} frame. */
  private static final long READY_TIMEOUT_NANOS = 30_000_000_000L;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] NONE = new byte[0];
  static final int TEXT = 0x1;
  static final int PONG = 0xa;

  private final String host;
  private final int port;
  private final boolean loopback;
  private final FrameSink sink;
  private final Selector selector;
  private final Thread loop;
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(1 << 16);
  private final ConcurrentLinkedQueue<Conn> toOpen = new ConcurrentLinkedQueue<>();
  /** Sockets a send failed on, outside the selector thread: failed by the selector. */
  private final ConcurrentLinkedQueue<Conn> toFail = new ConcurrentLinkedQueue<>();
  private final Set<Conn> pending = new HashSet<>();
  /** Every socket by id; senders on other threads read it, {@link #connect} appends a whole batch. */
  private final List<Conn> all = new CopyOnWriteArrayList<>();
  private final AtomicInteger ready = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private volatile boolean closing;

  private enum Phase { CONNECTING, UPGRADING, OPEN, READY, FAILED }

  private static final class Conn {
    final int id;
    final String token;
    final int sourceIndex;
    volatile SocketChannel channel;
    volatile Phase phase = Phase.CONNECTING;
    volatile SelectionKey key;
    long deadline;
    /** What the socket has not taken yet, in order; guarded by the Conn (any thread may send). */
    final ArrayDeque<ByteBuffer> out = new ArrayDeque<>(2);
    /** Why a send from another thread failed: the selector thread fails the socket. */
    volatile String sendFailure;
    byte[] carry = NONE;
    int carryLength;

    Conn(int id, String token, int sourceIndex) {
      this.id = id;
      this.token = token;
      this.sourceIndex = sourceIndex;
    }
  }

  SocketHerd(String baseUrl, FrameSink sink) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 80 : uri.getPort();
    this.sink = sink;
    try {
      this.loopback = InetAddress.getByName(host).isLoopbackAddress();
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("the bench's sockets to " + baseUrl + " cannot start: " + e.getMessage(), e);
    }
    this.loop = Threads.start("bench-herd", this::run);
  }

  int ready() {
    return ready.get();
  }

  int failed() {
    return failed.get();
  }

  /** Why the first socket that failed did, or null while none has. */
  String firstError() {
    return firstError.get();
  }

  /**
   * Opens one socket per token (socket ids continue from the sockets opened before) and waits
   * until each is ready or has failed; {@link #ready()} and {@link #failed()} count as they settle.
   */
  Outcome connect(List<String> tokens) {
    int base = all.size();
    int readyBefore = ready.get();
    int failedBefore = failed.get();
    long start = System.nanoTime();
    List<Conn> batch = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      batch.add(new Conn(base + i, tokens.get(i), (base + i) / PER_SOURCE_ADDRESS));
    }
    all.addAll(batch);
    toOpen.addAll(batch);
    selector.wakeup();
    while (ready.get() + failed.get() - readyBefore - failedBefore < tokens.size() && Threads.sleep(20)) {
      // the selector thread settles them
    }
    return new Outcome(ready.get() - readyBefore, failed.get() - failedBefore, firstError.get(), System.nanoTime() - start);
  }

  /** Whether socket {@code socket} is open and past its {@code ready}. */
  boolean open(int socket) {
    return all.get(socket).phase == Phase.READY;
  }

  /**
   * Sends one text frame on socket {@code socket} (masked, as a client must), from any thread;
   * frames of one socket leave in the order of the calls. False when the socket is not open: it
   * failed or closed, or has not said ready yet.
   */
  boolean send(int socket, String text) {
    Conn c = all.get(socket);
    if (c.phase != Phase.READY || c.sendFailure != null) {
      return false;
    }
    try {
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      enqueue(c, ByteBuffer.wrap(masked(TEXT, payload, 0, payload.length)));
      return true;
    } catch (IOException | RuntimeException e) {
      if (Thread.currentThread() == loop) {
        fail(c, "send: " + e);
      } else {
        c.sendFailure = "send: " + e;
        toFail.add(c);
        selector.wakeup();
      }
      return false;
    }
  }

  /** A client's frame of {@code opcode} (final) carrying {@code length} bytes of {@code b} from {@code start}. */
  private static byte[] masked(int opcode, byte[] b, int start, int length) {
    return maskedFrame(opcode, b, start, length, ThreadLocalRandom.current().nextInt());
  }

  /**
   * A client's final frame: FIN and the opcode, the length in the shortest form, the mask, the
   * payload masked with it (RFC 6455, 5.2-5.3). The mask need not be unpredictable here: it
   * protects intermediaries from payloads a script in a browser chose, and the bench writes its own.
   */
  static byte[] maskedFrame(int opcode, byte[] b, int start, int n, int mask) {
    int header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
    byte[] frame = new byte[header + 4 + n];
    frame[0] = (byte) (0x80 | opcode);
    if (n < 126) {
      frame[1] = (byte) (0x80 | n);
    } else if (n < 65_536) {
      frame[1] = (byte) (0x80 | 126);
      frame[2] = (byte) (n >>> 8);
      frame[3] = (byte) n;
    } else {
      frame[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        frame[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
      }
    }
    byte[] m = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
    System.arraycopy(m, 0, frame, header, 4);
    for (int i = 0; i < n; i++) {
      frame[header + 4 + i] = (byte) (b[start + i] ^ m[i & 3]);
    }
    return frame;
  }

  /** The source address of the {@code n}th group of {@link #PER_SOURCE_ADDRESS} sockets. */
  static String sourceAddress(int n) {
    if (n > 250) {
      throw new IllegalArgumentException("more than 250 source addresses");
    }
    return "127.0.0." + (2 + n);
  }

  private void run() {
    try {
      while (!closing) {
        openMore();
        failSends();
        selector.select(100);
        for (SelectionKey k : selector.selectedKeys()) {
          Conn c = (Conn) k.attachment();
          try {
            if (k.isValid() && k.isConnectable()) {
              c.channel.finishConnect();
              startUpgrade(c, k);
            }
            if (k.isValid() && k.isWritable()) {
              flush(c, k);
            }
            if (k.isValid() && k.isReadable()) {
              read(c);
            }
          } catch (IOException | RuntimeException e) {
            fail(c, e.toString());
          }
        }
        selector.selectedKeys().clear();
        expire();
      }
    } catch (IOException e) {
      firstError.compareAndSet(null, "selector: " + e);
    }
  }

  private void failSends() {
    for (Conn c; (c = toFail.poll()) != null; ) {
      fail(c, c.sendFailure);
    }
  }

  private void openMore() {
    while (pending.size() < MAX_PENDING) {
      Conn c = toOpen.poll();
      if (c == null) {
        return;
      }
      pending.add(c);
      c.deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
      try {
        SocketChannel channel = SocketChannel.open();
        c.channel = channel;
        channel.configureBlocking(false);
        // Frames are small and each is one write: sent at once, not held for the next.
        channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        if (loopback) {
          channel.bind(new InetSocketAddress(sourceAddress(c.sourceIndex), 0));
        }
        if (channel.connect(new InetSocketAddress(host, port))) {
          c.key = channel.register(selector, 0, c);
          startUpgrade(c, c.key);
        } else {
          c.key = channel.register(selector, SelectionKey.OP_CONNECT, c);
        }
      } catch (IOException | RuntimeException e) {
        fail(c, "connect: " + e);
      }
    }
  }

  private void startUpgrade(Conn c, SelectionKey k) throws IOException {
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    String request = "GET /v1/updates?token=" + c.token + " HTTP/1.1\r\n"
        + "Host: " + host + ":" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n";
    c.phase = Phase.UPGRADING;
    k.interestOps(SelectionKey.OP_READ);
    enqueue(c, ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /**
   * Writes {@code bytes} now if nothing is waiting before it, and keeps what the socket does not
   * take for the selector to write when it is writable.
   */
  private void enqueue(Conn c, ByteBuffer bytes) throws IOException {
    synchronized (c) {
      if (c.out.isEmpty()) {
        c.channel.write(bytes);
        if (!bytes.hasRemaining()) {
          return;
        }
      }
      c.out.add(bytes);
      c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }
    if (Thread.currentThread() != loop) {
      // The new interest counts from the next select: wake the one under way.
      selector.wakeup();
    }
  }

  /** On the selector thread, when the socket is writable: what waits, in order. */
  private void flush(Conn c, SelectionKey k) throws IOException {
    synchronized (c) {
      for (ByteBuffer next; (next = c.out.peek()) != null; c.out.poll()) {
        c.channel.write(next);
        if (next.hasRemaining()) {
          return;
        }
      }
      k.interestOps(SelectionKey.OP_READ);
    }
  }

  private void read(Conn c) throws IOException {
    readBuffer.clear();
    int n = c.channel.read(readBuffer);
    if (n < 0) {
      fail(c, c.phase == Phase.READY ? "closed by the server" : "closed by the server before ready (" + c.phase + ")");
      return;
    }
    readBuffer.flip();
    append(c, readBuffer);
    int at = 0;
    if (c.phase == Phase.UPGRADING) {
      int end = headEnd(c.carry, c.carryLength);
      if (end < 0) {
        return;
      }
      String head = new String(c.carry, 0, end, StandardCharsets.ISO_8859_1);
      if (!head.startsWith("HTTP/1.1 101")) {
        fail(c, "upgrade answered " + head.lines().findFirst().orElse(""));
        return;
      }
      c.phase = Phase.OPEN;
      at = end;
    }
    at = frames(c, at);
    System.arraycopy(c.carry, at, c.carry, 0, c.carryLength - at);
    c.carryLength -= at;
    if (c.carryLength == 0) {
      // An idle socket keeps no read buffer: the herd's size is the sockets', not ours.
      c.carry = NONE;
    }
  }

  /** Parses the whole frames from {@code at}; where the first incomplete one starts. */
  private int frames(Conn c, int at) throws IOException {
    byte[] b = c.carry;
    while (c.carryLength - at >= 2) {
      int opcode = b[at] & 0x0f;
      long length = b[at + 1] & 0x7f;
      int header = 2;
      if (length == 126) {
        if (c.carryLength - at < 4) {
          break;
        }
        length = ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
        header = 4;
      } else if (length == 127) {
        if (c.carryLength - at < 10) {
          break;
        }
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | (b[at + 2 + i] & 0xffL);
        }
        header = 10;
      }
      if (c.carryLength - at < header + length) {
        break;
      }
      int start = at + header;
      at = start + (int) length;
      switch (opcode) {
        case 1 -> text(c, new String(b, start, (int) length, StandardCharsets.UTF_8));
        case 9 -> pong(c, b, start, (int) length);
        case 8 -> {
          fail(c, "closed by the server (close frame)");
          return at;
        }
        default -> { }
      }
    }
    return at;
  }

  private void text(Conn c, String text) {
    if (c.phase == Phase.OPEN) {
      if (Frames.is(text, "type", "ready")) {
        c.phase = Phase.READY;
        pending.remove(c);
        ready.incrementAndGet();
      }
      return;
    }
    if (c.phase == Phase.READY) {
      sink.onText(c.id, text);
    }
  }

  /** A client's answer to a ping: the same payload, masked. */
  private void pong(Conn c, byte[] b, int start, int length) throws IOException {
    enqueue(c, ByteBuffer.wrap(masked(PONG, b, start, length)));
  }

  private static void append(Conn c, ByteBuffer data) {
    int need = c.carryLength + data.remaining();
    if (need > c.carry.length) {
      byte[] grown = new byte[Math.max(need, Math.max(256, c.carry.length * 2))];
      System.arraycopy(c.carry, 0, grown, 0, c.carryLength);
      c.carry = grown;
    }
    int n = data.remaining();
    data.get(c.carry, c.carryLength, n);
    c.carryLength += n;
  }

  private static int headEnd(byte[] b, int length) {
    for (int i = 3; i < length; i++) {
      if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
        return i + 1;
      }
    }
    return -1;
  }

  private void expire() {
    long now = System.nanoTime();
    for (Conn c : new ArrayDeque<>(pending)) {
      if (now - c.deadline > 0) {
        fail(c, "not ready in " + READY_TIMEOUT_NANOS / 1_000_000_000L + " s (" + c.phase + ")");
      }
    }
  }

  private void fail(Conn c, String why) {
    if (c.phase == Phase.FAILED) {
      return;
    }
    boolean wasReady = c.phase == Phase.READY;
    c.phase = Phase.FAILED;
    pending.remove(c);
    closeQuietly(c);
    if (wasReady) {
      ready.decrementAndGet();
    }
    failed.incrementAndGet();
    firstError.compareAndSet(null, why);
  }

  private static void closeQuietly(Conn c) {
    try {
      if (c.channel != null) {
        c.channel.close();
      }
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Closes every socket (abruptly: the node sees them go as a client that vanished). */
  @Override
  public void close() {
    closing = true;
    selector.wakeup();
    try {
      loop.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Conn c : all) {
      closeQuietly(c);
    }
    try {
      selector.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
