package org.herald.api.updates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class SocketOutboxTest {
  private final AtomicInteger wakes = new AtomicInteger();

  private static ByteString f(String text) {
    return ByteString.fromString(text);
  }

  private SocketOutbox outbox(int capacity) {
    SocketOutbox outbox = new SocketOutbox(capacity);
    outbox.attach(wakes::incrementAndGet);
    return outbox;
  }

  @Test
  void framesComeOutInOrderAndABusySocketIsNotWoken() {
    SocketOutbox outbox = outbox(8);
    assertTrue(outbox.offer(f("a")));
    assertTrue(outbox.offer(f("b")));
    assertEquals(0, wakes.get(), "the stage was not waiting, so nothing wakes it");
    assertEquals(f("a"), outbox.poll());
    assertEquals(f("b"), outbox.poll());
    assertNull(outbox.poll());
  }

  @Test
  void anIdleSocketIsWokenOnceByABurst() {
    SocketOutbox outbox = outbox(8);
    assertNull(outbox.idle());
    outbox.offer(f("a"));
    outbox.offer(f("b"));
    outbox.offer(f("c"));
    assertEquals(1, wakes.get(), "one wake-up for the burst, not one per frame");
    assertEquals(f("a"), outbox.poll());
  }

  @Test
  void aFullOutboxRefusesAndHasRoomAgainOnceDrained() {
    SocketOutbox outbox = outbox(2);
    assertTrue(outbox.offer(f("a")));
    assertTrue(outbox.offerFromStage(f("b")));
    assertFalse(outbox.offer(f("c")), "a third frame does not fit: the client is too slow");
    assertFalse(outbox.offerFromStage(f("c")));
    outbox.poll();
    assertTrue(outbox.offer(f("c")));
  }

  @Test
  void failingWakesEvenABusySocket() {
    SocketOutbox outbox = outbox(2);
    outbox.offer(f("a"));
    outbox.fail(new IllegalStateException("client too slow"));
    assertEquals(1, wakes.get());
    assertNotNull(outbox.failure());
    assertFalse(outbox.offer(f("b")), "a failed socket takes nothing more");
  }

  @Test
  void completingLetsQueuedFramesOutFirst() {
    SocketOutbox outbox = outbox(4);
    outbox.offer(f("a"));
    outbox.complete();
    assertTrue(outbox.isCompleted());
    assertFalse(outbox.offer(f("b")));
    assertEquals(f("a"), outbox.poll(), "frames queued before the end still go out");
    assertNull(outbox.idle());
  }

  @Test
  void aStoppedSocketRefusesFramesAndIsNeverWoken() {
    SocketOutbox outbox = outbox(4);
    assertNull(outbox.idle());
    outbox.detach();
    assertFalse(outbox.offer(f("a")));
    outbox.fail(new IllegalStateException("late"));
    assertEquals(0, wakes.get());
  }

  /** Producers on other threads racing the stage: every frame is taken exactly once, none is stranded. */
  @Test
  void noFrameIsStrandedWhileTheStageGoesIdle() throws Exception {
    int producers = 4;
    int perProducer = 50_000;
    SocketOutbox outbox = new SocketOutbox(producers * perProducer);
    java.util.concurrent.Semaphore woken = new java.util.concurrent.Semaphore(0);
    outbox.attach(woken::release);
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int id = p;
      Thread t = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perProducer; i++) {
          assertTrue(outbox.offer(f(id + ":" + i)));
        }
      });
      t.start();
      threads.add(t);
    }
    start.countDown();
    int[] next = new int[producers];
    int taken = 0;
    while (taken < producers * perProducer) {
      ByteString frame = outbox.poll();
      if (frame == null) {
        frame = outbox.idle();
      }
      if (frame == null) {
        // Idle: only a wake-up may bring the next frame; waiting for it proves none is stranded.
        assertTrue(woken.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS), "a frame was offered but the idle stage was not woken");
        continue;
      }
      String[] parts = frame.utf8String().split(":");
      int producer = Integer.parseInt(parts[0]);
      assertEquals(next[producer], Integer.parseInt(parts[1]), "each producer's frames in order");
      next[producer]++;
      taken++;
    }
    for (Thread t : threads) {
      t.join();
    }
    assertNull(outbox.poll());
  }
}
