package dev.tern.stub;

import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.StatusException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The meeting point of one blocking call's callback thread (which hands over messages, the end
 * of the stream and readiness) and the application threads waiting for them. Holds at most one
 * inbound message: the next is requested only when a reader waits for it.
 *
 * <p>Waits use a {@link ReentrantLock} and its {@link Condition}, never {@code synchronized}, so
 * that a virtual thread parked here unmounts from its carrier instead of pinning it (JEP 444;
 * monitors pin on JDK 21 to 23). Thread-safe: every field is guarded by {@link #lock}.
 */
final class MessageHandoff<T> {
  /** Where the call is, as seen by its waiting application threads. */
  enum Phase {
    /** Messages may still arrive. */
    OPEN,
    /** The peer sent its last message; sending may go on. */
    HALF_CLOSED,
    /** The call ended with OK: reads see the end, writes are refused. */
    CLOSED,
    /** The call ended with an error (cancel, deadline, a failed status): every wait throws it. */
    FAILED
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private Phase phase = Phase.OPEN;
  private T message;
  /** Whether one message was requested and has not arrived yet. */
  private boolean requested;
  private Status status;
  private Metadata trailers;

  // ---- callback side: never blocks beyond taking the lock ----

  /** A requested message arrived. */
  void offer(T m) {
    lock.lock();
    try {
      message = m;
      requested = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The peer sent its last message. */
  void halfClosed() {
    lock.lock();
    try {
      if (phase == Phase.OPEN) {
        phase = Phase.HALF_CLOSED;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The call ended with {@code status}; the first end wins. */
  void closed(Status status, Metadata trailers) {
    lock.lock();
    try {
      if (phase == Phase.CLOSED || phase == Phase.FAILED) {
        return;
      }
      this.phase = status.isOk() ? Phase.CLOSED : Phase.FAILED;
      this.status = status;
      this.trailers = trailers;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Readiness to send may have changed. */
  void readinessChanged() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- application side ----

  Phase phase() {
    lock.lock();
    try {
      return phase;
    } finally {
      lock.unlock();
    }
  }

  /** The status the call ended with, or null while it runs. */
  Status status() {
    lock.lock();
    try {
      return status;
    } finally {
      lock.unlock();
    }
  }

  /** The trailers the call ended with, or null while it runs. */
  Metadata trailers() {
    lock.lock();
    try {
      return trailers;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for the next message, calling {@code requestOne} when none was asked for yet (at most
   * one request is outstanding). A message that arrived before the end
   * is still returned.
   *
   * @param timeoutNanos how long to wait, or negative to wait as long as it takes
   * @return the message, or null after the peer's last message or an OK end
   * @throws StatusException the status of a call that failed
   */
  T take(long timeoutNanos, Runnable requestOne)
      throws InterruptedException, StatusException, TimeoutException {
    long remaining = timeoutNanos;
    lock.lockInterruptibly();
    try {
      while (true) {
        if (message != null) {
          T m = message;
          message = null;
          return m;
        }
        if (phase == Phase.FAILED) {
          throw status.asException(trailers);
        }
        if (phase != Phase.OPEN) {
          return null;
        }
        if (!requested) {
          requested = true;
          // Outside the lock: the request may wait for the call's own lock, and callbacks
          // (which take this one) must never wait behind it.
          lock.unlock();
          try {
            requestOne.run();
          } finally {
            lock.lock();
          }
          continue;
        }
        remaining = await(remaining, timeoutNanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code isReady} is true.
   *
   * @param timeoutNanos how long to wait, or negative to wait as long as it takes
   * @return true when ready; false when the call already ended with OK
   * @throws StatusException the status of a call that failed
   */
  boolean awaitReady(BooleanSupplier isReady, long timeoutNanos)
      throws InterruptedException, StatusException, TimeoutException {
    long remaining = timeoutNanos;
    lock.lockInterruptibly();
    try {
      while (true) {
        if (phase == Phase.FAILED) {
          throw status.asException(trailers);
        }
        if (phase == Phase.CLOSED) {
          return false;
        }
        // Checked under the lock: a readiness signal cannot slip in between check and await.
        if (isReady.getAsBoolean()) {
          return true;
        }
        remaining = await(remaining, timeoutNanos);
      }
    } finally {
      lock.unlock();
    }
  }

  private long await(long remaining, long timeoutNanos)
      throws InterruptedException, TimeoutException {
    if (timeoutNanos < 0) {
      changed.await();
      return remaining;
    }
    if (remaining <= 0) {
      throw new TimeoutException(
          "Nothing happened within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
    }
    return changed.awaitNanos(remaining);
  }
}
