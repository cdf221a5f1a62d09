package dev.tern.netty.internal;

/**
 * A server's protections against misbehaving peers and its connection-lifetime settings, as set on
 * {@code TernServer.Builder} (where each default is documented). Times are in nanoseconds;
 * {@link #NEVER} disables a timer. Immutable; shared by every connection of a server.
 */
public final class ServerLimits {
  /** A duration that never elapses. */
  public static final long NEVER = Long.MAX_VALUE;

  /** RST_STREAM frames a client may send per window before GOAWAY(ENHANCE_YOUR_CALM). */
  public final int maxResetsReceived;
  /** The window {@link #maxResetsReceived} is counted over, in seconds. */
  public final int resetsReceivedWindowSeconds;
  /** RST_STREAM frames (other than NO_ERROR/CANCEL) a client may provoke per window. */
  public final int maxResetsProvoked;
  /** The window {@link #maxResetsProvoked} is counted over, in seconds. */
  public final int resetsProvokedWindowSeconds;
  /** Control frames (PING/SETTINGS ACKs, RST_STREAM) queued for a peer that does not read. */
  public final int maxQueuedControlFrames;
  /** Consecutive zero-length DATA frames without END_STREAM before the connection is closed. */
  public final int maxConsecutiveEmptyDataFrames;
  /** Small (&lt; 8 KiB) CONTINUATION frames per header block before GOAWAY(ENHANCE_YOUR_CALM). */
  public final int maxSmallContinuationFrames;
  /** Time for the client preface and first SETTINGS to arrive after the connection opens. */
  public final long handshakeTimeoutNanos;
  /** Read inactivity after which the server PINGs the client. */
  public final long keepAliveTimeNanos;
  /** Time a keepalive PING may go unanswered before the connection is closed. */
  public final long keepAliveTimeoutNanos;
  /** Shortest interval between client PINGs that is not a strike (grpc doc/keepalive.md). */
  public final long permitKeepAliveTimeNanos;
  /** Whether clients may PING while they have no call open. */
  public final boolean permitKeepAliveWithoutCalls;
  /** Time without calls after which a connection is closed gracefully (gRFC A9). */
  public final long maxConnectionIdleNanos;
  /** Age after which a connection is closed gracefully, jittered by ±10% (gRFC A9). */
  public final long maxConnectionAgeNanos;
  /** Time calls get to finish after a max-age GOAWAY before the connection is closed. */
  public final long maxConnectionAgeGraceNanos;

  public ServerLimits(int maxResetsReceived, int resetsReceivedWindowSeconds,
      int maxResetsProvoked, int resetsProvokedWindowSeconds,
      int maxQueuedControlFrames, int maxConsecutiveEmptyDataFrames,
      int maxSmallContinuationFrames, long handshakeTimeoutNanos, long keepAliveTimeNanos,
      long keepAliveTimeoutNanos, long permitKeepAliveTimeNanos,
      boolean permitKeepAliveWithoutCalls, long maxConnectionIdleNanos,
      long maxConnectionAgeNanos, long maxConnectionAgeGraceNanos) {
    this.maxResetsReceived = maxResetsReceived;
    this.resetsReceivedWindowSeconds = resetsReceivedWindowSeconds;
    this.maxResetsProvoked = maxResetsProvoked;
    this.resetsProvokedWindowSeconds = resetsProvokedWindowSeconds;
    this.maxQueuedControlFrames = maxQueuedControlFrames;
    this.maxConsecutiveEmptyDataFrames = maxConsecutiveEmptyDataFrames;
    this.maxSmallContinuationFrames = maxSmallContinuationFrames;
    this.handshakeTimeoutNanos = handshakeTimeoutNanos;
    this.keepAliveTimeNanos = keepAliveTimeNanos;
    this.keepAliveTimeoutNanos = keepAliveTimeoutNanos;
    this.permitKeepAliveTimeNanos = permitKeepAliveTimeNanos;
    this.permitKeepAliveWithoutCalls = permitKeepAliveWithoutCalls;
    this.maxConnectionIdleNanos = maxConnectionIdleNanos;
    this.maxConnectionAgeNanos = maxConnectionAgeNanos;
    this.maxConnectionAgeGraceNanos = maxConnectionAgeGraceNanos;
  }
}
