package dev.tern.netty.internal;

import java.util.concurrent.TimeUnit;

/**
 * A server's protections against misbehaving peers and its connection-lifetime settings, as set
 * on {@code TernServer.Builder} (where each default is documented). Times are in nanoseconds;
 * {@link #NEVER} disables a timer. Immutable; shared by every connection of a server.
 *
 * @param maxResetsReceived RST_STREAM frames a client may send per window before
 *     GOAWAY(ENHANCE_YOUR_CALM) (rapid reset, CVE-2023-44487)
 * @param resetsReceivedWindowSeconds the window {@code maxResetsReceived} is counted over
 * @param maxResetsProvoked RST_STREAM frames (other than NO_ERROR/CANCEL) a client may provoke
 *     per window (MadeYouReset, CVE-2025-8671)
 * @param resetsProvokedWindowSeconds the window {@code maxResetsProvoked} is counted over
 * @param maxQueuedControlFrames control frames (PING/SETTINGS ACKs, RST_STREAM) queued for a
 *     peer that does not read (CVE-2019-9512, -9515)
 * @param maxConsecutiveEmptyDataFrames consecutive zero-length DATA frames without END_STREAM
 *     before the connection is closed (CVE-2019-9518)
 * @param maxSmallContinuationFrames small (&lt; 8 KiB) CONTINUATION frames per header block
 *     before GOAWAY(ENHANCE_YOUR_CALM)
 * @param handshakeTimeoutNanos time for the client preface and first SETTINGS to arrive
 * @param keepAliveTimeNanos read inactivity after which the server PINGs the client
 * @param keepAliveTimeoutNanos time a keepalive PING may go unanswered before closing
 * @param permitKeepAliveTimeNanos shortest interval between client PINGs that is not a strike
 *     (grpc doc/keepalive.md)
 * @param permitKeepAliveWithoutCalls whether clients may PING while they have no call open
 * @param maxConnectionIdleNanos time without calls after which a connection is closed
 *     gracefully (gRFC A9)
 * @param maxConnectionAgeNanos age after which a connection is closed gracefully, jittered by
 *     ±10% (gRFC A9)
 * @param maxConnectionAgeGraceNanos time calls get to finish after a max-age GOAWAY
 */
public record ServerLimits(
    int maxResetsReceived,
    int resetsReceivedWindowSeconds,
    int maxResetsProvoked,
    int resetsProvokedWindowSeconds,
    int maxQueuedControlFrames,
    int maxConsecutiveEmptyDataFrames,
    int maxSmallContinuationFrames,
    long handshakeTimeoutNanos,
    long keepAliveTimeNanos,
    long keepAliveTimeoutNanos,
    long permitKeepAliveTimeNanos,
    boolean permitKeepAliveWithoutCalls,
    long maxConnectionIdleNanos,
    long maxConnectionAgeNanos,
    long maxConnectionAgeGraceNanos) {

  /** A duration that never elapses. */
  public static final long NEVER = Long.MAX_VALUE;

  public static Builder builder() {
    return new Builder();
  }

  /** Collects the limits by name; the defaults are TernServer's. Not thread-safe. */
  public static final class Builder {
    private int maxResetsReceived = 1000;
    private int resetsReceivedWindowSeconds = 10;
    private int maxResetsProvoked = 100;
    private int resetsProvokedWindowSeconds = 10;
    private int maxQueuedControlFrames = 10_000;
    private int maxConsecutiveEmptyDataFrames = 2;
    private int maxSmallContinuationFrames = 16;
    private long handshakeTimeoutNanos = TimeUnit.SECONDS.toNanos(10);
    private long keepAliveTimeNanos = TimeUnit.HOURS.toNanos(2);
    private long keepAliveTimeoutNanos = TimeUnit.SECONDS.toNanos(20);
    private long permitKeepAliveTimeNanos = TimeUnit.MINUTES.toNanos(5);
    private boolean permitKeepAliveWithoutCalls;
    private long maxConnectionIdleNanos = TimeUnit.HOURS.toNanos(1);
    private long maxConnectionAgeNanos = NEVER;
    private long maxConnectionAgeGraceNanos = NEVER;

    private Builder() {}

    public Builder resetsReceived(int max, int windowSeconds) {
      this.maxResetsReceived = max;
      this.resetsReceivedWindowSeconds = windowSeconds;
      return this;
    }

    public Builder resetsProvoked(int max, int windowSeconds) {
      this.maxResetsProvoked = max;
      this.resetsProvokedWindowSeconds = windowSeconds;
      return this;
    }

    public Builder maxQueuedControlFrames(int frames) {
      this.maxQueuedControlFrames = frames;
      return this;
    }

    public Builder maxConsecutiveEmptyDataFrames(int frames) {
      this.maxConsecutiveEmptyDataFrames = frames;
      return this;
    }

    public Builder maxSmallContinuationFrames(int frames) {
      this.maxSmallContinuationFrames = frames;
      return this;
    }

    public Builder handshakeTimeoutNanos(long nanos) {
      this.handshakeTimeoutNanos = nanos;
      return this;
    }

    public Builder keepAliveTimeNanos(long nanos) {
      this.keepAliveTimeNanos = nanos;
      return this;
    }

    public Builder keepAliveTimeoutNanos(long nanos) {
      this.keepAliveTimeoutNanos = nanos;
      return this;
    }

    public Builder permitKeepAliveTimeNanos(long nanos) {
      this.permitKeepAliveTimeNanos = nanos;
      return this;
    }

    public Builder permitKeepAliveWithoutCalls(boolean permit) {
      this.permitKeepAliveWithoutCalls = permit;
      return this;
    }

    public Builder maxConnectionIdleNanos(long nanos) {
      this.maxConnectionIdleNanos = nanos;
      return this;
    }

    public Builder maxConnectionAgeNanos(long nanos) {
      this.maxConnectionAgeNanos = nanos;
      return this;
    }

    public Builder maxConnectionAgeGraceNanos(long nanos) {
      this.maxConnectionAgeGraceNanos = nanos;
      return this;
    }

    public ServerLimits build() {
      return new ServerLimits(maxResetsReceived, resetsReceivedWindowSeconds, maxResetsProvoked,
          resetsProvokedWindowSeconds, maxQueuedControlFrames, maxConsecutiveEmptyDataFrames,
          maxSmallContinuationFrames, handshakeTimeoutNanos, keepAliveTimeNanos,
          keepAliveTimeoutNanos, permitKeepAliveTimeNanos, permitKeepAliveWithoutCalls,
          maxConnectionIdleNanos, maxConnectionAgeNanos, maxConnectionAgeGraceNanos);
    }
  }
}
