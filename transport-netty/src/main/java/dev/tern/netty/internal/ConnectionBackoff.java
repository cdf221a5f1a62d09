package dev.tern.netty.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Reconnection timing of grpc doc/connection-backoff.md:
 *
 * <pre>
 * ConnectWithBackoff()
 *   current_backoff = INITIAL_BACKOFF
 *   current_deadline = now() + INITIAL_BACKOFF
 *   while (TryConnect(Max(current_deadline, now() + MIN_CONNECT_TIMEOUT)) != SUCCESS)
 *     SleepUntil(current_deadline)
 *     current_backoff = Min(current_backoff * MULTIPLIER, MAX_BACKOFF)
 *     current_deadline = now() + current_backoff +
 *         UniformRandom(-JITTER * current_backoff, JITTER * current_backoff)
 * </pre>
 *
 * with INITIAL_BACKOFF 1 s, MULTIPLIER 1.6, JITTER 0.2, MAX_BACKOFF 120 s and MIN_CONNECT_TIMEOUT
 * 20 s. A success ends the sequence; the next failure starts a new one.
 *
 * <p>Not thread-safe: used under its channel's lock.
 */
final class ConnectionBackoff {
  static final long INITIAL_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final double MULTIPLIER = 1.6;
  static final double JITTER = 0.2;
  static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(120);
  static final long MIN_CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);

  private final long initialNanos;
  private final long maxNanos;
  private final long minConnectTimeoutNanos;
  /** Uniform in [0, 1). */
  private final DoubleSupplier random;
  private boolean inSequence;
  private long currentBackoffNanos;
  private long currentDeadlineNanos;

  ConnectionBackoff(DoubleSupplier random) {
    this(INITIAL_BACKOFF_NANOS, MAX_BACKOFF_NANOS, MIN_CONNECT_TIMEOUT_NANOS, random);
  }

  ConnectionBackoff(long initialNanos, long maxNanos, long minConnectTimeoutNanos,
      DoubleSupplier random) {
    this.initialNanos = initialNanos;
    this.maxNanos = maxNanos;
    this.minConnectTimeoutNanos = minConnectTimeoutNanos;
    this.random = random;
  }

  /** A connection attempt starts at {@code now}; returns its timeout. */
  long attemptStarted(long now) {
    if (!inSequence) {
      inSequence = true;
      currentBackoffNanos = initialNanos;
      currentDeadlineNanos = now + initialNanos;
    }
    return Math.max(currentDeadlineNanos - now, minConnectTimeoutNanos);
  }

  /** The attempt failed at {@code now}: how long to wait before the next one (SleepUntil). */
  long delayAfterFailure(long now) {
    return Math.max(0, currentDeadlineNanos - now);
  }

  /** The wait is over: computes the deadline of the attempt about to start at {@code now}. */
  void beforeRetry(long now) {
    currentBackoffNanos = Math.min((long) (currentBackoffNanos * MULTIPLIER), maxNanos);
    double jitter = (random.getAsDouble() * 2 - 1) * JITTER * currentBackoffNanos;
    currentDeadlineNanos = now + currentBackoffNanos + (long) jitter;
  }

  /** A connection succeeded: the next failure starts from the initial backoff again. */
  void reset() {
    inSequence = false;
  }

  /** The backoff of the current sequence (for tests and logs). */
  long currentBackoffNanos() {
    return currentBackoffNanos;
  }
}
