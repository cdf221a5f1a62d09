package dev.tern.netty.internal;

import dev.tern.ClientStreamTracer;
import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Metadata;
import dev.tern.retry.HedgingPolicy;
import dev.tern.retry.RetryPolicy;
import dev.tern.retry.RetryThrottle;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * A channel's settings as its connections and calls need them, built with {@link #builder()}.
 * Immutable (thread-safe); the fields are read on every call, so they stay plain final fields.
 */
public final class ClientSettings {
  /** The default bytes a call keeps to replay it (retries, transparent retries): 1 MiB. */
  public static final long DEFAULT_RETRY_BUFFER_LIMIT = 1 << 20;

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
  /**
   * Request bytes a call keeps to replay them on a new attempt, for all its attempts together:
   * retries, hedges and transparent retries (gRFC A6 "per-RPC buffer limit").
   */
  public final long replayBufferLimit;
  /** The channel's retry policy, or null (then only transparent retries happen). */
  public final RetryPolicy retryPolicy;
  /** The channel's hedging policy, or null; a channel has at most one of the two policies. */
  public final HedgingPolicy hedgingPolicy;
  /** The channel's A6 retry throttle, or null. */
  public final RetryThrottle retryThrottle;
  /** Attempt tracer factories for every call of the channel, before the call's own. */
  public final List<ClientStreamTracer.Factory> streamTracerFactories;
  /** Whether every frame is logged (FrameLogging) at DEBUG. */
  public final boolean frameLogging;
  /** The retry engine's configuration for calls whose options change none of it. */
  final RetryConfig retryConfig;

  private ClientSettings(Builder b) {
    this.authority = Objects.requireNonNull(b.authority, "authority");
    this.userAgent = Objects.requireNonNull(b.userAgent, "userAgent");
    this.executor = b.executor;
    this.maxInboundMessageSize = b.maxInboundMessageSize;
    this.maxOutboundMessageSize = b.maxOutboundMessageSize;
    this.maxHeaderListSize = b.maxHeaderListSize;
    this.flowControlWindow = b.flowControlWindow;
    this.codecs = b.codecs;
    this.sendBufferLimit = b.sendBufferLimit;
    this.connectionFlowControlWindow = b.connectionFlowControlWindow > 0
        ? b.connectionFlowControlWindow : b.flowControlWindow;
    this.autoFlowControl = b.autoFlowControl;
    this.replayBufferLimit = b.replayBufferLimit;
    this.retryPolicy = b.retryPolicy;
    this.hedgingPolicy = b.hedgingPolicy;
    this.retryThrottle = b.retryThrottle;
    this.streamTracerFactories = List.copyOf(b.streamTracerFactories);
    this.frameLogging = b.frameLogging;
    this.retryConfig = new RetryConfig(retryPolicy, hedgingPolicy, retryThrottle,
        replayBufferLimit, streamTracerFactories);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ClientSettings}; defaults suit tests. Not thread-safe. */
  public static final class Builder extends TransportSettingsBuilder<Builder> {
    private String authority;
    private String userAgent = "tern-java";
    private long replayBufferLimit = DEFAULT_RETRY_BUFFER_LIMIT;
    private RetryPolicy retryPolicy;
    private HedgingPolicy hedgingPolicy;
    private RetryThrottle retryThrottle;
    private List<ClientStreamTracer.Factory> streamTracerFactories = List.of();

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    public Builder authority(String authority) {
      this.authority = authority;
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    public Builder replayBufferLimit(long bytes) {
      this.replayBufferLimit = bytes;
      return this;
    }

    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = policy;
      return this;
    }

    public Builder hedgingPolicy(HedgingPolicy policy) {
      this.hedgingPolicy = policy;
      return this;
    }

    public Builder retryThrottle(RetryThrottle throttle) {
      this.retryThrottle = throttle;
      return this;
    }

    public Builder streamTracerFactories(List<ClientStreamTracer.Factory> factories) {
      this.streamTracerFactories = List.copyOf(factories);
      return this;
    }

    public ClientSettings build() {
      if (retryPolicy != null && hedgingPolicy != null) {
        throw new IllegalStateException("a channel has a retry policy or a hedging policy, "
            + "not both (gRFC A6)");
      }
      return new ClientSettings(this);
    }
  }

  /**
   * The request headers of a call to {@code path}: those every call of this channel sends, its
   * {@code grpc-encoding} ({@code codec}, or null for identity), then {@code metadata}'s.
   */
  Http2Headers requestHeaders(String path, Codec codec, Metadata metadata) {
    Http2Headers headers = new DefaultHttp2Headers(false)
        .method(GrpcHeaders.POST)
        .scheme(GrpcHeaders.HTTP)
        .path(path)
        .authority(authority)
        .set(GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC)
        .set(GrpcHeaders.TE, GrpcHeaders.TE_TRAILERS)
        .set(GrpcHeaders.USER_AGENT, userAgent);
    String accept = codecs.acceptEncoding();
    if (accept != null) {
      headers.set(GrpcHeaders.GRPC_ACCEPT_ENCODING, accept);
    }
    if (codec != null) {
      headers.set(GrpcHeaders.GRPC_ENCODING, codec.encoding());
    }
    if (metadata != null) {
      GrpcHeaders.addMetadata(metadata, headers);
    }
    return headers;
  }
}
