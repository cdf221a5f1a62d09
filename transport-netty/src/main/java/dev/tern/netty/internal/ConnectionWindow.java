package dev.tern.netty.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Opens a connection's receive window to the configured flow-control window.
 *
 * <p>SETTINGS_INITIAL_WINDOW_SIZE only sizes stream windows; the connection window starts at
 * 65,535 bytes and grows only by WINDOW_UPDATE on stream 0 (RFC 9113 §6.9.2). Left there, every
 * stream of a connection would share 64 KiB in flight per round trip however large the stream
 * windows are, so each side sends one WINDOW_UPDATE right after its preface (as grpc-java does).
 *
 * <p>Stateless; call on the connection's event loop.
 */
final class ConnectionWindow {
  private ConnectionWindow() {}

  /** {@link #open(Http2ConnectionHandler, ChannelHandlerContext, int, boolean)}, flushing. */
  static boolean open(Http2ConnectionHandler handler, ChannelHandlerContext ctx, int window)
      throws Http2Exception {
    return open(handler, ctx, window, true);
  }

  /**
   * Raises the connection window to {@code window} if it is smaller and the preface is out;
   * returns whether the window now has its final size (so the caller need not call again).
   * {@code flush}: flush the WINDOW_UPDATE now; false when a flush is known to follow (the
   * read-complete flush of the read being handled).
   */
  static boolean open(Http2ConnectionHandler handler, ChannelHandlerContext ctx, int window,
      boolean flush) throws Http2Exception {
    if (!ctx.channel().isActive()) {
      // The preface (SETTINGS) must be the first frame; it goes out once the channel is active.
      return false;
    }
    Http2LocalFlowController flow = handler.decoder().flowController();
    Http2Stream connectionStream = handler.connection().connectionStream();
    int delta = window - flow.initialWindowSize(connectionStream);
    if (delta > 0) {
      flow.incrementWindowSize(connectionStream, delta);
      if (flush) {
        ctx.flush();
      }
    }
    return true;
  }
}
