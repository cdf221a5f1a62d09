package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.logging.LogLevel;

/**
 * A connection's frame logger: Netty's {@link Http2FrameLogger}, writing every frame read and
 * written to the logger {@value #NAME} at DEBUG (FINE in java.util.logging) when
 * {@code frameLogging(true)} was set on the builder, and silent otherwise.
 *
 * <p>It also tells the server whenever HEADERS or DATA is written: a client may PING in reply
 * (grpc doc/keepalive.md), so those frames reset the keepalive enforcer's strikes. That must
 * happen as each frame leaves, not when a message is queued (a large message leaves in many
 * frames, each inviting a BDP PING), and Netty's outbound frame logger is the one place that
 * sees each frame written after flow control.
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class FrameLogging extends Http2FrameLogger {
  /** The logger's name, to enable in the logging configuration. */
  static final String NAME = "dev.tern.netty.frames";

  private final boolean enabled;
  private final Runnable headersOrDataWritten;

  /**
   * {@code enabled}: whether frames are logged; {@code headersOrDataWritten} runs for each HEADERS
   * or DATA frame written.
   */
  FrameLogging(boolean enabled, Runnable headersOrDataWritten) {
    super(LogLevel.DEBUG, NAME);
    this.enabled = enabled;
    this.headersOrDataWritten = headersOrDataWritten;
  }

  @Override
  public boolean isEnabled() {
    return enabled && super.isEnabled();
  }

  @Override
  public void logData(Direction direction, ChannelHandlerContext ctx, int streamId, ByteBuf data,
      int padding, boolean endStream) {
    if (direction == Direction.OUTBOUND) {
      headersOrDataWritten.run();
    }
    super.logData(direction, ctx, streamId, data, padding, endStream);
  }

  @Override
  public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId,
      Http2Headers headers, int padding, boolean endStream) {
    if (direction == Direction.OUTBOUND) {
      headersOrDataWritten.run();
    }
    super.logHeaders(direction, ctx, streamId, headers, padding, endStream);
  }

  @Override
  public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId,
      Http2Headers headers, int streamDependency, short weight, boolean exclusive, int padding,
      boolean endStream) {
    if (direction == Direction.OUTBOUND) {
      headersOrDataWritten.run();
    }
    super.logHeaders(direction, ctx, streamId, headers, streamDependency, weight, exclusive,
        padding, endStream);
  }

  @Override
  public void logSettingsAck(Direction direction, ChannelHandlerContext ctx) {
    // Netty logs this one without asking isEnabled(): a connection without frame logging
    // would still log its SETTINGS ACKs.
    if (isEnabled()) {
      super.logSettingsAck(direction, ctx);
    }
  }
}
