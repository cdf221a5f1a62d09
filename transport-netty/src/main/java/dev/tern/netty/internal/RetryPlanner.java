package dev.tern.netty.internal;

import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.retry.HedgingPolicy;
import dev.tern.retry.RetryPolicy;
import dev.tern.retry.RetryThrottle;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * gRFC A6's rules for one call, apart from the mechanics of attempts: whether a failed attempt is
 * retried transparently, after which backoff a retry policy tries again, when the next hedge
 * starts; with the throttle, pushback, attempt counts and the deadline. {@link RetriableCall} asks
 * and acts; this class decides. Deterministic given its random source, so every rule is unit
 * tested without a transport.
 *
 * <p>Not thread-safe: used under the engine's monitor.
 */
final class RetryPlanner {
  /** Attempts a call may make after streams it sent were refused (never processed). */
  static final int MAX_REFUSED_RETRIES = 3;
  /** What a decision returns for "no further attempt". */
  static final long NO_RETRY = -1;

  /** What follows a failed hedge. */
  enum HedgeStep {
    /** A fatal code: the failure is the call's; the other hedges are cancelled. */
    FATAL,
    /** Start the next hedge now. */
    NEXT_NOW,
    /** Start the next hedge after {@link #pushbackNanos()} (the server's pushback). */
    NEXT_AFTER_PUSHBACK,
    /** No hedge may start now; the call waits for its other attempts, if any. */
    NONE
  }

  private static final long PUSHBACK_ABSENT = -1;
  private static final long PUSHBACK_STOP = -2;

  private final RetryPolicy retryPolicy;
  private final HedgingPolicy hedgingPolicy;
  private final RetryThrottle throttle;
  private final Deadline deadline;
  private final DoubleSupplier random;

  /** Attempts started under the policy (transparent retries excluded). */
  private int attempts;
  private int refusals;
  private int backoffStep;
  private boolean hedgingStopped;
  private long pushbackNanos;

  /**
   * @param retryPolicy the call's retry policy (one attempt or null: none)
   * @param hedgingPolicy the call's hedging policy, or null; not with a retry policy
   * @param throttle the channel's throttle, or null
   * @param deadline the call's deadline, or null
   * @param random uniform in [0, 1), for the backoff's jitter
   */
  RetryPlanner(RetryPolicy retryPolicy, HedgingPolicy hedgingPolicy, RetryThrottle throttle,
      Deadline deadline, DoubleSupplier random) {
    this.retryPolicy = retryPolicy != null && retryPolicy.maxAttempts() > 1 ? retryPolicy : null;
    this.hedgingPolicy = this.retryPolicy == null ? hedgingPolicy : null;
    this.throttle = throttle;
    this.deadline = deadline;
    this.random = random;
  }

  boolean isHedging() {
    return hedgingPolicy != null;
  }

  /** Attempts started under the policy so far: the next one's {@code previousAttempts}. */
  int attempts() {
    return attempts;
  }

  /** An attempt started; transparent retries do not count (A6). */
  void attemptStarted(boolean transparent) {
    if (!transparent) {
      attempts++;
    }
  }

  /**
   * Whether an attempt the server never processed starts again at once (gRFC A6 "Transparent
   * Retries"): always if it was never sent, at most {@value #MAX_REFUSED_RETRIES} times per
   * call if refused.
   */
  boolean transparentRetry(ClientAttempt.Reach reach) {
    switch (reach) {
      case NEVER_SENT:
        return true;
      case REFUSED:
        if (refusals >= MAX_REFUSED_RETRIES) {
          return false;
        }
        refusals++;
        return true;
      default:
        return false;
    }
  }

