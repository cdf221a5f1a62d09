package dev.tern.netty;

import dev.tern.CodecRegistry;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.ServerMethodDefinition;
import dev.tern.ServerServiceDefinition;
import dev.tern.netty.internal.EventLoops;
import dev.tern.netty.internal.ServerHandler;
import dev.tern.netty.internal.ServerSettings;
import dev.tern.netty.internal.TlsHandlers;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
  /** Default limit on a TLS handshake: 10 s, after which the connection is closed. */
  public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private final SocketAddress requestedAddress;
  private final ServerSettings settings;
  private final SslContext sslContext;
  private final long handshakeTimeoutMillis;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final ExecutorService ownedExecutor;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final Object lock = new Object();
  private Channel serverChannel;
  private boolean started;
  private boolean shutdown;

  private TernServer(Builder b) {
    this.requestedAddress = b.address;
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
    if (executor == null && !b.direct) {
      ownedExecutor = Executors.newCachedThreadPool(daemonThreads("tern-server-app"));
      executor = ownedExecutor;
    } else {
      ownedExecutor = null;
    }
    this.settings = new ServerSettings(methods, b.direct ? null : executor,
        b.maxInboundMessageSize, b.maxOutboundMessageSize, b.maxHeaderListSize,
        b.maxConcurrentStreams, b.flowControlWindow, b.codecs, b.sendBufferLimit);
    this.sslContext = b.sslContext;
    this.handshakeTimeoutMillis = b.handshakeTimeoutMillis;
    this.bossGroup = EventLoops.newGroup(1, "tern-server-boss");
    this.workerGroup = EventLoops.newGroup(b.workerThreads, "tern-server-worker");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the port and starts serving. */
  public TernServer start() throws IOException {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("already started");
      }
      started = true;
    }
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(EventLoops.serverChannelType())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.add(ch);
            if (sslContext != null) {
              TlsHandlers.installServer(ch, sslContext, settings, handshakeTimeoutMillis);
            } else {
              ch.pipeline().addLast(ServerHandler.create(settings));
            }
          }
        });
    ChannelFuture bind = bootstrap.bind(requestedAddress).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      releaseResources();
      throw new IOException("Failed to bind " + requestedAddress, bind.cause());
    }
    synchronized (lock) {
      serverChannel = bind.channel();
    }
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) localAddress()).getPort();
  }

  /** The bound address. */
  public SocketAddress localAddress() {
    synchronized (lock) {
      if (serverChannel == null) {
        throw new IllegalStateException("not started");
      }
      return serverChannel.localAddress();
    }
  }

  /**
   * Stops accepting connections and lets calls in flight finish: each connection gets a GOAWAY
   * and closes when its last stream ends.
   */
  public TernServer shutdown() {
    closeConnections(false);
    return this;
  }

  /** Like {@link #shutdown()} but cancels the calls in flight. */
  public TernServer shutdownNow() {
    closeConnections(true);
    return this;
  }

  private void closeConnections(boolean now) {
    Channel ch;
    synchronized (lock) {
      if (shutdown && !now) {
        return;
      }
      shutdown = true;
      ch = serverChannel;
    }
    ChannelFuture closed = ch == null ? null : ch.close();
    for (Channel c : connections) {
      c.eventLoop().execute(() -> {
        ServerHandler handler = c.pipeline().get(ServerHandler.class);
        if (handler != null && now) {
          handler.gracefulShutdownTimeoutMillis(0);
        }
        c.close();
      });
    }
    Runnable finish = () -> {
      connections.newCloseFuture().addListener(f -> releaseResources());
    };
    if (closed == null) {
      finish.run();
    } else {
      closed.addListener(f -> finish.run());
    }
  }

  private void releaseResources() {
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
    workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    bossGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).addListener(f -> terminated.countDown());
  }

  public boolean isShutdown() {
    synchronized (lock) {
      return shutdown;
    }
  }

  public boolean isTerminated() {
    return terminated.getCount() == 0;
  }

  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, unit);
  }

  public void awaitTermination() throws InterruptedException {
    terminated.await();
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
  public static final class Builder {
    private SocketAddress address = new InetSocketAddress("127.0.0.1", 0);
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private Executor executor;
    private boolean direct;
    private int maxInboundMessageSize = DEFAULT_MAX_INBOUND_MESSAGE_SIZE;
    private int maxOutboundMessageSize = Integer.MAX_VALUE;
    private int maxHeaderListSize = DEFAULT_MAX_HEADER_LIST_SIZE;
    private int maxConcurrentStreams = DEFAULT_MAX_CONCURRENT_STREAMS;
    private int flowControlWindow = DEFAULT_FLOW_CONTROL_WINDOW;
    private CodecRegistry codecs = CodecRegistry.getDefault();
    private int sendBufferLimit = DEFAULT_SEND_BUFFER_LIMIT;
    private int workerThreads = Runtime.getRuntime().availableProcessors();
    private SslContext sslContext;
    private long handshakeTimeoutMillis = DEFAULT_HANDSHAKE_TIMEOUT_MILLIS;

    private Builder() {}

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

    /** How long a TLS handshake may take before the connection is closed (default 10 s). */
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

    public Builder addService(ServerServiceDefinition service) {
      services.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    /** Adds a server-wide interceptor; the first added is the outermost. */
    public Builder intercept(ServerInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** Runs application callbacks on {@code executor} (default: a cached daemon pool). */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      this.direct = false;
      return this;
    }

    /**
     * Runs application callbacks on the connection's event loop: lowest latency, for handlers
     * that never block.
     */
    public Builder directExecutor() {
      this.executor = null;
      this.direct = true;
      return this;
    }

    /** Limit on a received message (after decompression); larger gets RESOURCE_EXHAUSTED. */
    public Builder maxInboundMessageSize(int bytes) {
      this.maxInboundMessageSize = positive(bytes);
      return this;
    }

    /** Limit on a sent message; larger fails the call with RESOURCE_EXHAUSTED. */
    public Builder maxOutboundMessageSize(int bytes) {
      this.maxOutboundMessageSize = positive(bytes);
      return this;
    }

    /** SETTINGS_MAX_HEADER_LIST_SIZE advertised and enforced on received headers. */
    public Builder maxHeaderListSize(int bytes) {
      this.maxHeaderListSize = positive(bytes);
      return this;
    }

    /** SETTINGS_MAX_CONCURRENT_STREAMS advertised and enforced per connection. */
    public Builder maxConcurrentStreams(int streams) {
      this.maxConcurrentStreams = positive(streams);
      return this;
    }

    /** The HTTP/2 stream flow-control window (SETTINGS_INITIAL_WINDOW_SIZE). */
    public Builder flowControlWindow(int bytes) {
      this.flowControlWindow = positive(bytes);
      return this;
    }

    /**
     * The message encodings the server accepts and may respond with (default: gzip). A request
     * in another encoding is refused with UNIMPLEMENTED.
     */
    public Builder codecRegistry(CodecRegistry codecs) {
      this.codecs = Objects.requireNonNull(codecs, "codecs");
      return this;
    }

    /**
     * How many bytes of one call's responses may wait to be written (for the client's window
     * or the socket) before {@code sendMessage} blocks the handler's thread until they drain;
     * on an event-loop thread, which cannot block, the call fails with RESOURCE_EXHAUSTED
     * instead. Bounds the memory a client that stops reading can make a handler that ignores
     * {@code isReady()} use. Default {@link #DEFAULT_SEND_BUFFER_LIMIT}.
     */
    public Builder sendBufferLimit(int bytes) {
      this.sendBufferLimit = positive(bytes);
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

    private static int positive(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("must be positive: " + v);
      }
      return v;
    }
  }
}
