package dev.tern.netty.internal;

import dev.tern.CodecRegistry;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The settings {@link ClientSettings} and {@link ServerSettings} share, collected once by their
 * builders: callback executor, message and header limits, flow control, codecs, send buffer,
 * frame logging. Values are taken as given (the public builders validate them); defaults are the
 * public builders' defaults. Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class TransportSettingsBuilder<B extends TransportSettingsBuilder<B>> {
  /** Null runs callbacks on the event loop. */
  Executor executor;
  int maxInboundMessageSize = 4 << 20;
  int maxOutboundMessageSize = Integer.MAX_VALUE;
  int maxHeaderListSize = 8 << 10;
  int flowControlWindow = 1 << 20;
  /** Not positive: the stream window's size. */
  int connectionFlowControlWindow = -1;
  boolean autoFlowControl = true;
  CodecRegistry codecs = CodecRegistry.getDefault();
  int sendBufferLimit = 1 << 20;
  boolean frameLogging;

  TransportSettingsBuilder() {}

  abstract B self();

  /** Null runs callbacks on the event loop. */
  public B executor(Executor executor) {
    this.executor = executor;
    return self();
  }

  public B maxInboundMessageSize(int bytes) {
    this.maxInboundMessageSize = bytes;
    return self();
  }

  public B maxOutboundMessageSize(int bytes) {
    this.maxOutboundMessageSize = bytes;
    return self();
  }

  public B maxHeaderListSize(int bytes) {
    this.maxHeaderListSize = bytes;
    return self();
  }

  public B flowControlWindow(int bytes) {
    this.flowControlWindow = bytes;
    return self();
  }

  /** The connection window; not positive: the stream window's size. */
  public B connectionFlowControlWindow(int bytes) {
    this.connectionFlowControlWindow = bytes;
    return self();
  }

  public B autoFlowControl(boolean enabled) {
    this.autoFlowControl = enabled;
    return self();
  }

  public B codecs(CodecRegistry codecs) {
    this.codecs = Objects.requireNonNull(codecs, "codecs");
    return self();
  }

  public B sendBufferLimit(int bytes) {
    this.sendBufferLimit = bytes;
    return self();
  }

  /** Whether every frame is logged (FrameLogging) at DEBUG. */
  public B frameLogging(boolean enabled) {
    this.frameLogging = enabled;
    return self();
  }
}
