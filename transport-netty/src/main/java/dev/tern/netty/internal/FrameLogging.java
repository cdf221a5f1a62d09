package dev.tern.netty.internal;

import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.logging.LogLevel;

/**
 * A connection's frame logger, installed when {@code frameLogging(true)} was set on the builder:
 * Netty's {@link Http2FrameLogger}, writing every frame read and written to the logger
 * {@value #NAME} at DEBUG (FINE in java.util.logging).
 *
 * <p>Thread-safe (Netty's logger is); used on the connection's event loop.
 */
final class FrameLogging extends Http2FrameLogger {
  /** The logger's name, to enable in the logging configuration. */
  static final String NAME = "dev.tern.netty.frames";

  FrameLogging() {
    super(LogLevel.DEBUG, NAME);
  }
}
