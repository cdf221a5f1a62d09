package dev.tern.retry;

import dev.tern.CallOptions;
import dev.tern.Status;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Hedging as gRFC A6 describes it: the call's first attempt goes out at once, and another every
 * {@link #hedgingDelay()} until one of them commits (receives response headers or a message) or
 * {@link #maxAttempts()} are out; the others are then cancelled. An attempt that fails with one
 * of the {@link #nonFatalStatusCodes()} lets the next hedge start at once; any other failure is
 * fatal: it is the call's status and the other attempts are cancelled. A server's
 * {@code grpc-retry-pushback-ms} delays the next hedge by that much, or (negative) stops hedging;
 * retry throttling ({@code TernChannel.Builder.retryThrottling}) stops new hedges while tokens are
 * low. Hedging suits idempotent methods only: several servers may process the same request.
 *
 * <p>A channel has either a {@link RetryPolicy} or a hedging policy. A call may override the
 * channel's with {@code withOption(HedgingPolicy.CALL_OPTION, policy)} (or turn both off with
 * {@code withOption(RetryPolicy.CALL_OPTION, RetryPolicy.NONE)}). Immutable and thread-safe.
 */
public final class HedgingPolicy {
  /** The per-call override of the channel's retry or hedging policy. */
  public static final CallOptions.Key<HedgingPolicy> CALL_OPTION =
      CallOptions.Key.createWithDefault("tern.hedging-policy", null);

  private final int maxAttempts;
  private final long hedgingDelayNanos;
  private final Set<Status.Code> nonFatalStatusCodes;

  private HedgingPolicy(Builder b) {
    this.maxAttempts = Math.min(b.maxAttempts, RetryPolicy.MAX_ATTEMPTS_LIMIT);
    this.hedgingDelayNanos = b.hedgingDelay.toNanos();
    this.nonFatalStatusCodes = Collections.unmodifiableSet(b.nonFatalStatusCodes.isEmpty()
        ? EnumSet.noneOf(Status.Code.class) : EnumSet.copyOf(b.nonFatalStatusCodes));
  }

  /** A builder with the defaults: 2 attempts, no delay, no non-fatal codes. */
  public static Builder builder() {
    return new Builder();
  }

  /** Attempts in all, the first included: 2 to 5 (A6 treats more than 5 as 5). */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** How long after an attempt the next one starts (zero: all at once). */
  public Duration hedgingDelay() {
    return Duration.ofNanos(hedgingDelayNanos);
  }

  /** Codes that let the next hedge start at once instead of ending the call. */
  public Set<Status.Code> nonFatalStatusCodes() {
    return nonFatalStatusCodes;
  }

  public boolean isNonFatal(Status.Code code) {
    return nonFatalStatusCodes.contains(code);
  }

  @Override
  public String toString() {
    return "HedgingPolicy{maxAttempts=" + maxAttempts + ", hedgingDelay=" + hedgingDelay()
        + ", nonFatalStatusCodes=" + nonFatalStatusCodes + "}";
  }

  /** Builds a {@link HedgingPolicy}. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 2;
    private Duration hedgingDelay = Duration.ZERO;
    private Set<Status.Code> nonFatalStatusCodes = EnumSet.noneOf(Status.Code.class);

    private Builder() {}

    /** Attempts in all, at least 2; above 5 counts as 5 (A6). */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 2) {
        throw new IllegalArgumentException("maxAttempts must be at least 2: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The delay between hedges; zero or more. */
    public Builder hedgingDelay(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("hedgingDelay must not be negative: " + delay);
      }
      this.hedgingDelay = delay;
      return this;
    }

    /** The codes after which the next hedge starts at once (default none). OK is not allowed. */
    public Builder nonFatalStatusCodes(Status.Code... codes) {
      EnumSet<Status.Code> set = EnumSet.noneOf(Status.Code.class);
      for (Status.Code code : codes) {
        Objects.requireNonNull(code, "code");
        if (code == Status.Code.OK) {
          throw new IllegalArgumentException("OK is not a failure");
        }
        set.add(code);
      }
      this.nonFatalStatusCodes = set;
      return this;
    }

    public HedgingPolicy build() {
      return new HedgingPolicy(this);
    }
  }
}
