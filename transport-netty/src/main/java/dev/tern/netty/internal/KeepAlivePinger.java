package dev.tern.netty.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * Keepalive for one HTTP/2 connection (gRFC A8, grpc doc/keepalive.md): after {@code time} without
 * reading anything it sends a PING, and if nothing at all is read within {@code timeout} of it the
 * connection is declared dead. Anything read counts as a sign of life, not only the PING ACK.
 * Without {@code withoutCalls}, it stays quiet while the connection has no open stream.
 *
 * <p>Time is the event loop's {@link EventExecutor#ticker() ticker}, the clock its timers run on:
 * System.nanoTime in production, a mock ticker on a test's EmbeddedChannel.
 *
 * <p>Not thread-safe: every method runs on the connection's event loop.
 */
final class KeepAlivePinger {
  /** Opaque data of keepalive PINGs, told apart from other PINGs' ACKs. */
  static final long PING_DATA = 0x7465726e6b61L; // "ternka"

  /** What the pinger needs from its connection. */
  interface Connection {
    void sendPing(long data);

    boolean hasOpenStreams();

    /** No sign of life within the timeout: close the connection. */
    void pingTimedOut();
  }

  private final EventExecutor loop;
  private final Ticker ticker;
  private final Connection connection;
  private final long timeNanos;
  private final long timeoutNanos;
  private final boolean withoutCalls;
  private long lastReadNanos;
  private long pingSentNanos;
  private boolean pingOutstanding;
  private boolean dormant;
  private boolean stopped;
  private ScheduledFuture<?> timer;

  KeepAlivePinger(EventExecutor loop, Connection connection, long timeNanos, long timeoutNanos,
      boolean withoutCalls) {
    this.loop = loop;
    this.ticker = loop.ticker();
    this.connection = connection;
    this.timeNanos = timeNanos;
    this.timeoutNanos = timeoutNanos;
    this.withoutCalls = withoutCalls;
  }

  void start() {
    lastReadNanos = ticker.nanoTime();
    schedule(timeNanos);
  }

  /** Something was read from the peer. Cheap: called for every read. */
  void onRead() {
    lastReadNanos = ticker.nanoTime();
    if (pingOutstanding && !stopped) {
      // The peer is alive: the next PING is due a keepalive time from now, not at the timeout.
      pingOutstanding = false;
      if (timer != null) {
        timer.cancel(false);
      }
      schedule(timeNanos);
    }
  }

  /** A stream opened: a dormant pinger (no calls, no pings without calls) wakes up. */
  void onStreamOpened() {
    if (dormant && !stopped) {
      dormant = false;
      schedule(Math.max(0, lastReadNanos + timeNanos - ticker.nanoTime()));
    }
  }

  void stop() {
    stopped = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void schedule(long delayNanos) {
    timer = loop.schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void fire() {
    timer = null;
    if (stopped) {
      return;
    }
    long now = ticker.nanoTime();
    if (pingOutstanding) {
      pingOutstanding = false;
      if (lastReadNanos - pingSentNanos < 0) {
        // Nothing at all arrived since the PING went out.
        stopped = true;
        connection.pingTimedOut();
        return;
      }
    }
    long idle = now - lastReadNanos;
    if (idle < timeNanos) {
      schedule(timeNanos - idle);
      return;
    }
    if (!withoutCalls && !connection.hasOpenStreams()) {
      dormant = true;
      return;
    }
    pingOutstanding = true;
    pingSentNanos = now;
    connection.sendPing(PING_DATA);
    schedule(timeoutNanos);
  }
}
