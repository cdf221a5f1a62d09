package dev.tern.retry;

import dev.tern.CallOptions;
import dev.tern.Metadata;
import dev.tern.Status;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * When and how often a failed call is tried again (gRFC A6 "retryPolicy"): at most
 * {@link #maxAttempts()} attempts in all, only for {@link #retryableCodes()}, with exponential
 * backoff between them. The n-th retry waits a random time in
 * {@code [(1 - jitter) * b, b]} where {@code b = min(initialBackoff * multiplier^(n-1),
 * maxBackoff)}; A6's full jitter ({@code random(0, b)}) is {@code jitter = 1}, the default.
 *
 * <p>INVALID_ARGUMENT, PERMISSION_DENIED and UNAUTHENTICATED are never retryable: the same
 * request cannot succeed by being sent again, so a policy naming them is rejected. As in A6,
 * more than 5 attempts are treated as 5.
 *
 * <p>A channel's policy ({@code TernChannel.Builder.retryPolicy}) can be replaced for one stub or
 * call with {@code withOption(RetryPolicy.CALL_OPTION, policy)}; {@link #NONE} turns retries off.
 * Immutable and thread-safe.
 */
public final class RetryPolicy {
  /** A6 caps attempts at 5 whatever the configuration says. */
  public static final int MAX_ATTEMPTS_LIMIT = 5;

  private static final Set<Status.Code> NEVER_RETRYABLE = Collections.unmodifiableSet(EnumSet.of(
      Status.Code.INVALID_ARGUMENT, Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED));

  /** No retries: one attempt. */
  public static final RetryPolicy NONE = builder().maxAttempts(1).build();

  /** Sent on retries and hedges: how many attempts came before this one (A6). */
  public static final Metadata.Key<String> PREVIOUS_ATTEMPTS =
      Metadata.Key.ascii("grpc-previous-rpc-attempts");

  /** A trailer by which a server asks for a retry delay in ms, or (negative) for no retry. */
  public static final Metadata.Key<String> PUSHBACK = Metadata.Key.ascii("grpc-retry-pushback-ms");

  /** The per-call override of the channel's policy. */
  public static final CallOptions.Key<RetryPolicy> CALL_OPTION =
      CallOptions.Key.createWithDefault("tern.retry-policy", null);

  private final int maxAttempts;
  private final long initialBackoffNanos;
  private final long maxBackoffNanos;
  private final double multiplier;
  private final double jitter;
  private final Set<Status.Code> retryableCodes;

  private RetryPolicy(Builder b) {
    this.maxAttempts = Math.min(b.maxAttempts, MAX_ATTEMPTS_LIMIT);
    this.initialBackoffNanos = b.initialBackoff.toNanos();
    this.maxBackoffNanos = b.maxBackoff.toNanos();
    this.multiplier = b.multiplier;
    this.jitter = b.jitter;
    this.retryableCodes = Collections.unmodifiableSet(EnumSet.copyOf(b.retryableCodes));
  }

  /**
   * A builder with the defaults: 3 attempts, backoff from 100 ms by 2x up to 1 s with full
   * jitter, UNAVAILABLE only.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The default policy (see {@link #builder()}). */
  public static RetryPolicy defaults() {
    return builder().build();
  }

  /** Attempts in all, the first included (1 means no retries). */
  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return Duration.ofNanos(initialBackoffNanos);
  }

  public Duration maxBackoff() {
    return Duration.ofNanos(maxBackoffNanos);
  }

  public double backoffMultiplier() {
    return multiplier;
  }

  /** The share of each backoff that is randomized, 0 to 1. */
  public double jitter() {
    return jitter;
  }

  public Set<Status.Code> retryableCodes() {
    return retryableCodes;
  }

  public boolean isRetryable(Status.Code code) {
    return retryableCodes.contains(code);
  }

  /**
   * The delay before retry number {@code retry} (1 for the first), jitter applied with the
   * uniform random {@code random} in [0, 1).
   */
  public long backoffNanos(int retry, double random) {
    return jittered(backoffNanos(retry), random);
  }

  /** The un-jittered backoff before retry number {@code retry} (1 for the first retry). */
  long backoffNanos(int retry) {
    double b = initialBackoffNanos * Math.pow(multiplier, retry - 1);
    return (long) Math.min(b, (double) maxBackoffNanos);
  }

  /** The backoff with jitter applied, given a uniform random {@code r} in [0, 1). */
  long jittered(long backoffNanos, double r) {
    return (long) (backoffNanos * (1 - jitter * r));
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff()
        + ", maxBackoff=" + maxBackoff() + ", multiplier=" + multiplier + ", jitter=" + jitter
        + ", retryableCodes=" + retryableCodes + "}";
  }

  /** Builds a {@link RetryPolicy}. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(1);
    private double multiplier = 2;
    private double jitter = 1;
    private Set<Status.Code> retryableCodes = EnumSet.of(Status.Code.UNAVAILABLE);

    private Builder() {}

    /** Attempts in all, at least 1; above 5 counts as 5 (A6). */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder initialBackoff(Duration backoff) {
      this.initialBackoff = positive(backoff, "initialBackoff");
      return this;
    }

    public Builder maxBackoff(Duration backoff) {
      this.maxBackoff = positive(backoff, "maxBackoff");
      return this;
    }

    public Builder backoffMultiplier(double multiplier) {
      if (!(multiplier > 0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("backoffMultiplier must be positive: " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /** The randomized share of each backoff: 1 (the default) is A6's full jitter, 0 none. */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter <= 1)) {
        throw new IllegalArgumentException("jitter must be in [0, 1]: " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * The codes that allow a retry (default UNAVAILABLE).
     *
     * @throws IllegalArgumentException if empty or if it names INVALID_ARGUMENT,
     *     PERMISSION_DENIED or UNAUTHENTICATED, or OK
     */
    public Builder retryableCodes(Status.Code... codes) {
      if (codes.length == 0) {
        throw new IllegalArgumentException("no retryable codes");
      }
      EnumSet<Status.Code> set = EnumSet.noneOf(Status.Code.class);
      for (Status.Code code : codes) {
        Objects.requireNonNull(code, "code");
        if (code == Status.Code.OK || NEVER_RETRYABLE.contains(code)) {
          throw new IllegalArgumentException(code + " is never retryable");
        }
        set.add(code);
      }
      this.retryableCodes = set;
      return this;
    }

    public RetryPolicy build() {
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff " + maxBackoff + " is below initialBackoff " + initialBackoff);
      }
      return new RetryPolicy(this);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }
}
