package dev.tern.netty.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import java.io.IOException;

/**
 * What the client's and the server's connection handlers both do, once: hand work to the event
 * loop and flush it through the HTTP/2 handler, return consumed bytes to the stream and connection
 * windows (with BDP estimation, see {@link BdpEstimator}), run the keepalive pinger, and close the
 * connection when the peer has gone away. Each handler owns one and delegates to it.
 *
 * <p>Thread rule: {@link #runOnEventLoop} may be called from any thread; everything else runs on
 * the connection's event loop.
 */
final class ConnectionSupport {
  private final Http2ConnectionHandler handler;
  /** Grows the receive windows to the connection's BDP; null when auto flow control is off. */
  private final BdpEstimator bdp;
  private volatile ChannelHandlerContext ctx;
  private KeepAlivePinger keepAlivePinger;

  ConnectionSupport(Http2ConnectionHandler handler, boolean autoFlowControl, int window) {
    this.handler = handler;
    this.bdp = autoFlowControl
        ? new BdpEstimator(window, BdpEstimator.DEFAULT_MAX_WINDOW, System::nanoTime)
        : null;
  }

  /** The handler joined its pipeline. */
  void attach(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  /** Runs {@code task} on the event loop, inline if already there. Thread-safe. */
  void runOnEventLoop(Runnable task) {
    ChannelHandlerContext c = ctx;
    if (c.executor().inEventLoop()) {
      // Inside a read or a write-queue drain, which flush when they end.
      task.run();
    } else {
      c.executor().execute(() -> {
        task.run();
        // The HTTP/2 handler's flush, not ctx.flush(): it first writes what the flow controller
        // holds (DATA and trailers queued behind the window), which ctx.flush() would skip.
        handler.flush(c);
      });
    }
  }

  /** DATA of {@code bytes} (with padding) arrived: the BDP estimator may PING. */
  void dataRead(int bytes) {
    if (bdp != null) {
      bdp.onDataRead(handler, ctx, bytes);
    }
  }

  /** A PING ACK arrived; true if it was the BDP estimator's (and so nobody else's). */
  boolean bdpPingAcked(long data) throws Http2Exception {
    return bdp != null && bdp.onPingAck(handler, ctx, data);
  }

  /**
   * Returns flow-control credit for bytes the application consumed (RFC 9113 §6.9): a
   * WINDOW_UPDATE is flushed at once, since a read-complete or write-queue flush may be far away.
   */
  void returnBytes(Http2Stream stream, int bytes) {
    try {
      if (bdp != null) {
        bdp.bytesConsumed(bytes);
      }
      if (handler.decoder().flowController().consumeBytes(stream, bytes)) {
        ctx.flush();
      }
    } catch (Http2Exception e) {
      handler.onError(ctx, true, e);
    }
  }

  /**
   * Starts keepalive PINGs (grpc doc/keepalive.md) after {@code timeNanos} without reads;
   * {@code timedOut} runs if one goes unanswered for {@code timeoutNanos}.
   */
  void startKeepAlive(long timeNanos, long timeoutNanos, boolean withoutCalls,
      Runnable timedOut) {
    keepAlivePinger = new KeepAlivePinger(ctx.executor(), new KeepAlivePinger.Connection() {
      @Override
      public void sendPing(long data) {
        handler.encoder().writePing(ctx, false, data, ctx.newPromise());
        ctx.flush();
      }

      @Override
      public boolean hasOpenStreams() {
        return handler.connection().numActiveStreams() > 0;
      }

      @Override
      public void pingTimedOut() {
        timedOut.run();
      }
    }, timeNanos, timeoutNanos, withoutCalls);
    keepAlivePinger.start();
  }

  /** Something was read: the peer is alive. Called for every read. */
  void onRead() {
    if (keepAlivePinger != null) {
      keepAlivePinger.onRead();
    }
  }

  /** A stream became active: a dormant pinger wakes up. */
  void onStreamActive() {
    if (keepAlivePinger != null) {
      keepAlivePinger.onStreamOpened();
    }
  }

  /** The connection closed: no more timers. */
  void stop() {
    if (keepAlivePinger != null) {
      keepAlivePinger.stop();
    }
  }

  /**
   * Closes the connection if {@code cause} says the peer went away (reset, broken pipe): its calls
   * fail as it closes. Returns whether it did; other errors go to Netty's handling.
   */
  boolean closedOnPeerGone(Throwable cause) {
    if (cause instanceof IOException) {
      ctx.close();
      return true;
    }
    return false;
  }

  /** Closes the connection now, failing its streams; waits at most {@code millis} for GOAWAY. */
  void closeNow(long millis) {
    handler.gracefulShutdownTimeoutMillis(millis);
    ctx.close();
  }
}
