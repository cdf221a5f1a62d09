package dev.tern.netty.internal;

import io.netty.channel.Channel;
import java.util.function.Consumer;

/**
 * Sets up and winds down a server's accepted cleartext connections: one port for HTTP/2 (prior
 * knowledge) and HTTP/1.1 (gRPC-Web, Connect), told apart by {@link ProtocolDetector}.
 * Stateless; event loop only.
 */
public final class ServerConnections {
  private ServerConnections() {}

  /**
   * Installs protocol detection on a new cleartext connection; once the HTTP/2 preface is seen,
   * a {@link ServerHandler} takes the detector's place and {@code http2Added} hears of it.
   * {@code timeoutMillis} bounds the wait for the first bytes.
   */
  static void installCleartext(Channel ch, ServerShared shared, long timeoutMillis,
      Consumer<ServerHandler> http2Added) {
    ch.pipeline().addLast(new ProtocolDetector(ctx -> {
      // Called from the detector's decode, within the read that carried the preface: that
      // read's read-complete flush sends the handler's SETTINGS and WINDOW_UPDATE.
      ServerHandler handler = ServerHandler.createInRead(shared);
      ctx.pipeline().addAfter(ctx.name(), null, handler);
      http2Added.accept(handler);
    }, shared, timeoutMillis));
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
