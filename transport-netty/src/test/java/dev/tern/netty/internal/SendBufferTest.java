package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@link SendBuffer}: readiness thresholds, the memory limit and the wake-ups of blocked senders.
 * Single-threaded where the class allows (the event-loop side is called by the test); a blocked
 * sender is a second thread the test waits for by its state, never by time. Each test name is the
 * sequence it checks.
 */
class SendBufferTest {
  private static final int T = SendBuffer.ON_READY_THRESHOLD;
  private static final int LIMIT = 4 * T;
  private static final int WINDOW = 64 * 1024;

  private final SendBuffer buffer = new SendBuffer(LIMIT);

  @Test
  void fresh_readyWithRoom() {
    assertTrue(buffer.isReady());
    assertTrue(buffer.hasRoom());
    assertEquals(0, buffer.heldBytes());
  }

  @Test
  void addedJustUnderThreshold_ready_atThreshold_notReady() {
    buffer.add(T - 1);
    assertTrue(buffer.isReady());
    buffer.add(1);
    assertFalse(buffer.isReady(), "ON_READY_THRESHOLD bytes on their way to the event loop");
  }

  @Test
  void handoffBacklogAtThreshold_handedOffWithinWindow_becomesReady_reportedOnce() {
    buffer.add(T);
    assertTrue(buffer.handedOff(T, WINDOW), "the hand-off backlog crossed below the threshold");
    assertTrue(buffer.isReady());
    buffer.add(10);
    assertFalse(buffer.handedOff(10, WINDOW), "already ready: no second onReady");
  }

  @Test
  void handedOffBeyondWindowByThreshold_notReady_untilWindowGrows() {
    buffer.add(T);
    // No window yet (stream not created): everything handed to Netty waits for the peer.
    assertFalse(buffer.handedOff(T, 0));
    assertFalse(buffer.isReady());
    // WINDOW_UPDATE from the peer: the bytes can leave, reported by the next write outcome.
    assertTrue(buffer.sent(0, WINDOW));
    assertTrue(buffer.isReady());
  }

  @Test
  void handedOffTwiceThresholdBeyondWindow_writtenDownToThreshold_notReady_oneMore_ready() {
    buffer.add(2 * T);
    buffer.handedOff(2 * T, 0);
    assertFalse(buffer.sent(T, 0), "ON_READY_THRESHOLD bytes still wait beyond the window");
    assertFalse(buffer.isReady());
    assertTrue(buffer.sent(1, 0));
    assertTrue(buffer.isReady());
    assertEquals(T - 1, buffer.heldBytes());
  }

  @Test
  void heldReachesLimit_noRoom_notReady_sentBelowLimit_roomAndReady() {
    for (int i = 0; i < 4; i++) {
      buffer.add(T);
      buffer.handedOff(T, Integer.MAX_VALUE);
    }
    assertEquals(LIMIT, buffer.heldBytes());
    assertFalse(buffer.hasRoom());
    assertFalse(buffer.isReady(), "limit bytes held in all");
    assertTrue(buffer.sent(1, Integer.MAX_VALUE), "crossed below the limit");
    assertTrue(buffer.hasRoom());
    assertTrue(buffer.isReady());
  }

  @Test
  void callEndsWithBytesInHandoff_dropped_releasesHeldAndHandoff() {
    buffer.add(T + 5);
    assertFalse(buffer.isReady());
    buffer.dropped(T + 5);
    assertEquals(0, buffer.heldBytes());
    assertTrue(buffer.isReady());
  }

  @Test
  void awaitRoom_belowLimit_availableWithoutWaiting() {
    buffer.add(LIMIT - 1);
    assertEquals(SendBuffer.Room.AVAILABLE, buffer.awaitRoom(() -> false));
  }

  @Test
  void awaitRoom_atLimitOnAnEventLoopThread_cannotBlock() throws Exception {
    buffer.add(LIMIT);
    EventLoop loop = new DefaultEventLoop();
    try {
      assertEquals(SendBuffer.Room.CANNOT_BLOCK,
          loop.submit(() -> buffer.awaitRoom(() -> false)).get(10, TimeUnit.SECONDS));
    } finally {
      loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
  }

  @Test
  void awaitRoom_atLimitWithCallEnded_returnsCallEndedWithoutWaiting() {
    buffer.add(LIMIT);
    assertEquals(SendBuffer.Room.CALL_ENDED, buffer.awaitRoom(() -> true));
  }

  /** Starts a sender that blocks in awaitRoom; returns once it is parked inside. */
  private CompletableFuture<SendBuffer.Room> blockedSender(AtomicBoolean ended,
      Thread[] thread) {
    CompletableFuture<SendBuffer.Room> result = new CompletableFuture<>();
    Thread t = new Thread(() -> result.complete(buffer.awaitRoom(ended::get)), "sender");
    thread[0] = t;
    t.start();
    // The sender's own signal that it waits: its thread state (no timing involved).
    while (t.getState() != Thread.State.TIMED_WAITING && !result.isDone()) {
      Thread.onSpinWait();
    }
    assertFalse(result.isDone(), "the sender must be blocked");
    return result;
  }

  @Test
  void senderBlockedAtLimit_eventLoopWritesBytes_senderWakesWithRoom() throws Exception {
    buffer.add(LIMIT);
    buffer.handedOff(LIMIT, Integer.MAX_VALUE);
    Thread[] t = new Thread[1];
    CompletableFuture<SendBuffer.Room> room = blockedSender(new AtomicBoolean(), t);
    buffer.sent(T, Integer.MAX_VALUE);
    assertEquals(SendBuffer.Room.AVAILABLE, room.get(10, TimeUnit.SECONDS));
    t[0].join();
  }

  @Test
  void senderBlockedAtLimit_callEnds_wake_senderReturnsCallEnded() throws Exception {
    buffer.add(LIMIT);
    AtomicBoolean ended = new AtomicBoolean();
    Thread[] t = new Thread[1];
    CompletableFuture<SendBuffer.Room> room = blockedSender(ended, t);
    ended.set(true);
    buffer.wake();
    assertEquals(SendBuffer.Room.CALL_ENDED, room.get(10, TimeUnit.SECONDS));
    t[0].join();
  }

  @Test
  void senderBlockedAtLimit_bytesDropped_senderWakesWithRoom() throws Exception {
    buffer.add(LIMIT);
    Thread[] t = new Thread[1];
    CompletableFuture<SendBuffer.Room> room = blockedSender(new AtomicBoolean(), t);
    buffer.dropped(LIMIT);
    assertEquals(SendBuffer.Room.AVAILABLE, room.get(10, TimeUnit.SECONDS));
    t[0].join();
  }

  @Test
  void senderBlockedAtLimit_interrupted_returnsInterrupted_keepsFlag() throws Exception {
    buffer.add(LIMIT);
    CompletableFuture<Boolean> flagKept = new CompletableFuture<>();
    CompletableFuture<SendBuffer.Room> room = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      room.complete(buffer.awaitRoom(() -> false));
      flagKept.complete(Thread.currentThread().isInterrupted());
    }, "sender");
    t.start();
    while (t.getState() != Thread.State.TIMED_WAITING) {
      Thread.onSpinWait();
    }
    t.interrupt();
    assertEquals(SendBuffer.Room.INTERRUPTED, room.get(10, TimeUnit.SECONDS));
    assertTrue(flagKept.get(10, TimeUnit.SECONDS));
    t.join();
  }
}
