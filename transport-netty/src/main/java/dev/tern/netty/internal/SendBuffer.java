package dev.tern.netty.internal;

import io.netty.util.internal.ThreadExecutorMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Accounts for one call's outbound bytes: queued from the moment the application hands a message
 * over until Netty reports it written to the socket. A message waits there for the peer's HTTP/2
 * window (stream and connection, RFC 9113 §6.9) and for the socket to accept it, so the count
 * reflects both the peer's reading and the connection's writability.
 *
 * <ul>
 *   <li>Below {@link #ON_READY_THRESHOLD} the call is ready ({@code isReady()}); crossing back
 *       below it fires {@code onReady}.
 *   <li>At {@code limit} the sender is made to wait: {@link #awaitRoom} blocks the sending
 *       thread until the bytes drain or the call ends. An event-loop thread must never block, so
 *       there the caller fails the call instead. Memory per call is thus bounded by the limit plus
 *       one message, whatever the application does.
 * </ul>
 *
 * <p>Thread-safe: application threads add, the event loop completes writes.
 */
final class SendBuffer {
  /** Bytes queued above which a call reports not ready (as grpc-java: 32 KiB). */
  static final int ON_READY_THRESHOLD = 32 * 1024;

  /** What {@link #awaitRoom} found. */
  enum Room { AVAILABLE, CALL_ENDED, CANNOT_BLOCK, INTERRUPTED }

  private final AtomicInteger queued = new AtomicInteger();
  private final int limit;
  private volatile int waiters;

  SendBuffer(int limit) {
    this.limit = limit;
  }

  boolean isReady() {
    return queued.get() < ON_READY_THRESHOLD;
  }

  int queuedBytes() {
    return queued.get();
  }

  /**
   * Waits until fewer than {@code limit} bytes are queued, the call ends ({@code ended} turns
   * true; {@link #wake} is called then) or the thread is interrupted (its flag is kept). Does
   * not wait on a Netty event-loop thread: that thread is the one that would drain the bytes.
   */
  Room awaitRoom(BooleanSupplier ended) {
    if (queued.get() < limit) {
      return Room.AVAILABLE;
    }
    if (ThreadExecutorMap.currentExecutor() != null) {
      return Room.CANNOT_BLOCK;
    }
    synchronized (this) {
      waiters++;
      try {
        while (queued.get() >= limit) {
          if (ended.getAsBoolean()) {
            return Room.CALL_ENDED;
          }
          // Woken by sent() or wake(); the timeout only guards against a missed wake-up.
          wait(1000);
        }
        return Room.AVAILABLE;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Room.INTERRUPTED;
      } finally {
        waiters--;
      }
    }
  }

  void add(int bytes) {
    queued.addAndGet(bytes);
  }

  /** {@code bytes} were written (or dropped); returns whether the call just became ready. */
  boolean sent(int bytes) {
    int after = queued.addAndGet(-bytes);
    if (waiters > 0 && after < limit) {
      wake();
    }
    return after < ON_READY_THRESHOLD && after + bytes >= ON_READY_THRESHOLD;
  }

  /** Wakes blocked senders, e.g. because the call ended. */
  void wake() {
    if (waiters > 0) {
      synchronized (this) {
        notifyAll();
      }
    }
  }
}
