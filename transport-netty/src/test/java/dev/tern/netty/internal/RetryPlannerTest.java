package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.retry.HedgingPolicy;
import dev.tern.retry.RetryPolicy;
import dev.tern.retry.RetryThrottle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** gRFC A6's rules, decided without a transport: each case one named interleaving. */
class RetryPlannerTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final Status UNAVAILABLE = Status.UNAVAILABLE;

  private static RetryPolicy retry(int maxAttempts) {
    return RetryPolicy.builder().maxAttempts(maxAttempts).initialBackoff(Duration.ofMillis(100))
        .maxBackoff(Duration.ofMillis(250)).backoffMultiplier(2).jitter(1).build();
  }

  private static HedgingPolicy hedging(int maxAttempts) {
    return HedgingPolicy.builder().maxAttempts(maxAttempts).hedgingDelay(Duration.ofMillis(50))
        .nonFatalStatusCodes(Status.Code.UNAVAILABLE).build();
  }

  /** A planner whose jitter draws 0, so backoffs are exactly the policy's sequence. */
  private static RetryPlanner planner(RetryPolicy r, HedgingPolicy h, RetryThrottle t,
      Deadline d) {
    RetryPlanner p = new RetryPlanner(r, h, t, d, () -> 0);
    p.attemptStarted(false); // the first attempt
    return p;
  }

  private static Metadata pushback(String value) {
    Metadata m = new Metadata();
    m.put(RetryPolicy.PUSHBACK, value);
    return m;
  }

  @Test
  void neverSentIsAlwaysRetriedTransparentlyRefusedThreeTimesProcessedNever() {
    RetryPlanner p = planner(null, null, null, null);
    for (int i = 0; i < 10; i++) {
      assertTrue(p.transparentRetry(ClientAttempt.Reach.NEVER_SENT));
    }
    assertTrue(p.transparentRetry(ClientAttempt.Reach.REFUSED));
    assertTrue(p.transparentRetry(ClientAttempt.Reach.REFUSED));
    assertTrue(p.transparentRetry(ClientAttempt.Reach.REFUSED));
    assertFalse(p.transparentRetry(ClientAttempt.Reach.REFUSED));
    assertFalse(p.transparentRetry(ClientAttempt.Reach.MAYBE_PROCESSED));
  }

  @Test
  void transparentRetriesDoNotCountAsAttempts() {
    RetryPlanner p = planner(retry(2), null, null, null);
    p.attemptStarted(true);
    assertEquals(1, p.attempts());
    assertEquals(100 * MS, p.retryDelayNanos(UNAVAILABLE, new Metadata()));
  }

  @Test
  void backoffGrowsToItsCapThenAttemptsRunOut() {
    RetryPlanner p = planner(retry(4), null, null, null);
    assertEquals(100 * MS, p.retryDelayNanos(UNAVAILABLE, new Metadata()));
    p.attemptStarted(false);
    assertEquals(200 * MS, p.retryDelayNanos(UNAVAILABLE, new Metadata()));
    p.attemptStarted(false);
    assertEquals(250 * MS, p.retryDelayNanos(UNAVAILABLE, new Metadata()));
    p.attemptStarted(false);
    assertEquals(RetryPlanner.NO_RETRY, p.retryDelayNanos(UNAVAILABLE, new Metadata()));
  }

  @Test
  void codesOutsideThePolicyAreFinal() {
    RetryPlanner p = planner(retry(3), null, null, null);
    assertEquals(RetryPlanner.NO_RETRY,
        p.retryDelayNanos(Status.INTERNAL, new Metadata()));
  }

  @Test
  void pushbackReplacesTheBackoffAndRestartsItsSequence() {
    RetryPlanner p = planner(retry(5), null, null, null);
    assertEquals(100 * MS, p.retryDelayNanos(UNAVAILABLE, new Metadata()));
    p.attemptStarted(false);
    assertEquals(7 * MS, p.retryDelayNanos(UNAVAILABLE, pushback("7")));
    p.attemptStarted(false);
    assertEquals(100 * MS, p.retryDelayNanos(UNAVAILABLE, new Metadata()));
  }

  @Test
  void negativeOrMalformedPushbackStopsRetries() {
    assertEquals(RetryPlanner.NO_RETRY,
        planner(retry(5), null, null, null).retryDelayNanos(UNAVAILABLE, pushback("-1")));
    assertEquals(RetryPlanner.NO_RETRY,
        planner(retry(5), null, null, null).retryDelayNanos(UNAVAILABLE, pushback("soon")));
  }

  @Test
  void noRetryThatCouldNotStartBeforeTheDeadline() {
    long[] now = {0};
    Deadline.Ticker ticker = new Deadline.Ticker() {
      @Override
      public long nanoTime() {
        return now[0];
      }
    };
    Deadline deadline = Deadline.after(150, TimeUnit.MILLISECONDS, ticker);
    RetryPlanner p = planner(retry(5), null, null, deadline);
    assertEquals(100 * MS, p.retryDelayNanos(UNAVAILABLE, new Metadata()));
    p.attemptStarted(false);
    // 150 ms left, the next backoff is 200 ms.
    assertEquals(RetryPlanner.NO_RETRY, p.retryDelayNanos(UNAVAILABLE, new Metadata()));
  }

  @Test
  void throttleTakesATokenPerRetryableFailureAndStopsAtHalf() {
    RetryThrottle throttle = new RetryThrottle(4, 0.5);
    RetryPlanner p = planner(retry(5), null, throttle, null);
    assertEquals(100 * MS, p.retryDelayNanos(UNAVAILABLE, new Metadata())); // 3 tokens
    p.attemptStarted(false);
    assertEquals(RetryPlanner.NO_RETRY, p.retryDelayNanos(UNAVAILABLE, new Metadata())); // 2
    p.succeeded();
    assertEquals(2.5, throttle.tokens());
  }

  @Test
  void hedgingFatalCodeEndsTheCallNonFatalStartsTheNextAtOnce() {
    RetryPlanner p = planner(null, hedging(3), null, null);
    assertTrue(p.isHedging());
    assertEquals(50 * MS, p.nextHedgeDelayNanos());
    assertEquals(RetryPlanner.HedgeStep.FATAL,
        p.afterHedgeFailure(Status.INVALID_ARGUMENT, new Metadata()));
    assertEquals(RetryPlanner.HedgeStep.NEXT_NOW, p.afterHedgeFailure(UNAVAILABLE, new Metadata()));
    p.attemptStarted(false);
    p.attemptStarted(false);
    assertEquals(RetryPlanner.NO_RETRY, p.nextHedgeDelayNanos());
    assertEquals(RetryPlanner.HedgeStep.NONE, p.afterHedgeFailure(UNAVAILABLE, new Metadata()));
    assertFalse(p.mayHedgeNow());
  }

  @Test
  void hedgingPushbackDelaysTheNextHedgeOrStopsHedging() {
    RetryPlanner p = planner(null, hedging(5), null, null);
    assertEquals(RetryPlanner.HedgeStep.NEXT_AFTER_PUSHBACK,
        p.afterHedgeFailure(UNAVAILABLE, pushback("30")));
    assertEquals(30 * MS, p.pushbackNanos());
    assertEquals(RetryPlanner.HedgeStep.NONE, p.afterHedgeFailure(UNAVAILABLE, pushback("-1")));
    assertTrue(p.hedgingStopped());
    assertFalse(p.mayHedgeNow());
  }

  @Test
  void throttledHedgesDoNotStart() {
    RetryThrottle throttle = new RetryThrottle(2, 1);
    RetryPlanner p = planner(null, hedging(5), throttle, null);
    assertTrue(p.mayHedgeNow());
    // 2 tokens - 1 = 1, at or below half: no hedge now, nor from the timer.
    assertEquals(RetryPlanner.HedgeStep.NONE, p.afterHedgeFailure(UNAVAILABLE, new Metadata()));
    assertFalse(p.mayHedgeNow());
  }

  @Test
  void aRetryPolicyWinsOverAHedgingPolicyAndOneAttemptMeansNone() {
    assertFalse(planner(retry(2), hedging(2), null, null).isHedging());
    RetryPlanner none = planner(RetryPolicy.NONE, null, null, null);
    assertEquals(RetryPlanner.NO_RETRY, none.retryDelayNanos(UNAVAILABLE, new Metadata()));
  }
}
