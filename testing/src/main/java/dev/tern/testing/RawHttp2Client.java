package dev.tern.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;

/**
 * A scripted HTTP/2 client (h2c with prior knowledge) for frame-level tests of a server: it sends
 * exactly the frames a test asks for and records what comes back.
 *
 * <pre>{@code
 * try (RawHttp2Client client = RawHttp2Client.connect(server.port())) {
 *   int id = client.newStream(GrpcWire.requestHeaders("/pkg.Svc/Method"), false);
 *   client.data(id, GrpcWire.lengthPrefixed(request), true);
 *   RawFrame headers = client.nextFrame(id);
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class RawHttp2Client extends RawHttp2Connection {
  private RawHttp2Client() {}

  /**
   * Connects to 127.0.0.1:{@code port} as a raw client (see {@link RawHttp2Connection}): no codec,
   * nothing sent until the test writes it, starting with {@link #handshake}; what the server sends
   * is recorded frame by frame and never answered.
   */
  public static RawHttp2Client connectRaw(int port) {
    return connectRaw(port, true);
  }

  /**
   * A raw client that never reads what the server sends, with a small receive buffer so that the
   * server's writes back up (for tests of peers that do not read).
   */
  public static RawHttp2Client connectRawWithoutReading(int port) {
    return connectRaw(port, false);
  }

  private static RawHttp2Client connectRaw(int port, boolean read) {
    RawHttp2Client client = new RawHttp2Client();
    Bootstrap bootstrap = new Bootstrap()
        .group(GROUP)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        // A write that fails (the server hung up on a flood) must not close the channel: what
        // the server sent before it hung up, typically its GOAWAY, is still to be read.
        .option(ChannelOption.AUTO_CLOSE, false)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            client.attachRaw(ch);
          }
        });
    if (!read) {
      bootstrap.option(ChannelOption.AUTO_READ, false).option(ChannelOption.SO_RCVBUF, 4096);
    }
    return connected(client, bootstrap, new InetSocketAddress("127.0.0.1", port));
  }

  /** Connects to 127.0.0.1:{@code port} with Netty's default client settings. */
  public static RawHttp2Client connect(int port) {
    return connect(new InetSocketAddress("127.0.0.1", port), Http2Settings.defaultSettings());
  }

  /** Connects to {@code address}, announcing {@code settings} in the connection preface. */
  public static RawHttp2Client connect(InetSocketAddress address, Http2Settings settings) {
    RawHttp2Client client = new RawHttp2Client();
    Bootstrap bootstrap = new Bootstrap()
        .group(GROUP)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            client.attach(ch, Http2FrameCodecBuilder.forClient()
                .initialSettings(settings)
                .build());
          }
        });
    return connected(client, bootstrap, address);
  }

  private static RawHttp2Client connected(RawHttp2Client client, Bootstrap bootstrap,
      InetSocketAddress address) {
    ChannelFuture connect = bootstrap.connect(address);
    if (!connect.awaitUninterruptibly(DEFAULT_TIMEOUT.toMillis())) {
      connect.channel().close();
      throw new IllegalStateException("connect to " + address + " timed out");
    }
    if (!connect.isSuccess()) {
      throw new IllegalStateException("connect to " + address + " failed", connect.cause());
    }
    return client;
  }
}
