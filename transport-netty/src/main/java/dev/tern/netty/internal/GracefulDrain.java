package dev.tern.netty.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The graceful shutdown of one server connection (grpc doc/PROTOCOL-HTTP2.md "GOAWAY", gRFC A9),
 * used for server shutdown, max connection age and max connection idle:
 * <ol>
 *   <li>GOAWAY with last-stream-id 2^31-1 and a PING ({@link #DRAIN_PING_DATA}): streams the client
 *       opened before it saw the GOAWAY are still accepted (RFC 9113 §6.8 allows a first GOAWAY
 *       above the true last stream);
 *   <li>once the PING is answered (every such stream has arrived), or after
 *       {@link #DRAIN_PING_TIMEOUT_NANOS}, GOAWAY with the true last stream id; later streams get
 *       RST_STREAM(REFUSED_STREAM): not processed, so the client may retry them (RFC 9113 §8.7);
 *   <li>the connection closes when its last stream ends, or when the grace period passes.
 * </ol>
 *
 * <pre>
 *   OPEN --start--&gt; DRAIN_PINGED --PING ACK or timeout--&gt; FINAL_GOAWAY_SENT --no streams--&gt; CLOSED
 *     \______________________\_______________ grace timer, closeNow, channel inactive ___/
 * </pre>
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class GracefulDrain {
  /** Where a connection is in its shutdown. */
  enum State {
    /** Serving; no GOAWAY sent. */
    OPEN,
    /** GOAWAY(2^31-1) and the drain PING sent; waiting for its ACK. */
    DRAIN_PINGED,
    /** GOAWAY with the true last stream id sent; waiting for the streams to end. */
    FINAL_GOAWAY_SENT,
    /** Closing or closed. */
    CLOSED
  }

  /** Opaque data of the PING that follows the first GOAWAY: "terndra". */
  static final long DRAIN_PING_DATA = 0x7465726e647261L;
  /** How long the drain PING may go unanswered before the final GOAWAY is sent anyway. */
  static final long DRAIN_PING_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** Bound on the time Netty waits for a GOAWAY to be written before closing. */
  static final long CLOSE_TIMEOUT_MILLIS = 1_000;

  private final Http2ConnectionHandler handler;
  private final ChannelHandlerContext ctx;
  private State state = State.OPEN;
  private ScheduledFuture<?> graceTimer;
  private ScheduledFuture<?> pingTimer;
  /** Streams above this id arrived after the final GOAWAY and are refused. */
  private int finalLastStreamId = Integer.MAX_VALUE;

  GracefulDrain(Http2ConnectionHandler handler, ChannelHandlerContext ctx) {
    this.handler = handler;
    this.ctx = ctx;
  }

  State state() {
    return state;
  }

  /** Whether a graceful shutdown has begun (or the connection is closing). */
  boolean isDraining() {
    return state != State.OPEN;
  }

  /**
   * Starts draining (if not yet) and bounds the time calls get to finish by {@code graceNanos}
   * ({@link ServerLimits#NEVER}: no bound; a shorter bound replaces a longer one).
   */
  void start(long graceNanos) {
    if (graceNanos != ServerLimits.NEVER && state != State.CLOSED && ctx.channel().isActive()
        && (graceTimer == null || graceTimer.getDelay(TimeUnit.NANOSECONDS) > graceNanos)) {
      cancel(graceTimer);
      graceTimer = ctx.executor().schedule(() -> closeNow(0), graceNanos, TimeUnit.NANOSECONDS);
    }
    if (state != State.OPEN) {
      return;
    }
    moveTo(State.DRAIN_PINGED);
  }

  /** A PING ACK arrived; true if it was the drain PING's. */
  boolean onPingAck(long data) {
    if (data != DRAIN_PING_DATA) {
      return false;
    }
    if (state == State.DRAIN_PINGED) {
      moveTo(State.FINAL_GOAWAY_SENT);
    }
    return true;
  }

  /** Whether a new stream must be refused: it arrived after the final GOAWAY. */
  boolean refuses(int streamId) {
    return streamId > finalLastStreamId;
  }

  /** The connection's last active stream closed. */
  void onNoActiveStreams() {
    if (state == State.FINAL_GOAWAY_SENT) {
      closeNow(CLOSE_TIMEOUT_MILLIS);
    }
  }

  /** Closes the connection now, cancelling its calls; waits at most {@code millis} for GOAWAY. */
  void closeNow(long millis) {
    if (state != State.CLOSED) {
      moveTo(State.CLOSED);
    }
    handler.gracefulShutdownTimeoutMillis(millis);
    ctx.close();
  }

  /** The channel closed: stop the timers. */
  void channelInactive() {
    if (state != State.CLOSED) {
      moveTo(State.CLOSED);
    }
  }

  /** Every transition, and what it writes. */
  private void moveTo(State next) {
    State previous = state;
    state = next;
    switch (next) {
      case DRAIN_PINGED -> {
        assert previous == State.OPEN : previous;
        if (!ctx.channel().isActive()) {
          return;
        }
        handler.goAway(ctx, Integer.MAX_VALUE, Http2Error.NO_ERROR.code(),
            Unpooled.EMPTY_BUFFER, ctx.newPromise());
        handler.encoder().writePing(ctx, false, DRAIN_PING_DATA, ctx.newPromise());
        ctx.flush();
        pingTimer = ctx.executor().schedule(this::pingTimedOut, DRAIN_PING_TIMEOUT_NANOS,
            TimeUnit.NANOSECONDS);
      }
      case FINAL_GOAWAY_SENT -> {
        assert previous == State.DRAIN_PINGED : previous;
        cancel(pingTimer);
        pingTimer = null;
        finalLastStreamId = handler.connection().remote().lastStreamCreated();
        // Written past Netty's connection state, which keeps the first GOAWAY's 2^31-1: Netty
        // would otherwise drop HEADERS above the last stream id and then fail the whole
        // connection on their DATA. The server refuses such streams explicitly instead
        // (refuses(); RFC 9113 §8.7: REFUSED_STREAM means not processed).
        handler.encoder().frameWriter().writeGoAway(ctx, finalLastStreamId,
            Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
        ctx.flush();
        if (handler.connection().numActiveStreams() == 0) {
          closeNow(CLOSE_TIMEOUT_MILLIS);
        }
      }
      case CLOSED -> {
        cancel(pingTimer);
        cancel(graceTimer);
        pingTimer = null;
        graceTimer = null;
      }
      case OPEN -> throw new IllegalStateException("a drain cannot be undone");
    }
  }

  private void pingTimedOut() {
    pingTimer = null;
    if (state == State.DRAIN_PINGED) {
      moveTo(State.FINAL_GOAWAY_SENT);
    }
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
