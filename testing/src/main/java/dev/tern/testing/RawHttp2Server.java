package dev.tern.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted HTTP/2 server (h2c with prior knowledge) on 127.0.0.1 for frame-level tests of a
 * client: each accepted connection is a {@link RawHttp2Connection} the test reads requests from
 * and answers frame by frame.
 *
 * <pre>{@code
 * try (RawHttp2Server server = RawHttp2Server.start()) {
 *   ... point a client at server.port() and start a call ...
 *   RawHttp2Connection conn = server.accept();
 *   RawFrame request = conn.take(f -> f.type() == RawFrame.Type.HEADERS, timeout);
 *   conn.headers(request.streamId(), GrpcWire.trailersOnly(14, "down"), true);
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class RawHttp2Server implements AutoCloseable {
  private final Channel serverChannel;
  private final BlockingQueue<RawHttp2Connection> accepted = new LinkedBlockingQueue<>();
  private final List<RawHttp2Connection> all = new CopyOnWriteArrayList<>();

  private RawHttp2Server(Http2Settings settings) {
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(RawHttp2Connection.GROUP)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            RawHttp2Connection conn = new RawHttp2Connection();
            conn.attach(ch, Http2FrameCodecBuilder.forServer().initialSettings(settings).build());
            all.add(conn);
            accepted.add(conn);
          }
        });
    ChannelFuture bind = bootstrap.bind(new InetSocketAddress("127.0.0.1", 0))
        .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      throw new IllegalStateException("bind failed", bind.cause());
    }
    this.serverChannel = bind.channel();
  }

  /** Listens on a free port of 127.0.0.1 with Netty's default server settings. */
  public static RawHttp2Server start() {
    return new RawHttp2Server(Http2Settings.defaultSettings());
  }

  /** Listens on a free port of 127.0.0.1, announcing {@code settings} to each client. */
  public static RawHttp2Server start(Http2Settings settings) {
    return new RawHttp2Server(settings);
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** The next accepted connection, waiting up to {@link RawHttp2Connection#DEFAULT_TIMEOUT}. */
  public RawHttp2Connection accept() {
    return accept(RawHttp2Connection.DEFAULT_TIMEOUT);
  }

  /** The next accepted connection, waiting up to {@code timeout}. */
  public RawHttp2Connection accept(Duration timeout) {
    try {
      RawHttp2Connection conn = accepted.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (conn == null) {
        throw new AssertionError("no connection within " + timeout);
      }
      return conn;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly(RawHttp2Connection.DEFAULT_TIMEOUT.toMillis());
    for (RawHttp2Connection conn : all) {
      conn.close();
    }
  }
}
