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
import dev.tern.netty.internal.ClientConnectionManager;
import dev.tern.netty.internal.ClientHandler;
import dev.tern.netty.internal.ClientSettings;
import dev.tern.netty.internal.EventLoops;
import dev.tern.netty.internal.TlsHandlers;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
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

  private final String host;
  private final int port;
  private final ClientSettings settings;
  private final SslContext sslContext;
  private final String tlsHost;
  private final long handshakeTimeoutMillis;
  private final EventLoopGroup group;
  private final ClientConnectionManager connections;
  // The interceptors, then the transport (which retries); null if there are none.
  private final Channel intercepted;
  private final RetryThrottle throttle;

  private TernChannel(Builder b) {
    this.host = b.host;
    this.port = b.port;
    Executor executor = b.direct ? null : (b.executor != null ? b.executor
        : SharedResources.EXECUTOR);
    String authority = b.authority != null ? b.authority : host + ":" + port;
    this.throttle = b.retryPolicy == null && b.hedgingPolicy == null ? null : b.throttle;
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
    this.group = SharedResources.GROUP;
    this.sslContext = b.sslContext;
    // The server's certificate must match the authority the call claims (server_host_override).
    this.tlsHost = b.authority != null ? hostOf(b.authority) : host;
    this.handshakeTimeoutMillis = b.handshakeTimeoutMillis;
    this.connections = new ClientConnectionManager(settings, sslContext != null, this::connect,
        group, executor != null ? executor : SharedResources.EXECUTOR, host + ":" + port,
        new ClientConnectionManager.KeepAlive(b.keepAliveTimeNanos, b.keepAliveTimeoutNanos,
            b.keepAliveWithoutCalls));
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
    return new ClientCallImpl<>(method, callOptions, settings, connections, group);
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
    return connections.getState(requestConnection);
  }

  /**
   * Runs {@code callback} once, on the channel's executor, as soon as the state is no longer
   * {@code source} (at once if it already is not). Call again from the callback to keep
   * watching.
   */
  public void notifyWhenStateChanged(ConnectivityState source, Runnable callback) {
    connections.notifyWhenStateChanged(Objects.requireNonNull(source, "source"),
        Objects.requireNonNull(callback, "callback"));
  }

  /** The keepalive time of the channel's next connection (raised after too_many_pings). */
  long keepAliveTimeNanos() {
    return connections.keepAliveTimeNanos();
  }

  /** Opens one connection for the connection manager: TCP, then TLS if configured. */
  private io.netty.channel.Channel connect(ClientHandler handler, int connectTimeoutMillis,
      CompletableFuture<ClientHandler> setup) {
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(EventLoops.channelType())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
        .handler(new ChannelInitializer<io.netty.channel.Channel>() {
          @Override
          protected void initChannel(io.netty.channel.Channel ch) {
            if (sslContext != null) {
              TlsHandlers.installClient(ch, sslContext, tlsHost, port, handler, setup,
                  handshakeTimeoutMillis);
            } else {
              ch.pipeline().addLast(handler);
            }
          }
        });
    ChannelFuture connect = bootstrap.connect(host, port);
    connect.addListener(f -> {
      if (f.isSuccess()) {
        if (sslContext == null) {
          setup.complete(handler);
        }
      } else {
        Throwable cause = f.cause();
        setup.completeExceptionally(cause instanceof IOException ? cause
            : new IOException("Cannot connect to " + host + ":" + port + ": " + cause, cause));
      }
    });
    return connect.channel();
  }

  /**
   * Stops new calls (they fail with UNAVAILABLE, as do calls waiting for a connection); calls in
   * flight finish, then the connection closes.
   */
  public TernChannel shutdown() {
    connections.shutdown(false);
    return this;
  }

  /** Stops new calls and closes the connection now; calls in flight fail with UNAVAILABLE. */
  public TernChannel shutdownNow() {
    connections.shutdown(true);
    return this;
  }

  public boolean isShutdown() {
    return connections.getState(false) == ConnectivityState.SHUTDOWN;
  }

  public boolean isTerminated() {
    return connections.isTerminated();
  }

  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return connections.awaitTermination(timeout, unit);
  }

  /** Configures a {@link TernChannel}. Not thread-safe. */
  public static final class Builder extends TransportBuilder<Builder> {
    private String host;
    private int port = -1;
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

    /** {@code host:port}; IPv6 literals in brackets ({@code [::1]:8080}). */
    public Builder target(String target) {
      Objects.requireNonNull(target, "target");
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
      if (host == null) {
        throw new IllegalStateException("target not set");
      }
      return new TernChannel(this);
    }

  }
}
