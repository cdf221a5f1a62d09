package dev.tern.netty.internal;

import dev.tern.CodecRegistry;
import dev.tern.ServerMethodDefinition;
import dev.tern.ServerStreamTracer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What a server's connections need from its builder: the method registry and the limits.
 * Immutable; shared by every connection of a server. Built with {@link #builder()}, whose
 * defaults are TernServer's.
 *
 * @param methodsByPath methods keyed by HTTP/2 {@code :path} ({@code /package.Service/Method})
 * @param executor executor for application callbacks; null runs them on the event loop
 * @param maxInboundMessageSize limit on a received message, after decompression
 * @param maxOutboundMessageSize limit on a sent message, before compression
 * @param maxHeaderListSize SETTINGS_MAX_HEADER_LIST_SIZE advertised and enforced
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS advertised and enforced
 * @param flowControlWindow SETTINGS_INITIAL_WINDOW_SIZE: each stream's receive window
 * @param connectionFlowControlWindow the connection's receive window (RFC 9113 §6.9.2), opened
 *     right after the preface
 * @param autoFlowControl whether BDP estimation grows the windows (see BdpEstimator)
 * @param codecs message encodings the server decodes and may respond with
 * @param sendBufferLimit bytes a call may have waiting to be written before sendMessage waits
 *     (see SendBuffer)
 * @param limits protections against abusive peers and connection-lifetime settings
 * @param tracerFactories per-call tracer factories, in the order they were added
 * @param frameLogging whether every frame is logged (FrameLogging) at DEBUG
 */
public record ServerSettings(
    Map<String, ServerMethodDefinition<?, ?>> methodsByPath,
    Executor executor,
    int maxInboundMessageSize,
    int maxOutboundMessageSize,
    int maxHeaderListSize,
    int maxConcurrentStreams,
    int flowControlWindow,
    int connectionFlowControlWindow,
    boolean autoFlowControl,
    CodecRegistry codecs,
    int sendBufferLimit,
    ServerLimits limits,
    List<ServerStreamTracer.Factory> tracerFactories,
    boolean frameLogging) {

  public ServerSettings {
    methodsByPath = Map.copyOf(methodsByPath);
    Objects.requireNonNull(codecs, "codecs");
    Objects.requireNonNull(limits, "limits");
    tracerFactories = List.copyOf(tracerFactories);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects the settings by name; every value but the methods has a default. Not thread-safe. */
  public static final class Builder extends TransportSettingsBuilder<Builder> {
    private Map<String, ServerMethodDefinition<?, ?>> methodsByPath = Map.of();
    private int maxConcurrentStreams = 100;
    private ServerLimits limits = ServerLimits.builder().build();
    private List<ServerStreamTracer.Factory> tracerFactories = List.of();

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    public Builder methodsByPath(Map<String, ServerMethodDefinition<?, ?>> methods) {
      this.methodsByPath = methods;
      return this;
    }

    public Builder maxConcurrentStreams(int streams) {
      this.maxConcurrentStreams = streams;
      return this;
    }

    public Builder limits(ServerLimits limits) {
      this.limits = limits;
      return this;
    }

    public Builder tracerFactories(List<ServerStreamTracer.Factory> factories) {
      this.tracerFactories = factories;
      return this;
    }

    public ServerSettings build() {
      return new ServerSettings(methodsByPath, executor, maxInboundMessageSize,
          maxOutboundMessageSize, maxHeaderListSize, maxConcurrentStreams, flowControlWindow,
          connectionFlowControlWindow > 0 ? connectionFlowControlWindow : flowControlWindow,
          autoFlowControl, codecs, sendBufferLimit, limits, tracerFactories, frameLogging);
    }
  }
}
