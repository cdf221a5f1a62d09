package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The reconnection schedule of grpc doc/connection-backoff.md, on a fake clock. */
class ConnectionBackoffTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);

  @Test
  void firstRetryWaitsOutTheInitialBackoffFromTheStartOfTheAttempt() {
    ConnectionBackoff b = new ConnectionBackoff(() -> 0.5); // no jitter
    long now = 1000 * S;
    // Each attempt may take at least MIN_CONNECT_TIMEOUT (20 s).
    assertEquals(20 * S, b.attemptStarted(now));
    // It failed after 0.3 s: SleepUntil(current_deadline) = start + 1 s.
    assertEquals(S - S * 3 / 10, b.delayAfterFailure(now + S * 3 / 10));
  }

  @Test
  void backoffGrowsBy1point6UpTo120Seconds() {
    ConnectionBackoff b = new ConnectionBackoff(() -> 0.5);
    long now = 0;
    b.attemptStarted(now);
    double expected = 1.0;
    for (int i = 0; i < 20; i++) {
      now += b.delayAfterFailure(now);
      b.beforeRetry(now);
      expected = Math.min(expected * 1.6, 120);
      assertEquals((long) (expected * S), b.currentBackoffNanos(), 1000, "retry " + i);
      b.attemptStarted(now);
      // An attempt that fails at once waits the whole backoff.
      assertEquals(b.currentBackoffNanos(), b.delayAfterFailure(now), 1000);
    }
    assertEquals(120 * S, b.currentBackoffNanos());
  }

  @Test
  void jitterIsAtMostTwentyPercentEitherWay() {
    ConnectionBackoff low = new ConnectionBackoff(() -> 0.0);
    ConnectionBackoff high = new ConnectionBackoff(() -> 0.999999);
    for (ConnectionBackoff b : new ConnectionBackoff[] {low, high}) {
      b.attemptStarted(0);
      b.beforeRetry(S);
      b.attemptStarted(S);
    }
    // 1.6 s backoff: the deadline is 1.6 s +- 0.32 s after the retry started.
    assertEquals((long) (1.6 * 0.8 * S), low.delayAfterFailure(S), 1000);
    assertEquals((long) (1.6 * 1.2 * S), high.delayAfterFailure(S), 1000);
  }

  @Test
  void successStartsTheNextSequenceFromTheInitialBackoff() {
    ConnectionBackoff b = new ConnectionBackoff(() -> 0.5);
    b.attemptStarted(0);
    for (int i = 0; i < 5; i++) {
      b.beforeRetry(0);
    }
    b.reset();
    long now = 500 * S;
    b.attemptStarted(now);
    assertEquals(S, b.delayAfterFailure(now));
  }

  @Test
  void longAttemptsGetTheMinimumConnectTimeoutAndRetryAtOnce() {
    ConnectionBackoff b = new ConnectionBackoff(() -> 0.5);
    b.attemptStarted(0);
    // The attempt timed out after 20 s, long past its 1 s deadline: no further wait.
    assertEquals(0, b.delayAfterFailure(20 * S));
  }
}
