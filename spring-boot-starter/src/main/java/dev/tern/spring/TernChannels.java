package dev.tern.spring;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.MethodDescriptor;
import dev.tern.netty.TernChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The channels configured under {@code tern.client.NAME.*}, by name, built when the context
 * starts and shut down when it closes. Thread-safe: the map is fixed after construction.
 */
public final class TernChannels implements AutoCloseable {
  private final Map<String, TernChannel> channels;

  private TernChannels(Map<String, TernChannel> channels) {
    this.channels = channels;
  }

  /**
   * Builds one channel per entry, with {@code interceptors} (the first outermost) on every
   * channel, then {@code customizers}.
   */
  static TernChannels build(Map<String, TernChannelProperties> properties,
      List<ClientInterceptor> interceptors, List<TernChannelCustomizer> customizers) {
    Map<String, TernChannel> channels = new LinkedHashMap<>();
    try {
      properties.forEach((name, p) -> channels.put(name,
          newChannel(name, p, interceptors, customizers)));
    } catch (RuntimeException e) {
      channels.values().forEach(TernChannel::shutdownNow);
      throw e;
    }
    return new TernChannels(Map.copyOf(channels));
  }

  private static TernChannel newChannel(String name, TernChannelProperties p,
      List<ClientInterceptor> interceptors, List<TernChannelCustomizer> customizers) {
    if (p.target() == null || p.target().isBlank()) {
      throw new IllegalArgumentException("tern.client." + name + ".target is required");
    }
    TernChannel.Builder builder = TernChannel.builder().target(p.target());
    if (p.plaintext()) {
      builder.usePlaintext();
    } else {
      builder.useTransportSecurity();
    }
    if (p.overrideAuthority() != null) {
      builder.overrideAuthority(p.overrideAuthority());
    }
    if (p.maxInboundMessageSize() != null) {
      builder.maxInboundMessageSize(Math.toIntExact(p.maxInboundMessageSize().toBytes()));
    }
    if (p.keepaliveTime() != null) {
      builder.keepAliveTime(p.keepaliveTime().toNanos(), TimeUnit.NANOSECONDS);
    }
    if (p.keepaliveTimeout() != null) {
      builder.keepAliveTimeout(p.keepaliveTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    switch (p.executor()) {
      case DIRECT -> builder.directExecutor();
      case VIRTUAL -> builder.useVirtualThreads();
      case POOL -> { }
      default -> throw new AssertionError(p.executor());
    }
    interceptors.forEach(builder::intercept);
    if (p.defaultDeadline() != null) {
      // Innermost of the configured interceptors, so outer ones see the deadline it sets.
      builder.intercept(defaultDeadline(p.defaultDeadline()));
    }
    customizers.forEach(c -> c.customize(name, builder));
    return builder.build();
  }

  /** Gives calls made without a deadline {@code timeout}; calls with one keep theirs. */
  static ClientInterceptor defaultDeadline(Duration timeout) {
    long nanos = timeout.toNanos();
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        CallOptions options = callOptions.getDeadline() == null
            ? callOptions.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS) : callOptions;
        return next.newCall(method, options);
      }
    };
  }

  /**
   * The channel named {@code name}.
   *
   * @throws IllegalArgumentException if no {@code tern.client.NAME.target} configures it
   */
  public TernChannel get(String name) {
    TernChannel channel = channels.get(name);
    if (channel == null) {
      throw new IllegalArgumentException("no channel named '" + name
          + "': configure tern.client." + name + ".target (configured: " + names() + ")");
    }
    return channel;
  }

  /** The configured names. */
  public Set<String> names() {
    return channels.keySet();
  }

  /** Shuts every channel down, waiting briefly for calls in flight. */
  @Override
  public void close() {
    channels.values().forEach(TernChannel::shutdown);
    try {
      for (TernChannel c : channels.values()) {
        if (!c.awaitTermination(5, TimeUnit.SECONDS)) {
          c.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      channels.values().forEach(TernChannel::shutdownNow);
      Thread.currentThread().interrupt();
    }
  }
}
