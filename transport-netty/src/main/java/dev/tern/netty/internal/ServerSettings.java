package dev.tern.netty.internal;

import dev.tern.CodecRegistry;
import dev.tern.ServerMethodDefinition;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * What a server's connections need from its builder: the method registry and the limits.
 * Immutable after construction; shared by every connection of a server.
 */
public final class ServerSettings {
  /** Methods keyed by HTTP/2 {@code :path} ({@code /package.Service/Method}). */
  public final Map<String, ServerMethodDefinition<?, ?>> methodsByPath;
  /** Executor for application callbacks; null runs them on the event loop. */
  public final Executor executor;
  public final int maxInboundMessageSize;
  public final int maxOutboundMessageSize;
  public final int maxHeaderListSize;
  public final int maxConcurrentStreams;
  public final int flowControlWindow;
  /** Message encodings the server decodes and may respond with. */
  public final CodecRegistry codecs;
  /** Bytes a call may have waiting to be written before sendMessage waits (see SendBuffer). */
  public final int sendBufferLimit;
  /** Protections against abusive peers and connection-lifetime settings. */
  public final ServerLimits limits;
  /** The connection's receive window (RFC 9113 §6.9.2), opened right after the preface. */
  public final int connectionFlowControlWindow;
  /** Whether BDP estimation grows the windows (see BdpEstimator). */
  public final boolean autoFlowControl;

  public ServerSettings(Map<String, ServerMethodDefinition<?, ?>> methodsByPath, Executor executor,
      int maxInboundMessageSize, int maxOutboundMessageSize, int maxHeaderListSize,
      int maxConcurrentStreams, int flowControlWindow, CodecRegistry codecs,
      int sendBufferLimit, ServerLimits limits, int connectionFlowControlWindow,
      boolean autoFlowControl) {
    this.methodsByPath = Map.copyOf(methodsByPath);
    this.executor = executor;
    this.maxInboundMessageSize = maxInboundMessageSize;
    this.maxOutboundMessageSize = maxOutboundMessageSize;
    this.maxHeaderListSize = maxHeaderListSize;
    this.maxConcurrentStreams = maxConcurrentStreams;
    this.flowControlWindow = flowControlWindow;
    this.codecs = codecs;
    this.sendBufferLimit = sendBufferLimit;
    this.limits = limits;
    this.connectionFlowControlWindow = connectionFlowControlWindow;
    this.autoFlowControl = autoFlowControl;
  }
}
