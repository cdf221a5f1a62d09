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
