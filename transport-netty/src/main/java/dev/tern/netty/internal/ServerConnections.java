package dev.tern.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.util.function.Consumer;

/**
 * Sets up and winds down a server's accepted cleartext connections: one port for HTTP/2 (prior
 * knowledge) and HTTP/1.1 (gRPC-Web, Connect), told apart by {@link ProtocolDetector}.
 * Stateless; event loop only.
 */
public final class ServerConnections {
  private ServerConnections() {}

  /**
   * Installs protocol detection on a new cleartext connection; {@code http2} installs the HTTP/2
   * handler after the given context once the preface is seen, and {@code timeoutMillis} bounds
   * the wait for the first bytes.
   */
  static void installCleartext(Channel ch, Consumer<ChannelHandlerContext> http2,
      ServerShared shared, long timeoutMillis) {
    ch.pipeline().addLast(new ProtocolDetector(http2, shared, timeoutMillis));
  }

  /**
   * Graceful shutdown of a connection that is not HTTP/2: an HTTP/1.1 connection closes after its
   * current response (at once if idle); one still undecided closes now.
   */
  public static void shutdownNonHttp2(Channel channel) {
    Http1Connection http1 = channel.pipeline().get(Http1Connection.class);
    if (http1 == null) {
      channel.close();
    } else {
      http1.startGracefulShutdown();
    }
  }
}
