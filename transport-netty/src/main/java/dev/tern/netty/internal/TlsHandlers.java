package dev.tern.netty.internal;

import dev.tern.Attributes;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Puts TLS in front of a connection's HTTP/2 handler: the handler is installed only once the
 * handshake has succeeded and ALPN selected {@code h2} (PROTOCOL-HTTP2.md; RFC 9113 §3.2 and
 * §9.2). Stateless; the handlers it installs run on their connection's event loop.
 */
public final class TlsHandlers {
  private static final System.Logger LOG = System.getLogger(TlsHandlers.class.getName());
  /** The protocol reported when the peer negotiated none: never accepted. */
  private static final String NO_ALPN = "(none)";

  private TlsHandlers() {}

  /** Installs TLS on an accepted connection; a {@link ServerHandler} follows the handshake. */
  static void installServer(Channel ch, SslContext context, ServerShared shared,
      long handshakeTimeoutMillis) {
    SslHandler ssl = context.newHandler(ch.alloc());
    ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    ch.pipeline().addLast(ssl, new ServerNegotiation(shared));
  }

  /**
   * Installs TLS on a new client connection to {@code host} (the name the server's certificate
   * must match, also sent as SNI). {@code ready} completes with {@code handler} once it is in
   * the pipeline, or fails with the reason the handshake failed.
   */
  public static void installClient(Channel ch, SslContext context, String host, int port,
      ClientHandler handler, CompletableFuture<ClientHandler> ready, long handshakeTimeoutMillis) {
    SslHandler ssl = context.newHandler(ch.alloc(), host, port);
    SSLEngine engine = ssl.engine();
    SSLParameters params = engine.getSSLParameters();
    // Clients must check the server's identity (interop-test-descriptions.md: "Clients must not
    // disable certificate checking"): the host name (or IP) must match the certificate.
    params.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(params);
    ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    String peer = host + ":" + port;
    // The handshake promise fails before SslHandler closes the channel, so the reason it gives
    // (certificate, timeout, not TLS) is the one calls report, not the close that follows.
    ssl.handshakeFuture().addListener(f -> {
      if (!f.isSuccess()) {
        ready.completeExceptionally(new IOException(
            "TLS handshake with " + peer + " failed: " + describe(f.cause()), f.cause()));
      }
    });
    ch.pipeline().addLast(ssl, new ClientNegotiation(peer, handler, ready));
  }

  /** A readable reason for a failed handshake, with a hint when the peer spoke no TLS at all. */
  static String describe(Throwable cause) {
    Throwable c = cause;
    while (c instanceof DecoderException && c.getCause() != null) {
      c = c.getCause();
    }
    String message = c.getMessage() == null ? c.getClass().getSimpleName()
        : c.getClass().getSimpleName() + ": " + c.getMessage();
    if (c instanceof NotSslRecordException) {
      message += " (the peer did not answer with TLS: is it a plaintext port?)";
    }
    return message;
  }

  private static final class ServerNegotiation extends ApplicationProtocolNegotiationHandler {
    private final ServerShared shared;

    ServerNegotiation(ServerShared shared) {
      super(NO_ALPN);
      this.shared = shared;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
        // gRPC-Web and Connect from browsers and HTTP/1.1 clients (RFC 7301 §3.1).
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        Http1Connection.install(ctx.pipeline(), ctx.name(), shared, Attributes.newBuilder()
            .set(Attributes.SSL_SESSION, ssl.engine().getSession())
            .set(Attributes.REMOTE_ADDRESS, ctx.channel().remoteAddress())
            .set(Attributes.LOCAL_ADDRESS, ctx.channel().localAddress())
            .build());
        return;
      }
      if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        LOG.log(System.Logger.Level.DEBUG, "Closing {0}: ALPN selected {1}, not h2",
            ctx.channel().remoteAddress(), protocol);
        ctx.close();
        return;
      }
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      ServerHandler handler = ServerHandler.create(shared);
      ctx.pipeline().addLast(handler);
      // Before any stream: requests buffered during the handshake are replayed only after this
      // method returns, so every call sees the verified session (and peer certificates).
      handler.addAttributes(Attributes.newBuilder()
          .set(Attributes.SSL_SESSION, ssl.engine().getSession())
          .build());
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      LOG.log(System.Logger.Level.DEBUG, () -> "TLS handshake with "
          + ctx.channel().remoteAddress() + " failed: " + describe(cause));
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.log(System.Logger.Level.DEBUG, () -> "Closing " + ctx.channel().remoteAddress()
          + " during TLS setup: " + describe(cause));
      ctx.close();
    }
  }

  private static final class ClientNegotiation extends ApplicationProtocolNegotiationHandler {
    private final String peer;
    private final ClientHandler handler;
    private final CompletableFuture<ClientHandler> ready;

    ClientNegotiation(String peer, ClientHandler handler, CompletableFuture<ClientHandler> ready) {
      super(NO_ALPN);
      this.peer = peer;
      this.handler = handler;
      this.ready = ready;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        fail(ctx, "TLS connection to " + peer + " negotiated ALPN protocol " + protocol
            + " instead of h2", null);
        return;
      }
      ctx.pipeline().addLast(handler);
      ready.complete(handler);
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      fail(ctx, "TLS handshake with " + peer + " failed: " + describe(cause), cause);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(ctx, "TLS handshake with " + peer + " failed: " + describe(cause), cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      ready.completeExceptionally(new IOException(
          "Connection to " + peer + " closed during the TLS handshake"));
      super.channelInactive(ctx);
    }

    private void fail(ChannelHandlerContext ctx, String message, Throwable cause) {
      ready.completeExceptionally(new IOException(message, cause));
      ctx.close();
    }
  }
}