  /**
   * Under a retry policy, for a failed uncommitted attempt: the delay before the next attempt in
   * nanoseconds, or {@link #NO_RETRY}. In A6's order: a retryable code; the throttle (which the
   * failure costs a token); attempts left; the server's pushback (negative: no retry; valid:
   * replaces the backoff and restarts its sequence); the next attempt starting before the
   * deadline.
   */
  long retryDelayNanos(Status status, Metadata trailers) {
    RetryPolicy policy = retryPolicy;
    if (policy == null || !policy.isRetryable(status.getCode())) {
      return NO_RETRY;
    }
    boolean allowed = throttle == null || throttle.onFailureAndCheckAllowed();
    if (!allowed || attempts >= policy.maxAttempts()) {
      return NO_RETRY;
    }
    long delay;
    long pushback = pushbackMillis(trailers);
    if (pushback == PUSHBACK_STOP) {
      return NO_RETRY; // the server asked for no retry (A6 "Pushback")
    } else if (pushback >= 0) {
      delay = TimeUnit.MILLISECONDS.toNanos(pushback);
      backoffStep = 0;
    } else {
      backoffStep++;
      delay = policy.backoffNanos(backoffStep, random.getAsDouble());
    }
    if (deadline != null && deadline.timeRemaining(TimeUnit.NANOSECONDS) <= delay) {
      return NO_RETRY; // the next attempt could not start before the deadline
    }
    return delay;
  }

  /** The delay before the next hedge after one started, or {@link #NO_RETRY} if none follows. */
  long nextHedgeDelayNanos() {
    return hedgingPolicy != null && attempts < hedgingPolicy.maxAttempts()
        ? hedgingPolicy.hedgingDelay().toNanos() : NO_RETRY;
  }

  /** Whether the hedging timer may start the next hedge now (A6: not while throttled). */
  boolean mayHedgeNow() {
    return !hedgingStopped && attempts < hedgingPolicy.maxAttempts()
        && (throttle == null || throttle.isRetryAllowed());
  }

  /**
   * A hedge failed, the call uncommitted (gRFC A6 "Hedging Policy"): a fatal code ends the call;
   * a non-fatal one costs a throttle token and lets the next hedge start at once, or after the
   * server's pushback; a negative pushback stops hedging.
   */
  HedgeStep afterHedgeFailure(Status status, Metadata trailers) {
    if (!hedgingPolicy.isNonFatal(status.getCode())) {
      return HedgeStep.FATAL;
    }
    boolean allowed = throttle == null || throttle.onFailureAndCheckAllowed();
    long pushback = pushbackMillis(trailers);
    if (pushback == PUSHBACK_STOP) {
      hedgingStopped = true;
    }
    if (hedgingStopped || !allowed || attempts >= hedgingPolicy.maxAttempts()) {
      return HedgeStep.NONE;
    }
    if (pushback >= 0) {
      pushbackNanos = TimeUnit.MILLISECONDS.toNanos(pushback);
      return HedgeStep.NEXT_AFTER_PUSHBACK;
    }
    return HedgeStep.NEXT_NOW;
  }

  /** Whether a negative pushback stopped hedging for good. */
  boolean hedgingStopped() {
    return hedgingStopped;
  }

  /** The pushback of the last {@link HedgeStep#NEXT_AFTER_PUSHBACK}. */
  long pushbackNanos() {
    return pushbackNanos;
  }

  /** The call succeeded: the throttle gets {@code tokenRatio} back. */
  void succeeded() {
    if (throttle != null) {
      throttle.onSuccess();
    }
  }

  /** The server's {@code grpc-retry-pushback-ms} in ms, PUSHBACK_ABSENT or PUSHBACK_STOP. */
  private static long pushbackMillis(Metadata trailers) {
    String pushback = trailers.get(RetryPolicy.PUSHBACK);
    if (pushback == null) {
      return PUSHBACK_ABSENT;
    }
    try {
      long ms = Long.parseLong(pushback.trim());
      return ms < 0 ? PUSHBACK_STOP : ms;
    } catch (NumberFormatException e) {
      return PUSHBACK_STOP; // malformed: A6 treats it as "do not retry"
    }
  }
}
