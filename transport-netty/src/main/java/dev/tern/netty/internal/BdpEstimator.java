package dev.tern.netty.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.function.LongSupplier;

/**
 * Grows a connection's receive windows to its bandwidth-delay product, the way gRPC's
 * implementations do (grpc-go's bdpEstimator, grpc-java's flow-control pinger): when DATA
 * arrives and no estimate is under way, send a PING; the bytes taken in until its ACK are one
 * round trip's worth. If that sample fills at least two thirds of the window while the
 * bandwidth is still rising, the window is the bottleneck: set it (stream and connection) to
 * twice the sample, up to {@code maxWindow}, announcing the stream window in SETTINGS.
 *
 * <p>One difference: the sample counts the bytes the <em>application consumed</em> (the credit
 * Tern returns as messages are delivered), not the bytes received. On a fast link the two are
 * the same; for a reader that stopped requesting they differ, and counting received bytes would
 * keep doubling the window of a stalled call (its own unread data filling each new window) up to
 * the maximum. So a stalled reader keeps its configured window, and only a connection that
 * actually drains data faster than the window allows gets a bigger one.
 *
 * <p>Not thread-safe: owned by one connection's event loop.
 */
final class BdpEstimator {
  /** PING payload of BDP estimates ("tern-bdp"), told apart from keepalive PINGs. */
  static final long PING_DATA = 0x7465726e2d626470L;
  /** The largest window BDP estimation sets: 8 MiB, as grpc-java. */
  static final int DEFAULT_MAX_WINDOW = 8 << 20;

  private final int maxWindow;
  private final LongSupplier nanoClock;
  private int window;
  private boolean pinging;
  /** Bytes received since the last estimate ended (see {@link #dataReceived(int)}). */
  private long receivedSinceSample;
  private long pingSentNanos;
  private long sample;
  private double maxBandwidth;

  BdpEstimator(int initialWindow, int maxWindow, LongSupplier nanoClock) {
    this.window = initialWindow;
    this.maxWindow = Math.max(initialWindow, maxWindow);
    this.nanoClock = nanoClock;
  }

  /** The current stream window. */
  int window() {
    return window;
  }

  /** DATA arrived; returns whether to send a BDP PING now (one at a time). */
  boolean dataReceived() {
    return dataReceived(Integer.MAX_VALUE);
  }

  /**
   * {@code bytes} of DATA arrived; returns whether to send a BDP PING now. A new estimate starts
   * only once an eighth of the window has arrived since the last one: a sample must reach two
   * thirds of the window to grow it, so with less traffic the PING round trip (a wake-up and a
   * write on both sides, on every small call otherwise) could never change anything.
   */
  boolean dataReceived(int bytes) {
    if (pinging) {
      return false;
    }
    receivedSinceSample += bytes;
    if (receivedSinceSample < window / 8) {
      return false;
    }
    receivedSinceSample = 0;
    pinging = true;
    pingSentNanos = nanoClock.getAsLong();
    sample = 0;
    return true;
  }

  /** The application consumed {@code bytes}: they count towards the current sample. */
  void bytesConsumed(int bytes) {
    if (pinging) {
      sample += bytes;
    }
  }

  /** The BDP PING was acknowledged; returns the new window, or 0 to keep the current one. */
  int pingAcked() {
    if (!pinging) {
      return 0;
    }
    pinging = false;
    long rtt = Math.max(1, nanoClock.getAsLong() - pingSentNanos);
    double bandwidth = (double) sample / rtt;
    if (window >= maxWindow || sample * 3 < window * 2L || bandwidth <= maxBandwidth) {
      return 0;
    }
    maxBandwidth = bandwidth;
    int target = (int) Math.min(maxWindow, sample * 2);
    if (target <= window) {
      return 0;
    }
    window = target;
    return target;
  }

  // ---------------------------------------------------------------- Netty glue

  /** Sends a BDP PING if one is due; call from onDataRead (the read's end flushes it). */
  void onDataRead(Http2ConnectionHandler handler, ChannelHandlerContext ctx, int bytes) {
    if (dataReceived(bytes)) {
      handler.encoder().writePing(ctx, false, PING_DATA, ctx.newPromise());
    }
  }

  /**
   * Handles a PING ACK; returns whether it answered a BDP PING. Grows the windows if the
   * estimate says so: the local flow controller first (the peer may use the new window as soon
   * as it reads the SETTINGS, before this side sees the ACK), then SETTINGS for the streams and
   * WINDOW_UPDATE for the connection.
   */
  boolean onPingAck(Http2ConnectionHandler handler, ChannelHandlerContext ctx, long data)
      throws Http2Exception {
    if (data != PING_DATA) {
      return false;
    }
    int target = pingAcked();
    if (target > 0) {
      Http2LocalFlowController flow = handler.decoder().flowController();
      Http2Stream connection = handler.connection().connectionStream();
      int connectionWindow = flow.initialWindowSize(connection);
      if (target > connectionWindow) {
        flow.incrementWindowSize(connection, target - connectionWindow);
      }
      flow.initialWindowSize(target);
      handler.encoder().writeSettings(ctx, new Http2Settings().initialWindowSize(target),
          ctx.newPromise());
      ctx.flush();
    }
    return true;
  }
}
