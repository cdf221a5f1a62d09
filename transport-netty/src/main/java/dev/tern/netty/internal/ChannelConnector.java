package dev.tern.netty.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Opens a channel's connections: TCP (or a Unix domain socket), then TLS if configured. An
 * unresolved {@link InetSocketAddress} is resolved by Netty at each connect. Immutable.
 */
public final class ChannelConnector {
  private final EventLoopGroup group;
  private final SslContext sslContext;
  private final String tlsHost;
  private final long handshakeTimeoutMillis;

  public ChannelConnector(EventLoopGroup group, SslContext sslContext, String tlsHost,
      long handshakeTimeoutMillis) {
    this.group = group;
    this.sslContext = sslContext;
    this.tlsHost = tlsHost;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
  }

  /** The connector of one address, for its {@link ClientConnectionManager}. */
  public ClientConnectionManager.Connector to(SocketAddress address) {
    return (handler, timeoutMillis, setup) -> connect(address, handler, timeoutMillis, setup);
  }

  /** {@code host:port}, or {@code unix:path}: how errors name an address. */
  public static String describe(SocketAddress address) {
    if (address instanceof InetSocketAddress i) {
      String host = i.getHostString();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
    }
    if (address instanceof UnixDomainSocketAddress u) {
      return "unix:" + u.getPath();
    }
    return String.valueOf(address);
  }

  private Channel connect(SocketAddress address, ClientHandler handler, int connectTimeoutMillis,
      CompletableFuture<ClientHandler> setup) {
    boolean tcp = address instanceof InetSocketAddress;
    int port = tcp ? ((InetSocketAddress) address).getPort() : -1;
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(EventLoops.channelType(address))
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (sslContext != null) {
              TlsHandlers.installClient(ch, sslContext, tlsHost, port, handler, setup,
                  handshakeTimeoutMillis);
            } else {
              ch.pipeline().addLast(handler);
            }
          }
        });
    if (tcp) {
      bootstrap.option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.SO_KEEPALIVE, true);
    }
    ChannelFuture connect = bootstrap.connect(EventLoops.toNetty(address));
    connect.addListener(f -> {
      if (f.isSuccess()) {
        if (sslContext == null) {
          setup.complete(handler);
        }
      } else {
        Throwable cause = f.cause();
        setup.completeExceptionally(cause instanceof IOException ? cause
            : new IOException("Cannot connect to " + describe(address) + ": " + cause, cause));
      }
    });
    return connect.channel();
  }
}
