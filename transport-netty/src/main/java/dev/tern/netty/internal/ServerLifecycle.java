package dev.tern.netty.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The timers that bound a server connection's life: the handshake timeout (preface and first
 * SETTINGS), keepalive PINGs, max connection idle and max connection age (gRFC A9). Idle and age
 * end in a {@link GracefulDrain}; a missed handshake or keepalive closes at once.
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class ServerLifecycle {
  /** gRFC A9: max connection age is jittered by ±10%, spreading reconnections. */
  static final double MAX_AGE_JITTER = 0.1;

  private final ServerLimits limits;
  private final ConnectionSupport support;
  private final GracefulDrain drain;
  private final ChannelHandlerContext ctx;
  private final ActiveStreams activeStreams;
  private ScheduledFuture<?> handshakeTimer;
  private ScheduledFuture<?> idleTimer;
  private ScheduledFuture<?> ageTimer;
  private boolean handshakeDone;
  /** When the connection last had no stream open, on the event loop's ticker. */
  private long idleSinceNanos;

  /** How many streams the connection has open now. */
  interface ActiveStreams {
    int count();
  }

  ServerLifecycle(ServerLimits limits, ConnectionSupport support, GracefulDrain drain,
      ChannelHandlerContext ctx, ActiveStreams activeStreams) {
    this.limits = limits;
    this.support = support;
    this.drain = drain;
    this.ctx = ctx;
    this.activeStreams = activeStreams;
  }

  /** Starts the timers; the handler was added to its pipeline. */
  void start() {
    if (limits.handshakeTimeoutNanos() != ServerLimits.NEVER) {
      handshakeTimer = schedule(this::handshakeTimedOut, limits.handshakeTimeoutNanos());
    }
    if (limits.maxConnectionAgeNanos() != ServerLimits.NEVER) {
      long age = limits.maxConnectionAgeNanos();
      long jitter = (long) (age * MAX_AGE_JITTER
          * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
      ageTimer = schedule(this::maxAgeReached, Math.max(0, age + jitter));
    }
    idleSinceNanos = ctx.executor().ticker().nanoTime();
    scheduleIdleTimer(limits.maxConnectionIdleNanos());
    if (limits.keepAliveTimeNanos() != ServerLimits.NEVER) {
      // A server pings only while calls are open (grpc-java's default): idle connections are
      // max-idle's business.
      support.startKeepAlive(limits.keepAliveTimeNanos(), limits.keepAliveTimeoutNanos(), true,
          () -> drain.closeNow(0));
    }
  }

  /** The client's first SETTINGS arrived (Netty rejects anything else first). */
  void onSettingsRead() {
    if (!handshakeDone) {
      handshakeDone = true;
      cancel(handshakeTimer);
      handshakeTimer = null;
    }
  }

  /**
   * A stream opened: the connection is not idle. The idle timer stays: when it fires it finds the
   * stream, and the connection's next idle period arms it again (gRFC A9's max idle, timed as
   * grpc-java's MaxConnectionIdleManager does), so a busy connection does not schedule and cancel
   * a timer per call.
   */
  void onStreamActive() {
    support.onStreamActive();
  }

  /** The connection's last active stream closed. */
  void onNoActiveStreams() {
    if (drain.isDraining()) {
      drain.onNoActiveStreams();
    } else {
      idleSinceNanos = ctx.executor().ticker().nanoTime();
      scheduleIdleTimer(limits.maxConnectionIdleNanos());
    }
  }

  /** A graceful shutdown began: idle and age have nothing left to do. */
  void onDrainStarted() {
    cancel(idleTimer);
    idleTimer = null;
    cancel(ageTimer);
    ageTimer = null;
  }

  /** The channel closed. */
  void stop() {
    cancel(handshakeTimer);
    cancel(idleTimer);
    cancel(ageTimer);
    support.stop();
  }

  /** Arms the idle timer to fire in {@code delayNanos}, unless it is armed or not needed. */
  private void scheduleIdleTimer(long delayNanos) {
    if (limits.maxConnectionIdleNanos() == ServerLimits.NEVER || idleTimer != null
        || drain.isDraining()) {
      return;
    }
    idleTimer = schedule(this::idleTimerFired, delayNanos);
  }

  private void idleTimerFired() {
    idleTimer = null;
    if (activeStreams.count() > 0 || drain.isDraining()) {
      return; // armed again when the last stream closes
    }
    long left = limits.maxConnectionIdleNanos()
        - (ctx.executor().ticker().nanoTime() - idleSinceNanos);
    if (left > 0) {
      scheduleIdleTimer(left); // busy since the timer was armed: idle counts from the last call
    } else {
      startDrain(ServerLimits.NEVER);
    }
  }

  private void maxAgeReached() {
    ageTimer = null;
    startDrain(limits.maxConnectionAgeGraceNanos());
  }

  /** Starts a graceful shutdown bounded by {@code graceNanos}. */
  void startDrain(long graceNanos) {
    boolean first = !drain.isDraining();
    drain.start(graceNanos);
    if (first) {
      onDrainStarted();
    }
  }

  private void handshakeTimedOut() {
    handshakeTimer = null;
    if (!handshakeDone) {
      // No preface and SETTINGS in time: nothing to say to such a peer.
      drain.closeNow(0);
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    return ctx.executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
