package dev.tern.netty.internal;

import dev.tern.CodecRegistry;
import java.util.concurrent.Executor;

/** A channel's settings as its connections and calls need them. Immutable. */
public final class ClientSettings {
  public final String authority;
  public final String userAgent;
  /** Executor for listener callbacks; null runs them on the event loop. */
  public final Executor executor;
  public final int maxInboundMessageSize;
  public final int maxOutboundMessageSize;
  public final int maxHeaderListSize;
  public final int flowControlWindow;
  /** Message encodings the channel decodes and may send with. */
  public final CodecRegistry codecs;
  /** Bytes a call may have waiting to be written before sendMessage waits (see SendBuffer). */
  public final int sendBufferLimit;
  /** The connection's receive window (RFC 9113 §6.9.2), opened right after the preface. */
  public final int connectionFlowControlWindow;
  /** Whether BDP estimation grows the windows (see BdpEstimator). */
  public final boolean autoFlowControl;
  /** Request bytes a call keeps to replay it on another connection (transparent retry). */
  public final long replayBufferLimit;
  /** Whether every frame is logged (FrameLogging) at DEBUG. */
  public final boolean frameLogging;

  public ClientSettings(String authority, String userAgent, Executor executor,
      int maxInboundMessageSize, int maxOutboundMessageSize, int maxHeaderListSize,
      int flowControlWindow, CodecRegistry codecs, int sendBufferLimit,
      int connectionFlowControlWindow, boolean autoFlowControl, long replayBufferLimit) {
    this(authority, userAgent, executor, maxInboundMessageSize, maxOutboundMessageSize,
        maxHeaderListSize, flowControlWindow, codecs, sendBufferLimit,
        connectionFlowControlWindow, autoFlowControl, replayBufferLimit, false);
  }

  public ClientSettings(String authority, String userAgent, Executor executor,
      int maxInboundMessageSize, int maxOutboundMessageSize, int maxHeaderListSize,
      int flowControlWindow, CodecRegistry codecs, int sendBufferLimit,
      int connectionFlowControlWindow, boolean autoFlowControl, long replayBufferLimit,
      boolean frameLogging) {
    this.authority = authority;
    this.userAgent = userAgent;
    this.executor = executor;
    this.maxInboundMessageSize = maxInboundMessageSize;
    this.maxOutboundMessageSize = maxOutboundMessageSize;
    this.maxHeaderListSize = maxHeaderListSize;
    this.flowControlWindow = flowControlWindow;
    this.codecs = codecs;
    this.sendBufferLimit = sendBufferLimit;
    this.connectionFlowControlWindow = connectionFlowControlWindow;
    this.autoFlowControl = autoFlowControl;
    this.replayBufferLimit = replayBufferLimit;
    this.frameLogging = frameLogging;
  }
}
