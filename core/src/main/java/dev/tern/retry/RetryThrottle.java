package dev.tern.retry;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * gRFC A6 retry throttling, one per channel: a token bucket starting full at {@code maxTokens}.
 * Each attempt that fails with a retryable code takes a token, each successful call gives back
 * {@code tokenRatio}; while the count is at or below half of {@code maxTokens}, nothing is
 * retried. Counts are kept in thousandths, as A6 allows three decimal places in the ratio.
 * Thread-safe (lock-free).
 */
public final class RetryThrottle {
  private static final int SCALE = 1000;

  private final int maxMilliTokens;
  private final int thresholdMilliTokens;
  private final int ratioMilliTokens;
  private final AtomicInteger milliTokens;

  /**
   * @param maxTokens 1 to 1000 (A6)
   * @param tokenRatio above 0; precision beyond 0.001 is dropped
   */
  public RetryThrottle(int maxTokens, double tokenRatio) {
    if (maxTokens <= 0 || maxTokens > 1000) {
      throw new IllegalArgumentException("maxTokens must be in [1, 1000]: " + maxTokens);
    }
    int ratio = (int) (tokenRatio * SCALE);
    if (!(tokenRatio > 0) || ratio <= 0) {
      throw new IllegalArgumentException("tokenRatio must be at least 0.001: " + tokenRatio);
    }
    this.maxMilliTokens = maxTokens * SCALE;
    this.thresholdMilliTokens = maxMilliTokens / 2;
    this.ratioMilliTokens = ratio;
    this.milliTokens = new AtomicInteger(maxMilliTokens);
  }

  /** Records a failure with a retryable code; returns whether retries are still allowed. */
  public boolean onFailureAndCheckAllowed() {
    int now = milliTokens.updateAndGet(t -> Math.max(0, t - SCALE));
    return now > thresholdMilliTokens;
  }

  /** Records a successful call. */
  public void onSuccess() {
    milliTokens.updateAndGet(t -> Math.min(maxMilliTokens, t + ratioMilliTokens));
  }

  /** Whether retries are allowed now. */
  public boolean isRetryAllowed() {
    return milliTokens.get() > thresholdMilliTokens;
  }

  /** The current token count (for tests and metrics). */
  public double tokens() {
    return milliTokens.get() / (double) SCALE;
  }
}
