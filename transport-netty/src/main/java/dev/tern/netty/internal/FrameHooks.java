package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.logging.LogLevel;

/**
 * Sees every frame of a server connection as it is read or written, before Netty's connection
 * decoder acts on it. Netty offers this position only to frame loggers, so this is one; it logs
 * nothing.
 *
 * <p>Inbound, it enforces the stream-state rules Netty's decoder relaxes, because it cannot tell a
 * stream that never existed from one that closed (RFC 9113):
 * <ul>
 *   <li>§5.1.1: a HEADERS frame opening a stream with a lower identifier than one the client
 *       already opened is a connection error of type PROTOCOL_ERROR (Netty: stream error).
 *   <li>§5.1 "half-closed (remote)": HEADERS after the client's END_STREAM is a stream error of
 *       type STREAM_CLOSED (Netty: PROTOCOL_ERROR).
 *   <li>§5.1 "closed": HEADERS or DATA on a stream that closed after END_STREAM in both directions
 *       (no RST_STREAM) is a connection error of type STREAM_CLOSED (Netty: stream error).
 * </ul>
 * To do so it remembers the last {@value #WINDOW} client stream identifiers: whether each was
 * opened, and whether it closed cleanly. Frames for older identifiers get Netty's answer.
 *
 * <p>Outbound, it reports HEADERS and DATA to the connection's keepalive enforcer (PINGs that
 * follow them are fair, grpc doc/keepalive.md).
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class FrameHooks extends Http2FrameLogger {
  /** Client stream identifiers remembered (a power of two). */
  static final int WINDOW = 4096;
  private static final int WORDS = WINDOW / 64;

  private final Http2Connection connection;
  private final long[] opened = new long[WORDS];
  private final long[] reset = new long[WORDS];
  private final long[] closedCleanly = new long[WORDS];
  // Index (stream id / 2) of the highest client stream opened; -1 before the first.
  private int highest = -1;
  private Runnable outboundHeadersOrData = () -> { };

  FrameHooks(Http2Connection connection) {
    super(LogLevel.TRACE);
    this.connection = connection;
    connection.addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamClosed(Http2Stream stream) {
        if (!connection.local().isValidStreamId(stream.id())) {
          int index = stream.id() >>> 1;
          if (inWindow(index) && !stream.isResetSent() && !get(reset, index)) {
            set(closedCleanly, index);
          }
        }
      }
    });
  }

  /** Runs {@code hook} whenever a HEADERS or DATA frame is written. */
  void onOutboundHeadersOrData(Runnable hook) {
    this.outboundHeadersOrData = hook;
  }

  @Override
  public boolean isEnabled() {
    return false;
  }

  @Override
  public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId,
      Http2Headers headers, int padding, boolean endStream) {
    onHeaders(direction, streamId);
  }

  @Override
  public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId,
      Http2Headers headers, int streamDependency, short weight, boolean exclusive, int padding,
      boolean endStream) {
    onHeaders(direction, streamId);
  }

  @Override
  public void logData(Direction direction, ChannelHandlerContext ctx, int streamId, ByteBuf data,
      int padding, boolean endStream) {
    if (direction == Direction.OUTBOUND) {
      outboundHeadersOrData.run();
      return;
    }
    if (connection.stream(streamId) == null && isClientStream(streamId)) {
      // Only connection errors here: a stream error would skip Netty's flow-control accounting.
      checkUnknownStream(streamId, "DATA");
    }
  }

  @Override
  public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId,
      long errorCode) {
    if (isClientStream(streamId)) {
      int index = streamId >>> 1;
      if (inWindow(index)) {
        set(reset, index);
      }
    }
  }

  private void onHeaders(Direction direction, int streamId) {
    if (direction == Direction.OUTBOUND) {
      outboundHeadersOrData.run();
      return;
    }
    if (!isClientStream(streamId)) {
      return;
    }
    Http2Stream stream = connection.stream(streamId);
    if (stream != null) {
      Http2Stream.State state = stream.state();
      if ((state == Http2Stream.State.HALF_CLOSED_REMOTE || state == Http2Stream.State.CLOSED)
          && !stream.isResetSent()) {
        throw sneaky(Http2Exception.streamError(streamId, Http2Error.STREAM_CLOSED,
            "HEADERS on stream %d after its END_STREAM (RFC 9113 §5.1, half-closed (remote))",
            streamId));
      }
      return;
    }
    int index = streamId >>> 1;
    if (index > highest) {
      // Opens a new stream (Netty validates the rest).
      advanceTo(index);
      set(opened, index);
      return;
    }
    checkUnknownStream(streamId, "HEADERS");
  }

  /** A frame for a client stream id at or below the highest opened, not currently open. */
  private void checkUnknownStream(int streamId, String frame) {
    int index = streamId >>> 1;
    if (index > highest || !inWindow(index)) {
      return;
    }
    if (connection.goAwaySent() && streamId > connection.remote().lastStreamKnownByPeer()) {
      // Netty ignores frames for streams above our GOAWAY's last-stream-id, as RFC 9113 §6.8 asks.
      return;
    }
    if (!get(opened, index)) {
      throw sneaky(Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
          "%s for stream %d, lower than stream %d already opened (RFC 9113 §5.1.1)",
          frame, streamId, highest * 2 + 1));
    }
    if (get(closedCleanly, index)) {
      throw sneaky(Http2Exception.connectionError(Http2Error.STREAM_CLOSED,
          "%s for stream %d, closed after END_STREAM (RFC 9113 §5.1, closed)", frame, streamId));
    }
  }

  private boolean isClientStream(int streamId) {
    return streamId > 0 && (streamId & 1) == 1 && connection.isServer();
  }

  private boolean inWindow(int index) {
    return index <= highest && index > highest - WINDOW;
  }

  private void advanceTo(int index) {
    // Forget the slots the window slides over, at most WINDOW of them.
    int from = Math.max(highest + 1, index - WINDOW + 1);
    for (int i = from; i <= index; i++) {
      clear(opened, i);
      clear(reset, i);
      clear(closedCleanly, i);
    }
    highest = index;
  }

  private static boolean get(long[] bits, int index) {
    int slot = index & (WINDOW - 1);
    return (bits[slot >>> 6] & (1L << (slot & 63))) != 0;
  }

  private static void set(long[] bits, int index) {
    int slot = index & (WINDOW - 1);
    bits[slot >>> 6] |= 1L << (slot & 63);
  }

  private static void clear(long[] bits, int index) {
    int slot = index & (WINDOW - 1);
    bits[slot >>> 6] &= ~(1L << (slot & 63));
  }

  /**
   * Throws a checked {@link Http2Exception} through the logger's unchecked signature. Netty's frame
   * reader and connection handler treat it exactly as one thrown by the decoder itself: a stream
   * error resets the stream and reading continues; a connection error sends GOAWAY.
   */
  private static RuntimeException sneaky(Http2Exception e) {
    FrameHooks.<RuntimeException>throwUnchecked(e);
    throw new AssertionError("unreachable");
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void throwUnchecked(Throwable e) throws E {
    throw (E) e;
  }
}
