package dev.tern.netty.internal;

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
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A server's listening socket and the connections it accepted, through one life: bound, then
 * draining (graceful GOAWAYs) or closed at once, then terminated when the last connection has
 * closed and the event loops (and the executor the server owns) have stopped.
 *
 * <p>Thread-safe: the phase moves under a lock, from any thread; connections are closed on their
 * own event loops.
 */
public final class ServerTransport {
  private static final Logger LOG = Logger.getLogger(ServerTransport.class.getName());

  /** The transport's life, in order; it only moves forward. */
  private enum Phase {
    /** Built, not bound. */
    NEW,
    /** Bound: accepting connections and serving calls. */
    SERVING,
    /** shutdown(): no new connections; each connection drains with graceful GOAWAYs. */
    DRAINING,
    /** shutdownNow(): every connection closed, calls in flight cancelled. */
    CLOSING
  }

  private final SocketAddress requestedAddress;
  /** What all connections share, built once. */
  private final ServerShared shared;
  private final SslContext sslContext;
  private final long handshakeTimeoutMillis;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final ExecutorService ownedExecutor;
  private final List<Runnable> shutdownListeners;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final Object lock = new Object();
  /** Written under {@link #lock}; read without it by connections accepted while draining. */
  private volatile Phase phase = Phase.NEW;
  private Channel serverChannel;

  /**
   * {@code ownedExecutor}: the callback executor the server made itself (stopped with it), or
   * null; {@code shutdownListeners} run once, before the first GOAWAY.
   */
  public ServerTransport(SocketAddress requestedAddress, ServerSettings settings, WebSettings web,
      SslContext sslContext, long handshakeTimeoutMillis, int workerThreads,
      ExecutorService ownedExecutor, List<Runnable> shutdownListeners) {
    this.requestedAddress = requestedAddress;
    this.shared = ServerShared.of(settings, web);
    this.sslContext = sslContext;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    this.ownedExecutor = ownedExecutor;
    this.shutdownListeners = List.copyOf(shutdownListeners);
    this.bossGroup = EventLoops.newGroup(1, "tern-server-boss");
    this.workerGroup = EventLoops.newGroup(workerThreads, "tern-server-worker");
  }

  /** Binds the address and starts accepting connections. */
  public void start() throws IOException {
    synchronized (lock) {
      if (phase != Phase.NEW) {
        throw new IllegalStateException("already started");
      }
      phase = Phase.SERVING;
    }
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(EventLoops.serverChannelType(requestedAddress))
        .option(ChannelOption.SO_BACKLOG, 1024)
        // A restarted server can bind its port while old connections linger in TIME_WAIT.
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.add(ch);
            if (sslContext != null) {
              TlsHandlers.installServer(ch, sslContext, shared, handshakeTimeoutMillis);
            } else {
              // One port for HTTP/2 (prior knowledge) and HTTP/1.1 (gRPC-Web, Connect).
              ServerConnections.installCleartext(ch, shared, handshakeTimeoutMillis, handler -> {
                if (phase != Phase.SERVING) {
                  // Accepted just before the listener closed: it gets the same graceful GOAWAYs.
                  handler.startGracefulShutdown(ServerLimits.NEVER);
                }
              });
            }
          }
        });
    ChannelFuture bind = bootstrap.bind(EventLoops.toNetty(requestedAddress))
        .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      releaseResources();
      throw new IOException("Failed to bind " + requestedAddress, bind.cause());
    }
    synchronized (lock) {
      serverChannel = bind.channel();
    }
  }

  /** The bound address; throws if not bound. */
  public SocketAddress localAddress() {
    synchronized (lock) {
      if (serverChannel == null) {
        throw new IllegalStateException("not started");
      }
      return serverChannel.localAddress();
    }
  }

  /**
   * Stops accepting connections and ends the open ones: gracefully (each drains its calls behind
   * GOAWAYs), or {@code now} (calls cancelled). A later {@code now} still closes what drains.
   */
  public void shutdown(boolean now) {
    Channel ch;
    boolean first;
    synchronized (lock) {
      Phase next = now ? Phase.CLOSING : Phase.DRAINING;
      if (phase.compareTo(next) >= 0 || isTerminated()) {
        return;
      }
      first = phase.compareTo(Phase.DRAINING) < 0;
      phase = next;
      ch = serverChannel;
    }
    if (first) {
      // Before the first GOAWAY: health turns NOT_SERVING while calls still drain, so that
      // health-checking clients and balancers move away first (grpc doc/health-checking.md).
      for (Runnable listener : shutdownListeners) {
        try {
          listener.run();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "shutdown listener failed", e);
        }
      }
    }
    ChannelFuture closed = ch == null ? null : ch.close();
    if (closed == null) {
      closeConnections(now, first);
    } else {
      // After the listener is closed no connection can join the group unseen.
      closed.addListener(f -> closeConnections(now, first));
    }
  }

  private void closeConnections(boolean now, boolean first) {
    for (Channel c : connections) {
      c.eventLoop().execute(() -> {
        ServerHandler handler = c.pipeline().get(ServerHandler.class);
        if (handler == null) {
          if (now) {
            c.close();
          } else {
            ServerConnections.shutdownNonHttp2(c);
          }
        } else if (now) {
          handler.closeNow(0);
        } else {
          handler.startGracefulShutdown(ServerLimits.NEVER);
        }
      });
    }
    if (first) {
      awaitConnectionsClosed();
    }
  }

  private void awaitConnectionsClosed() {
    connections.newCloseFuture().addListener(f -> {
      if (connections.isEmpty()) {
        releaseResources();
      } else {
        awaitConnectionsClosed();
      }
    });
  }

  private void releaseResources() {
    // A channel's close future completes before its handlers see channelInactive, which still
    // dispatches onCancel to the application executor: stop that only once the loops are done.
    workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).addListener(w -> {
      if (ownedExecutor != null) {
        ownedExecutor.shutdown();
      }
      bossGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS)
          .addListener(f -> terminated.countDown());
    });
  }

  /** Whether shutdown (graceful or not) has begun. */
  public boolean isShutdown() {
    return phase.compareTo(Phase.DRAINING) >= 0;
  }

  /** Number of open client connections. */
  public int connectionCount() {
    return connections.size();
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
}
