package dev.tern.netty;

import dev.tern.CodecRegistry;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.ServerMethodDefinition;
import dev.tern.ServerServiceDefinition;
import dev.tern.ServerStreamTracer;
import dev.tern.netty.internal.EventLoops;
import dev.tern.netty.internal.ServerHandler;
import dev.tern.netty.internal.ServerConnections;
import dev.tern.netty.internal.ServerLimits;
import dev.tern.netty.internal.ServerSettings;
import dev.tern.netty.internal.ServerTransport;
import dev.tern.netty.internal.TlsHandlers;
import dev.tern.netty.internal.WebSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A gRPC server over HTTP/2 on Netty: h2c with prior knowledge, or TLS with ALPN {@code h2} when
 * given an {@link SslContext} (see {@link TernTls}).
 *
 * <pre>{@code
 * TernServer server = TernServer.builder()
 *     .port(8080)
 *     .addService(new GreeterImpl().bindService())
 *     .build()
 *     .start();
 * server.awaitTermination();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class TernServer {
  /** Default limit on a received message, after decompression: 4 MiB, as grpc-java. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 4 * 1024 * 1024;
  /** Default SETTINGS_MAX_HEADER_LIST_SIZE: 8 KiB, as grpc-java. */
  public static final int DEFAULT_MAX_HEADER_LIST_SIZE = 8 * 1024;
  /** Default SETTINGS_MAX_CONCURRENT_STREAMS per connection. */
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
  /** Default HTTP/2 flow-control window, for each stream and for the connection: 1 MiB. */
  public static final int DEFAULT_FLOW_CONTROL_WINDOW = 1024 * 1024;
  /**
   * Default limit on a call's bytes waiting to be written before {@code sendMessage} waits: 1 MiB,
   * the default stream window (more could not be in flight anyway).
   */
  public static final int DEFAULT_SEND_BUFFER_LIMIT = 1024 * 1024;
  /**
   * Default limit on a connection's handshake: 10 s for TLS (if any), then 10 s for the HTTP/2
   * preface and SETTINGS; the connection is closed if either is late.
   */
  public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /** Default RST_STREAM frames a client may send per window (rapid reset, CVE-2023-44487). */
  public static final int DEFAULT_MAX_RST_FRAMES = 1000;
  /** Default window for {@link #DEFAULT_MAX_RST_FRAMES}, in seconds. */
  public static final int DEFAULT_RST_WINDOW_SECONDS = 10;
  /** Default RST_STREAM frames a client may provoke per window (MadeYouReset, CVE-2025-8671). */
  public static final int DEFAULT_MAX_PROVOKED_RST_FRAMES = 100;
  /** Default control frames queued for a peer that does not read (Netty's default). */
  public static final int DEFAULT_MAX_QUEUED_CONTROL_FRAMES = 10_000;
  /** Default consecutive empty DATA frames without END_STREAM (Netty's default). */
  public static final int DEFAULT_MAX_CONSECUTIVE_EMPTY_DATA_FRAMES = 2;
  /** Default small CONTINUATION frames per header block (Netty's default). */
  public static final int DEFAULT_MAX_CONTINUATION_FRAMES = 16;
  /** Default read inactivity before the server PINGs: 2 h (grpc doc/keepalive.md). */
  public static final long DEFAULT_KEEPALIVE_TIME_NANOS = TimeUnit.HOURS.toNanos(2);
  /** Default time a keepalive PING may go unanswered: 20 s (grpc doc/keepalive.md). */
  public static final long DEFAULT_KEEPALIVE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);
  /** Default shortest client PING interval that is not a strike: 5 min (grpc doc/keepalive.md). */
  public static final long DEFAULT_PERMIT_KEEPALIVE_TIME_NANOS = TimeUnit.MINUTES.toNanos(5);
  /** Default time without calls before a connection is closed gracefully: 1 h. */
  public static final long DEFAULT_MAX_CONNECTION_IDLE_NANOS = TimeUnit.HOURS.toNanos(1);

  private final ServerTransport transport;
  private final List<ServerServiceDefinition> services;

  private TernServer(Builder b) {
    this.services = List.copyOf(b.services);
    Map<String, ServerMethodDefinition<?, ?>> methods = new HashMap<>();
    for (ServerServiceDefinition service : b.services) {
      for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
        ServerMethodDefinition<?, ?> intercepted = intercept(method, b.interceptors);
        String path = method.getMethodDescriptor().getPath();
        if (methods.putIfAbsent(path, intercepted) != null) {
          throw new IllegalArgumentException("method registered twice: " + path);
        }
      }
    }
    Executor executor = b.executor;
    ExecutorService ownedExecutor = null;
    if (executor == null && !b.direct) {
      ownedExecutor = EventLoops.newCallbackPool(daemonThreads("tern-server-app"));
      executor = ownedExecutor;
    }
    ServerSettings settings = b.copyTo(ServerSettings.builder())
        .executor(b.direct ? null : executor)
        .methodsByPath(methods)
        .maxConcurrentStreams(b.maxConcurrentStreams)
        .limits(b.limits())
        .tracerFactories(b.tracerFactories)
        .build();
    WebSettings web = new WebSettings(b.http1IdleTimeoutNanos, b.http1RequestTimeoutNanos,
        b.corsAllowedOrigins, b.corsAllowedHeaders, b.corsExposedHeaders, b.corsMaxAgeSeconds,
        WebSettings.defaults().jsonFormat());
    this.transport = new ServerTransport(b.address, settings, web, b.sslContext,
        b.handshakeTimeoutMillis, b.workerThreads, ownedExecutor, b.shutdownListeners);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the port and starts serving. */
  public TernServer start() throws IOException {
    transport.start();
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) localAddress()).getPort();
  }

  /** The bound address. */
  public SocketAddress localAddress() {
    return transport.localAddress();
  }

  /**
   * Stops accepting connections and lets calls in flight finish: each connection gets a GOAWAY
   * with last-stream-id 2^31-1 and a PING, then (once the PING is answered) a GOAWAY with the
   * last stream it accepted, and closes when its last call ends. Streams above that id were never
   * processed, which tells clients they may retry them elsewhere (gRFC A6).
   */
  public TernServer shutdown() {
    transport.shutdown(false);
    return this;
  }

  /** Like {@link #shutdown()} but cancels the calls in flight. */
  public TernServer shutdownNow() {
    transport.shutdown(true);
    return this;
  }

  /**
   * The services registered on the builder, in order, without the server's interceptors (for
   * server reflection, which lists them). Available before {@link #start()}.
   */
  public List<ServerServiceDefinition> getServices() {
    return services;
  }

  public boolean isShutdown() {
    return transport.isShutdown();
  }

  /** Number of open client connections (for tests and monitoring). */
  public int connectionCount() {
    return transport.connectionCount();
  }

  public boolean isTerminated() {
    return transport.isTerminated();
  }

  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return transport.awaitTermination(timeout, unit);
  }

  public void awaitTermination() throws InterruptedException {
    transport.awaitTermination();
  }

  private static ServerMethodDefinition<?, ?> intercept(
      ServerMethodDefinition<?, ?> method, List<ServerInterceptor> interceptors) {
    return interceptTyped(method, interceptors);
  }

  private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> interceptTyped(
      ServerMethodDefinition<ReqT, RespT> method, List<ServerInterceptor> interceptors) {
    ServerCallHandler<ReqT, RespT> handler = method.getServerCallHandler();
    // The first registered interceptor is the outermost: it sees each call first.
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      ServerInterceptor interceptor = interceptors.get(i);
      ServerCallHandler<ReqT, RespT> next = handler;
      handler = new ServerCallHandler<>() {
        @Override
        public ServerCall.Listener<ReqT> startCall(ServerCall<ReqT, RespT> call, Metadata headers) {
          return interceptor.interceptCall(call, headers, next);
        }
      };
    }
    return method.withServerCallHandler(handler);
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Configures a {@link TernServer}. Not thread-safe. */
  public static final class Builder extends TransportBuilder<Builder> {
    private SocketAddress address = new InetSocketAddress("127.0.0.1", 0);
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private final List<Runnable> shutdownListeners = new ArrayList<>();
    private int maxConcurrentStreams = DEFAULT_MAX_CONCURRENT_STREAMS;
    private int workerThreads = Runtime.getRuntime().availableProcessors();
    private SslContext sslContext;
    private long handshakeTimeoutMillis = DEFAULT_HANDSHAKE_TIMEOUT_MILLIS;
    private int maxRstFrames = DEFAULT_MAX_RST_FRAMES;
    private int rstWindowSeconds = DEFAULT_RST_WINDOW_SECONDS;
    private int maxProvokedRstFrames = DEFAULT_MAX_PROVOKED_RST_FRAMES;
    private int provokedRstWindowSeconds = DEFAULT_RST_WINDOW_SECONDS;
    private int maxQueuedControlFrames = DEFAULT_MAX_QUEUED_CONTROL_FRAMES;
    private int maxConsecutiveEmptyDataFrames = DEFAULT_MAX_CONSECUTIVE_EMPTY_DATA_FRAMES;
    private int maxContinuationFrames = DEFAULT_MAX_CONTINUATION_FRAMES;
    private long keepAliveTimeNanos = DEFAULT_KEEPALIVE_TIME_NANOS;
    private long keepAliveTimeoutNanos = DEFAULT_KEEPALIVE_TIMEOUT_NANOS;
    private long permitKeepAliveTimeNanos = DEFAULT_PERMIT_KEEPALIVE_TIME_NANOS;
    private boolean permitKeepAliveWithoutCalls;
    private long maxConnectionIdleNanos = DEFAULT_MAX_CONNECTION_IDLE_NANOS;
    private long maxConnectionAgeNanos = ServerLimits.NEVER;
    private long maxConnectionAgeGraceNanos = ServerLimits.NEVER;
    private final List<ServerStreamTracer.Factory> tracerFactories = new ArrayList<>();
    private long http1IdleTimeoutNanos = WebSettings.DEFAULT_HTTP1_IDLE_TIMEOUT_NANOS;
    private long http1RequestTimeoutNanos = WebSettings.DEFAULT_HTTP1_REQUEST_TIMEOUT_NANOS;
    private final Set<String> corsAllowedOrigins = new LinkedHashSet<>();
    private final List<String> corsAllowedHeaders = new ArrayList<>();
    private final List<String> corsExposedHeaders = new ArrayList<>();
    private int corsMaxAgeSeconds = WebSettings.DEFAULT_CORS_MAX_AGE_SECONDS;

    private Builder() {
      super(DEFAULT_MAX_INBOUND_MESSAGE_SIZE, DEFAULT_MAX_HEADER_LIST_SIZE,
          DEFAULT_FLOW_CONTROL_WINDOW, DEFAULT_SEND_BUFFER_LIMIT);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * Lets browsers on these origins call the server (CORS, for gRPC-Web and Connect): exact
     * origins such as {@code "https://app.example.com"}, or {@code "*"} for any. Preflights are
     * answered with POST and GET, the headers gRPC-Web and Connect clients send, and
     * {@link #corsMaxAge}; responses expose {@code grpc-status}, {@code grpc-message},
     * {@code grpc-status-details-bin} and the {@code connect-*} headers. Off by default.
     */
    public Builder corsAllowedOrigins(String... origins) {
      for (String origin : origins) {
        corsAllowedOrigins.add(Objects.requireNonNull(origin, "origin"));
      }
      return this;
    }

    /** Request headers (e.g. your metadata keys) browsers may send, beyond gRPC's and Connect's. */
    public Builder corsAllowedHeaders(String... headers) {
      corsAllowedHeaders.addAll(List.of(headers));
      return this;
    }

    /** Response headers (e.g. your metadata keys) scripts may read, beyond gRPC's and Connect's. */
    public Builder corsExposedHeaders(String... headers) {
      corsExposedHeaders.addAll(List.of(headers));
      return this;
    }

    /** How long browsers may cache a preflight answer (default 2 h). */
    public Builder corsMaxAge(long time, TimeUnit unit) {
      corsMaxAgeSeconds = (int) Math.min(Integer.MAX_VALUE, unit.toSeconds(time));
      return this;
    }

    /** An HTTP/1.1 connection with no request in progress closes after this (default 60 s). */
    public Builder http1IdleTimeout(long time, TimeUnit unit) {
      http1IdleTimeoutNanos = positive(unit.toNanos(time), "http1IdleTimeout");
      return this;
    }

    /**
     * An HTTP/1.1 request must arrive within this of its first byte (its head, and the body of a
     * single-message request), else it gets 408 and the connection closes (default 30 s).
     */
    public Builder http1RequestTimeout(long time, TimeUnit unit) {
      http1RequestTimeoutNanos = positive(unit.toNanos(time), "http1RequestTimeout");
      return this;
    }

    private static long positive(long nanos, String what) {
      if (nanos <= 0) {
        throw new IllegalArgumentException(what + " must be positive");
      }
      return nanos;
    }

    /**
     * Serves TLS with this certificate chain and PKCS#8 private key (PEM files), ALPN {@code h2}.
     * For client certificates (mutual TLS) build the context with {@link TernTls#forServer} and
     * pass it to {@link #sslContext}.
     */
    public Builder useTransportSecurity(File certChain, File privateKey) {
      try {
        return sslContext(TernTls.forServer(certChain, privateKey).build());
      } catch (javax.net.ssl.SSLException e) {
        throw new IllegalArgumentException("Cannot load TLS certificate or key: " + e, e);
      }
    }

    /**
     * Serves TLS with {@code context}, a server context that offers ALPN {@code h2} (as those from
     * {@link TernTls} do). Calls see the verified session, including the client's certificates
     * under mutual TLS, as {@code getAttributes().get(Attributes.SSL_SESSION)}.
     */
    public Builder sslContext(SslContext context) {
      this.sslContext = TernTls.checkH2(Objects.requireNonNull(context, "context"), true);
      return this;
    }

    /**
     * How long a new connection may take to complete its handshake before it is closed: the TLS
     * handshake, if any, and then the HTTP/2 preface and first SETTINGS (default 10 s each).
     */
    public Builder handshakeTimeout(long timeout, TimeUnit unit) {
      this.handshakeTimeoutMillis = Math.max(1, unit.toMillis(timeout));
      return this;
    }

    /** Listens on 127.0.0.1:{@code port} (0 picks a free port). */
    public Builder port(int port) {
      this.address = new InetSocketAddress("127.0.0.1", port);
      return this;
    }

    /** Listens on {@code address} (e.g. {@code new InetSocketAddress(8080)} for all interfaces). */
    public Builder address(SocketAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Runs {@code listener} once, on the thread that first calls {@link TernServer#shutdown()} or
     * {@link TernServer#shutdownNow()}, before any connection is told to go away: the place to
     * turn health NOT_SERVING, e.g. {@code onShutdown(health::enterTerminalState)} with
     * tern-services' {@code HealthStatusManager}. A listener that throws is logged and skipped.
     */
    public Builder onShutdown(Runnable listener) {
      shutdownListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public Builder addService(ServerServiceDefinition service) {
      services.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    /** Adds a server-wide interceptor; the first added is the outermost. */
    public Builder intercept(ServerInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** SETTINGS_MAX_CONCURRENT_STREAMS advertised and enforced per connection. */
    public Builder maxConcurrentStreams(int streams) {
      this.maxConcurrentStreams = positive(streams);
      return this;
    }

    /**
     * Rapid-reset protection (CVE-2023-44487): a client that sends more than {@code maxRstFrames}
     * RST_STREAM frames within {@code windowSeconds} gets GOAWAY(ENHANCE_YOUR_CALM). Default
     * 1000 per 10 s. 0 disables the check.
     */
    public Builder maxRstFramesPerWindow(int maxRstFrames, int windowSeconds) {
      this.maxRstFrames = nonNegative(maxRstFrames);
      this.rstWindowSeconds = positive(windowSeconds);
      return this;
    }

    /**
     * MadeYouReset protection (CVE-2025-8671): a client that provokes more than
     * {@code maxRstFrames} RST_STREAM frames (other than NO_ERROR and CANCEL: protocol errors,
     * refused streams) within {@code windowSeconds} gets GOAWAY(ENHANCE_YOUR_CALM). Default 100
     * per 10 s. 0 disables the check.
     */
    public Builder maxProvokedRstFramesPerWindow(int maxRstFrames, int windowSeconds) {
      this.maxProvokedRstFrames = nonNegative(maxRstFrames);
      this.provokedRstWindowSeconds = positive(windowSeconds);
      return this;
    }

    /**
     * Control frames (PING and SETTINGS acknowledgements, RST_STREAM) that may wait unsent for a
     * peer that does not read before the connection is closed (CVE-2019-9512/9515). Default
     * 10000. 0 disables the check.
     */
    public Builder maxQueuedControlFrames(int frames) {
      this.maxQueuedControlFrames = nonNegative(frames);
      return this;
    }

    /**
     * Consecutive zero-length DATA frames without END_STREAM before the connection is closed
     * (CVE-2019-9518). Default 2. 0 disables the check.
     */
    public Builder maxConsecutiveEmptyDataFrames(int frames) {
      this.maxConsecutiveEmptyDataFrames = nonNegative(frames);
      return this;
    }

    /**
     * Small (under 8 KiB) CONTINUATION frames per header block before GOAWAY(ENHANCE_YOUR_CALM)
     * (CONTINUATION floods, 2024). Default 16. 0 disables the check; the header block stays capped
     * at 1.25 x {@link #maxHeaderListSize} either way.
     */
    public Builder maxContinuationFrames(int frames) {
      this.maxContinuationFrames = nonNegative(frames);
      return this;
    }

    /**
     * Read inactivity after which the server PINGs the client to check the connection. Default
     * 2 h; {@code Long.MAX_VALUE} disables.
     */
    public Builder keepAliveTime(long time, TimeUnit unit) {
      this.keepAliveTimeNanos = duration(time, unit);
      return this;
    }

    /** Time a keepalive PING may go unanswered before the connection is closed. Default 20 s. */
    public Builder keepAliveTimeout(long time, TimeUnit unit) {
      this.keepAliveTimeoutNanos = duration(time, unit);
      return this;
    }

    /**
     * The most frequent keepalive a client may use (grpc doc/keepalive.md): PINGs closer together
     * are strikes, and the third strike gets GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings").
     * Strikes reset whenever the server sends headers or data. Default 5 min.
     */
    public Builder permitKeepAliveTime(long time, TimeUnit unit) {
      this.permitKeepAliveTimeNanos = unit.toNanos(time);
      if (permitKeepAliveTimeNanos < 0) {
        throw new IllegalArgumentException("must not be negative: " + time);
      }
      return this;
    }

    /**
     * Whether clients may PING while they have no call open. Default false: such PINGs are
     * acceptable only every 2 hours.
     */
    public Builder permitKeepAliveWithoutCalls(boolean permit) {
      this.permitKeepAliveWithoutCalls = permit;
      return this;
    }

    /**
     * A connection without calls for this long is closed gracefully (gRFC A9). Default 1 h;
     * {@code Long.MAX_VALUE} disables.
     */
    public Builder maxConnectionIdle(long time, TimeUnit unit) {
      this.maxConnectionIdleNanos = duration(time, unit);
      return this;
    }

    /**
     * A connection this old (±10% jitter) is closed gracefully, so clients rebalance (gRFC A9).
     * Default: never.
     */
    public Builder maxConnectionAge(long time, TimeUnit unit) {
      this.maxConnectionAgeNanos = duration(time, unit);
      return this;
    }

    /**
     * After a max-age GOAWAY, the time calls get to finish before the connection is closed
     * (gRFC A9). Default: no limit.
     */
    public Builder maxConnectionAgeGrace(long time, TimeUnit unit) {
      this.maxConnectionAgeGraceNanos = unit.toNanos(time);
      if (maxConnectionAgeGraceNanos < 0) {
        throw new IllegalArgumentException("must not be negative: " + time);
      }
      return this;
    }

    ServerLimits limits() {
      return ServerLimits.builder()
          .resetsReceived(maxRstFrames, rstWindowSeconds)
          .resetsProvoked(maxProvokedRstFrames, provokedRstWindowSeconds)
          .maxQueuedControlFrames(maxQueuedControlFrames)
          .maxConsecutiveEmptyDataFrames(maxConsecutiveEmptyDataFrames)
          .maxSmallContinuationFrames(maxContinuationFrames)
          .handshakeTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(handshakeTimeoutMillis))
          .keepAliveTimeNanos(keepAliveTimeNanos)
          .keepAliveTimeoutNanos(keepAliveTimeoutNanos)
          .permitKeepAliveTimeNanos(permitKeepAliveTimeNanos)
          .permitKeepAliveWithoutCalls(permitKeepAliveWithoutCalls)
          .maxConnectionIdleNanos(maxConnectionIdleNanos)
          .maxConnectionAgeNanos(maxConnectionAgeNanos)
          .maxConnectionAgeGraceNanos(maxConnectionAgeGraceNanos)
          .build();
    }

    /**
     * Adds a factory whose tracer observes every call this server routes to a method (the role
     * of grpc-java's {@code ServerBuilder.addStreamTracerFactory}): call started, each message in
     * and out with its wire and uncompressed size, and the final status. Factories run in the
     * order added, on the connection's event loop, so they must be cheap.
     */
    public Builder addStreamTracerFactory(ServerStreamTracer.Factory factory) {
      tracerFactories.add(Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /** Number of event-loop threads (default: one per core). */
    public Builder workerThreads(int threads) {
      this.workerThreads = positive(threads);
      return this;
    }

    public TernServer build() {
      return new TernServer(this);
    }

    private static int nonNegative(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("must not be negative: " + v);
      }
      return v;
    }

    /** A positive duration in nanoseconds; saturates at {@link ServerLimits#NEVER}. */
    private static long duration(long time, TimeUnit unit) {
      if (time <= 0) {
        throw new IllegalArgumentException("must be positive: " + time);
      }
      return unit.toNanos(time);
    }
  }
}
