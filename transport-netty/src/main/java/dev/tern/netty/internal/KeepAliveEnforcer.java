package dev.tern.netty.internal;

/**
 * Judges the PINGs a client sends, as grpc doc/keepalive.md describes for servers: a PING that
 * comes sooner than {@code permitKeepAliveTime} after the last acceptable one (or sooner than two
 * hours while the client has no call open, unless {@code permitKeepAliveWithoutCalls}) is a
 * strike; the strikes reset whenever the server sends HEADERS or DATA, since a client may PING to
 * measure what it just received. Past {@link #MAX_PING_STRIKES} strikes the server answers
 * GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings").
 *
 * <p>Not thread-safe: owned by one connection's event loop.
 */
final class KeepAliveEnforcer {
  /** Strikes tolerated; the next bad PING ends the connection (gRPC core's default of 2). */
  static final int MAX_PING_STRIKES = 2;
  /** Without calls, a PING is acceptable only this long after the last (grpc-java's rule). */
  static final long IMPLICIT_PERMIT_NANOS = 2L * 60 * 60 * 1_000_000_000L;

  private final boolean permitWithoutCalls;
  private final long minTimeNanos;
  private boolean anyValidPing;
  private long lastValidPingNanos;
  private int strikes;

  KeepAliveEnforcer(boolean permitWithoutCalls, long minTimeNanos) {
    this.permitWithoutCalls = permitWithoutCalls;
    this.minTimeNanos = minTimeNanos;
  }

  /** Counts a received PING; false once the client has used up its strikes. */
  boolean pingAcceptable(long nowNanos, boolean hasCalls) {
    long interval = !hasCalls && !permitWithoutCalls
        ? Math.max(IMPLICIT_PERMIT_NANOS, minTimeNanos)
        : minTimeNanos;
    if (!anyValidPing || nowNanos - lastValidPingNanos >= interval) {
      anyValidPing = true;
      lastValidPingNanos = nowNanos;
      return true;
    }
    strikes++;
    return strikes <= MAX_PING_STRIKES;
  }

  /** The server sent HEADERS or DATA: PINGs in reply to it are fair. */
  void resetCounters() {
    anyValidPing = false;
    strikes = 0;
  }
}
