package dev.tern.netty;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.ClientInterceptors;
import dev.tern.CodecRegistry;
import dev.tern.ConnectivityState;
import dev.tern.MethodDescriptor;
import dev.tern.ClientStreamTracer;
import dev.tern.retry.HedgingPolicy;
import dev.tern.retry.RetryPolicy;
import dev.tern.retry.RetryThrottle;
import dev.tern.netty.internal.ClientCallImpl;
import dev.tern.LoadBalancerProvider;
import dev.tern.NameResolver;
import dev.tern.NameResolverProvider;
import dev.tern.internal.ServiceConfig;
import dev.tern.netty.internal.ChannelConnector;
import dev.tern.netty.internal.ChannelTargets;
import dev.tern.netty.internal.ChannelTransports;
import dev.tern.netty.internal.ClientConnectionManager;
import dev.tern.netty.internal.ClientSettings;
import dev.tern.netty.internal.EventLoops;
import dev.tern.netty.internal.HealthChecks;
import dev.tern.netty.internal.LbTransports;
import dev.tern.netty.internal.MethodConfigs;
import dev.tern.netty.internal.ProviderRegistry;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import io.netty.handler.ssl.SslContext;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A client channel to one gRPC server over HTTP/2 (h2c with prior knowledge, or TLS with ALPN
 * {@code h2}): all calls share one connection, opened on first use and reopened after it is lost.
 *
 * <p>Connectivity (grpc doc/connectivity-semantics-and-api.md): the channel is IDLE until a call
 * (or {@link #getState getState(true)}) needs a connection, CONNECTING while it makes one, READY
 * once the server's SETTINGS arrived, and goes back to IDLE when the server says GOAWAY or the
 * connection is lost. A failed attempt puts it in TRANSIENT_FAILURE and the next attempt follows
 * grpc doc/connection-backoff.md (1 s, x1.6, jitter 0.2, at most 120 s; each attempt gets at least
 * 20 s). Calls fail with UNAVAILABLE in TRANSIENT_FAILURE unless they are wait-for-ready
 * ({@link CallOptions#withWaitForReady()}), which wait for a connection (bounded by their
 * deadline). Calls whose streams the server never processed (REFUSED_STREAM, above a GOAWAY's
 * last-stream-id) are retried transparently on a new connection (gRFC A6).
 *
 * <pre>{@code
 * TernChannel channel = TernChannel.builder().target("localhost:8080").build();
 * ...
 * channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
 * }</pre>
 *
 * <p>Calls pass through the channel's {@linkplain Builder#intercept interceptors} (the first
 * added is the outermost: it sees each call first and its response events last), then reach the
 * transport, which makes the call's attempts: {@linkplain Builder#retryPolicy retries},
 * {@linkplain Builder#hedgingPolicy hedges} and transparent retries; stubs add their own
 * interceptors outside all of these ({@code withInterceptors}). Interceptors therefore see one
 * call however many attempts it takes; {@linkplain Builder#addStreamTracerFactory attempt
 * tracers} see each attempt. A call's deadline is, by default, the earlier of its
 * {@link CallOptions} deadline and the deadline of the {@link dev.tern.Context} current when the
 * call is created, and every retry attempt runs inside that Context.
 *
 * <p>Thread-safe.
 */
public final class TernChannel extends Channel {
  private static final String USER_AGENT = "tern-java/0.1.0";
  /** Smallest keepalive time a channel may set (grpc-java's floor): 10 s. */
  public static final long MIN_KEEPALIVE_TIME_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** Default keepalive timeout: 20 s (grpc doc/keepalive.md). */
  public static final long DEFAULT_KEEPALIVE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);
  /** Default limit on a received message, after decompression: 4 MiB, as grpc-java. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 4 * 1024 * 1024;
  /**
   * Default SETTINGS_MAX_HEADER_LIST_SIZE the channel advertises (RFC 9113 §6.5.2), bounding
   * response headers and trailers: 8 KiB, as grpc-java.
   */
  public static final int DEFAULT_MAX_HEADER_LIST_SIZE = 8 * 1024;
  /**
   * Default HTTP/2 flow-control window (SETTINGS_INITIAL_WINDOW_SIZE, RFC 9113 §6.9.2) for each
   * stream, and for the connection unless set apart: 1 MiB.
   */
  public static final int DEFAULT_FLOW_CONTROL_WINDOW = 1024 * 1024;
  /**
   * Default limit on a call's bytes waiting to be written before {@code sendMessage} waits: 1 MiB,
   * the default stream window (more could not be in flight anyway).
   */
  public static final int DEFAULT_SEND_BUFFER_LIMIT = 1024 * 1024;
  /**
   * Default limit on connecting: 10 s for the TLS handshake (if any), then 10 s for the HTTP/2
   * preface and SETTINGS; the connection attempt fails if either is late.
   */
  public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /**
   * The event loops and callback pool shared by all channels of the JVM, created on first use;
   * thread-safe (class initialization publishes them).
   */
  private static final class SharedResources {
    static final EventLoopGroup GROUP = EventLoops.newGroup(
        Runtime.getRuntime().availableProcessors(), "tern-client-worker");
    static final ExecutorService EXECUTOR =
        EventLoops.newCallbackPool(TernServer.daemonThreads("tern-client-app"));
  }

  private final ClientSettings settings;
  private final EventLoopGroup group;
  /** The single connection of a host:port channel, or null if it balances load. */
  private final ClientConnectionManager connections;
  private final ChannelTransports transports;
  /** The resolver and balancer of a channel with a scheme target, or null. */
  private final LbTransports balanced;
  /** The builder's service config: the one in force unless a resolver supplies another. */
  private final ServiceConfig defaultConfig;
  private final boolean builderHasPolicy;
  private final long keepAliveTimeNanos;
  // The interceptors, then the transport (which retries); null if there are none.
  private final Channel intercepted;
  private final RetryThrottle throttle;

  private TernChannel(Builder b) {
    Executor executor = b.direct ? null : (b.executor != null ? b.executor
        : SharedResources.EXECUTOR);
    Executor callbacks = executor != null ? executor : SharedResources.EXECUTOR;
    this.group = SharedResources.GROUP;
    this.defaultConfig = b.serviceConfig;
    this.builderHasPolicy = b.retryPolicy != null || b.hedgingPolicy != null;
    this.keepAliveTimeNanos = b.keepAliveTimeNanos;
    NameResolver resolver = ChannelTargets.resolver(b.target, b.host, b.port, b.serviceConfig,
        b.serviceConfigLookup, b.resolverProviders, new NameResolver.Args(b.sslContext != null ? 443 : 80, b.serviceConfigLookup,
            SharedResources.EXECUTOR, group));
    String authority = b.authority != null ? b.authority
        : resolver != null ? resolver.serviceAuthority() : b.host + ":" + b.port;
    boolean anyPolicy = builderHasPolicy || ChannelTargets.hasPolicies(b.serviceConfig);
    RetryThrottle configThrottle = b.serviceConfig.retryThrottling() == null ? null
        : b.serviceConfig.retryThrottling().newThrottle();
    this.throttle = !anyPolicy ? null : b.throttle != null ? b.throttle : configThrottle;
    this.settings = b.copyTo(ClientSettings.builder())
        .executor(executor)
        .authority(authority)
        .userAgent(b.userAgent == null ? USER_AGENT : b.userAgent + " " + USER_AGENT)
        .replayBufferLimit(b.retryBufferLimit)
        .retryPolicy(b.retryPolicy)
        .hedgingPolicy(b.hedgingPolicy)
        .retryThrottle(throttle)
        .streamTracerFactories(b.streamTracerFactories)
        .build();
    // The server's certificate must match the authority the call claims (server_host_override).
    String tlsHost = b.authority != null ? hostOf(b.authority)
        : resolver != null ? hostOf(authority) : b.host;
    ChannelConnector connector = new ChannelConnector(group, b.sslContext, tlsHost,
        b.handshakeTimeoutMillis);
    ClientConnectionManager.KeepAlive keepAlive = new ClientConnectionManager.KeepAlive(
        b.keepAliveTimeNanos, b.keepAliveTimeoutNanos, b.keepAliveWithoutCalls);
    boolean tls = b.sslContext != null;
    if (resolver == null) {
      this.connections = new ClientConnectionManager(settings, tls,
          connector.to(InetSocketAddress.createUnresolved(b.host, b.port)), group, callbacks,
          b.host + ":" + b.port, keepAlive);
      this.balanced = null;
      this.transports = connections;
    } else {
      this.connections = null;
      this.balanced = new LbTransports(resolver, ProviderRegistry.policies(b.lbProviders),
          b.serviceConfig, b.serviceConfigLookup,
          address -> new ClientConnectionManager(settings, tls, connector.to(address), group,
              callbacks, ChannelConnector.describe(address), keepAlive),
          new HealthChecks(settings, group), group, callbacks);
      this.transports = balanced;
    }
    List<ClientInterceptor> chain = new ArrayList<>(b.interceptors);
    this.intercepted = chain.isEmpty() ? null : ClientInterceptors.intercept(new Channel() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
        return newTransportCall(method, callOptions);
      }

      @Override
      public String authority() {
        return settings.authority;
      }
    }, chain);
  }

  /** The host part of an authority: {@code host}, {@code host:port} or {@code [v6]:port}. */
  static String hostOf(String authority) {
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      return end > 0 ? authority.substring(1, end) : authority;
    }
    int colon = authority.lastIndexOf(':');
    return colon > 0 && authority.indexOf(':') == colon ? authority.substring(0, colon) : authority;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    return intercepted != null
        ? intercepted.newCall(method, callOptions)
        : newTransportCall(method, callOptions);
  }

  private <ReqT, RespT> ClientCall<ReqT, RespT> newTransportCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    ServiceConfig config = balanced != null ? balanced.serviceConfig() : defaultConfig;
    if (!config.methodConfigs().isEmpty()) {
      ServiceConfig.MethodConfig mc = config.methodConfig(method.getFullMethodName());
      if (mc != null) {
        callOptions = MethodConfigs.apply(mc, callOptions, builderHasPolicy);
      }
    }
    return new ClientCallImpl<>(method, callOptions, settings, transports, group);
  }

  /** The channel's retry throttle, or null if retries (or hedging) or throttling are off. */
  public RetryThrottle retryThrottle() {
    return throttle;
  }

  @Override
  public String authority() {
    return settings.authority;
  }

  /**
   * The channel's connectivity state. From IDLE, {@code requestConnection} starts connecting
   * without waiting for a call.
   */
  public ConnectivityState getState(boolean requestConnection) {
    return transports.getState(requestConnection);
  }

  /**
   * Runs {@code callback} once, on the channel's executor, as soon as the state is no longer
   * {@code source} (at once if it already is not). Call again from the callback to keep
   * watching.
   */
  public void notifyWhenStateChanged(ConnectivityState source, Runnable callback) {
    transports.notifyWhenStateChanged(Objects.requireNonNull(source, "source"),
        Objects.requireNonNull(callback, "callback"));
  }

  /** The keepalive time of the channel's next connection (raised after too_many_pings). */
  long keepAliveTimeNanos() {
    return connections != null ? connections.keepAliveTimeNanos() : keepAliveTimeNanos;
  }

  /**
   * Stops new calls (they fail with UNAVAILABLE, as do calls waiting for a connection); calls in
   * flight finish, then the connection closes.
   */
  public TernChannel shutdown() {
    transports.shutdown(false);
    return this;
  }

  /** Stops new calls and closes the connection now; calls in flight fail with UNAVAILABLE. */
  public TernChannel shutdownNow() {
    transports.shutdown(true);
    return this;
  }

  public boolean isShutdown() {
    return transports.getState(false) == ConnectivityState.SHUTDOWN;
  }

  public boolean isTerminated() {
    return transports.isTerminated();
  }

  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return transports.awaitTermination(timeout, unit);
  }

  /** Configures a {@link TernChannel}. Not thread-safe. */
  public static final class Builder extends TransportBuilder<Builder> {
    private String host;
    private int port = -1;
    private URI target;
    private ServiceConfig serviceConfig = ServiceConfig.EMPTY;
    private boolean serviceConfigLookup;
    private final List<NameResolverProvider> resolverProviders = new ArrayList<>();
    private final List<LoadBalancerProvider> lbProviders = new ArrayList<>();
    private String authority;
    private String userAgent;
    private SslContext sslContext;
    private long handshakeTimeoutMillis = DEFAULT_HANDSHAKE_TIMEOUT_MILLIS;
    private final List<ClientInterceptor> interceptors = new ArrayList<>();
    private RetryPolicy retryPolicy;
    private HedgingPolicy hedgingPolicy;
    private RetryThrottle throttle;
    private long retryBufferLimit = ClientSettings.DEFAULT_RETRY_BUFFER_LIMIT;
    private final List<ClientStreamTracer.Factory> streamTracerFactories = new ArrayList<>();
    private long keepAliveTimeNanos = Long.MAX_VALUE;
    private long keepAliveTimeoutNanos = DEFAULT_KEEPALIVE_TIMEOUT_NANOS;
    private boolean keepAliveWithoutCalls;

    private Builder() {
      super(DEFAULT_MAX_INBOUND_MESSAGE_SIZE, DEFAULT_MAX_HEADER_LIST_SIZE,
          DEFAULT_FLOW_CONTROL_WINDOW, DEFAULT_SEND_BUFFER_LIMIT);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * Adds channel-wide interceptors, in order: the first added (over all calls of this method)
     * is the outermost. They run outside retries, so they see each call once.
     */
    public Builder intercept(ClientInterceptor... interceptors) {
      for (ClientInterceptor i : interceptors) {
        this.interceptors.add(Objects.requireNonNull(i, "interceptor"));
      }
      return this;
    }

    /**
     * Retries failed calls per {@code policy} (gRFC A6): a failed attempt is tried again while
     * its code is retryable, attempts are left, the throttle allows and the backoff (or the
     * server's {@code grpc-retry-pushback-ms}) ends before the deadline. The call commits to an
     * attempt, and retries stop, once it receives response headers or a message, when the
     * application cancels, or when the replay buffer ({@link #retryBufferLimit}) overflows.
     * Retries run in the transport, beneath the interceptors, which see one call; attempt
     * tracers ({@link #addStreamTracerFactory}) see each attempt. Replaces a hedging policy.
     */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "policy");
      this.hedgingPolicy = null;
      return this;
    }

    /**
     * Hedges calls per {@code policy} (gRFC A6): another attempt every hedging delay until one
     * commits, the others then cancelled (see {@link HedgingPolicy}). For idempotent methods
     * only. Replaces a retry policy.
     */
    public Builder hedgingPolicy(HedgingPolicy policy) {
      this.hedgingPolicy = Objects.requireNonNull(policy, "policy");
      this.retryPolicy = null;
      return this;
    }

    /** A6 retry throttling for this channel's calls: a bucket of {@code maxTokens}. */
    public Builder retryThrottling(int maxTokens, double tokenRatio) {
      this.throttle = new RetryThrottle(maxTokens, tokenRatio);
      return this;
    }

    /**
     * Message bytes a call may keep to replay them, for all its attempts together: retries and
     * hedges (its policy) and transparent retries of streams the server never processed
     * (default 1 MiB); past it the call commits to its current attempt.
     */
    public Builder retryBufferLimit(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("negative limit: " + bytes);
      }
      this.retryBufferLimit = bytes;
      return this;
    }

    /**
     * Adds a tracer factory for every call of the channel: it is asked for a
     * {@link ClientStreamTracer} once per attempt (first, retry, hedge, transparent retry),
     * before the factories of the call's own {@link CallOptions}.
     */
    public Builder addStreamTracerFactory(ClientStreamTracer.Factory factory) {
      this.streamTracerFactories.add(Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /**
     * Sends a keepalive PING after this long without reading anything, and closes the connection
     * (failing its calls with UNAVAILABLE) if nothing arrives within {@link #keepAliveTimeout}
     * (gRFC A8). Default: off. At least 10 s; a server that answers
     * GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings") doubles it for the channel's later connections.
     * {@code Long.MAX_VALUE} turns keepalive off.
     */
    public Builder keepAliveTime(long time, TimeUnit unit) {
      long nanos = unit.toNanos(time);
      if (nanos <= 0) {
        throw new IllegalArgumentException("must be positive: " + time);
      }
      this.keepAliveTimeNanos = Math.max(nanos, MIN_KEEPALIVE_TIME_NANOS);
      return this;
    }

    /** Shorter keepalive times than the public minimum, for tests of keepalive itself. */
    Builder keepAliveTimeNanosForTest(long nanos) {
      this.keepAliveTimeNanos = nanos;
      return this;
    }

    /** How long a keepalive PING may go unanswered (default 20 s). */
    public Builder keepAliveTimeout(long time, TimeUnit unit) {
      long nanos = unit.toNanos(time);
      if (nanos <= 0) {
        throw new IllegalArgumentException("must be positive: " + time);
      }
      this.keepAliveTimeoutNanos = nanos;
      return this;
    }

    /**
     * Whether keepalive PINGs go out while no call is open (default false; servers with grpc's
     * default policy treat such PINGs as abuse).
     */
    public Builder keepAliveWithoutCalls(boolean enable) {
      this.keepAliveWithoutCalls = enable;
      return this;
    }

    /** Connects with TLS, trusting the JDK's default CAs (ALPN {@code h2}). */
    public Builder useTransportSecurity() {
      try {
        return sslContext(TernTls.forClient().build());
      } catch (javax.net.ssl.SSLException e) {
        throw new IllegalStateException("Cannot set up TLS: " + e, e);
      }
    }

    /**
     * Connects with TLS using {@code context}, a client context that offers ALPN {@code h2} (as
     * those from {@link TernTls} do); give it a key manager for mutual TLS. The server's
     * certificate is always checked against the target host, or against the host of
     * {@link #overrideAuthority} when set (which is also sent as SNI).
     */
    public Builder sslContext(SslContext context) {
      this.sslContext = TernTls.checkH2(Objects.requireNonNull(context, "context"), false);
      return this;
    }

    /** Connects without TLS (h2c with prior knowledge): the default. */
    public Builder usePlaintext() {
      this.sslContext = null;
      return this;
    }

    /** How long a TLS handshake may take before the connection fails (default 10 s). */
    public Builder handshakeTimeout(long timeout, TimeUnit unit) {
      this.handshakeTimeoutMillis = Math.max(1, unit.toMillis(timeout));
      return this;
    }

    /**
     * The server(s) to call (grpc doc/naming.md): {@code host:port} (one connection, the name
     * resolved at each connect; IPv6 literals in brackets, {@code [::1]:8080}), or a target URI
     * whose scheme has a resolver: {@code dns:///host:port} (every A and AAAA record),
     * {@code ipv4:10.0.0.1:8080,10.0.0.2:8080}, {@code ipv6:[::1]:8080}, {@code unix:path} or
     * {@code unix:///absolute/path}, or a scheme of a {@link #nameResolverProvider}. Calls are
     * balanced over what the resolver finds (see {@link #defaultServiceConfig}). A malformed or
     * unsupported target is an {@link IllegalArgumentException} at {@link #build()}.
     */
    public Builder target(String target) {
      Objects.requireNonNull(target, "target");
      URI uri = ChannelTargets.schemeTarget(target);
      if (uri != null) {
        this.target = uri;
        this.host = null;
        return this;
      }
      int colon = target.lastIndexOf(':');
      if (colon <= 0 || colon == target.length() - 1) {
        throw new IllegalArgumentException("target must be host:port: " + target);
      }
      String h = target.substring(0, colon);
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
      return forAddress(h, Integer.parseInt(target.substring(colon + 1)));
    }

    public Builder forAddress(String host, int port) {
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException("bad port: " + port);
      }
      this.host = Objects.requireNonNull(host, "host");
      this.port = port;
      this.target = null;
      return this;
    }

    /**
     * Resolves targets of {@code provider}'s scheme with it (before those found with
     * {@link java.util.ServiceLoader} and Tern's own).
     */
    public Builder nameResolverProvider(NameResolverProvider provider) {
      this.resolverProviders.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /** Makes {@code provider}'s policy available to {@code loadBalancingConfig}. */
    public Builder loadBalancerProvider(LoadBalancerProvider provider) {
      this.lbProviders.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /**
     * The channel's gRPC service config (gRFC A2; see docs/service-config.md): per-method
     * timeouts, wait-for-ready, message size limits, retry or hedging policies, retry throttling,
     * the load-balancing policy and health checking. What a call's {@link CallOptions} or this
     * builder set explicitly wins. A config that names a load-balancing policy makes a
     * {@code host:port} target resolve as {@code dns:///host:port}.
     *
     * @throws IllegalArgumentException if {@code json} is not a valid service config; the
     *     message starts with the path of the bad field
     */
    public Builder defaultServiceConfig(String json) {
      this.serviceConfig = ServiceConfig.parse(Objects.requireNonNull(json, "json"));
      return this;
    }

    /**
     * Whether to take the service config from DNS TXT records ({@code _grpc_config.<host>},
     * gRFC A2) for {@code dns:} targets (default false); it replaces
     * {@link #defaultServiceConfig} while present, and a malformed one is ignored (the last good
     * one stays).
     */
    public Builder serviceConfigLookup(boolean enable) {
      this.serviceConfigLookup = enable;
      return this;
    }

    /**
     * Overrides the {@code :authority} sent (default {@code host:port}); with TLS its host is also
     * the name the server's certificate must match.
     */
    public Builder overrideAuthority(String authority) {
      this.authority = authority;
      return this;
    }

    /** Prepended to Tern's own user-agent. */
    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    public TernChannel build() {
      if (host == null && target == null) {
        throw new IllegalStateException("target not set");
      }
      return new TernChannel(this);
    }

  }
}
