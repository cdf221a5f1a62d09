package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Attributes;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TernTlsTest {
  private TernServer server;
  private TernChannel channel;
  private final CompletableFuture<SSLSession> serverSession = new CompletableFuture<>();
  private final CompletableFuture<String> serverAuthority = new CompletableFuture<>();

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static File cert(String name) {
    try {
      return new File(TernTlsTest.class.getResource("/tls/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** Records each call's TLS session, as an authentication interceptor would read it. */
  private final ServerInterceptor recordSession = new ServerInterceptor() {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
        Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      SSLSession session = call.getAttributes().get(Attributes.SSL_SESSION);
      if (session == null) {
        serverSession.completeExceptionally(new AssertionError("no SSL_SESSION attribute"));
      } else {
        serverSession.complete(session);
      }
      serverAuthority.complete(call.getAuthority());
      return next.startCall(call, headers);
    }
  };

  private void startServer(SslContext context) throws Exception {
    server = TernServer.builder().port(0).addService(TestMethods.echoService())
        .intercept(recordSession).sslContext(context).build().start();
  }

  private static SslContext serverContext(ClientAuth clientAuth) throws Exception {
    SslContextBuilder b = TernTls.forServer(cert("server.pem"), cert("server.key"));
    if (clientAuth != ClientAuth.NONE) {
      b.trustManager(cert("ca.pem")).clientAuth(clientAuth);
    }
    return b.build();
  }

  private static SslContext clientContext(boolean withCertificate) throws Exception {
    SslContextBuilder b = TernTls.forClient().trustManager(cert("ca.pem"));
    if (withCertificate) {
      b.keyManager(cert("client.pem"), cert("client.key"));
    }
    return b.build();
  }

  private CallResult<String> echo(String message) throws Exception {
    return CallResult.unary(channel, TestMethods.UNARY, message, new Metadata());
  }

  @Test
  void unaryCallSucceedsOverTlsAndHandlerSeesTheSession() throws Exception {
    startServer(serverContext(ClientAuth.NONE));
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .sslContext(clientContext(false)).build();

    CallResult<String> r = echo("secure");

    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("secure"), r.messages);
    SSLSession session = serverSession.get(5, TimeUnit.SECONDS);
    assertTrue(session.getProtocol().startsWith("TLSv1."), session.getProtocol());
    assertThrows(SSLPeerUnverifiedException.class, session::getPeerCertificates);
  }

  @Test
  void mutualTlsShowsTheClientsVerifiedCertificateChainToInterceptors() throws Exception {
    startServer(serverContext(ClientAuth.REQUIRE));
    channel = TernChannel.builder().target("localhost:" + server.port())
        .sslContext(clientContext(true)).build();

    CallResult<String> r = echo("mutual");

    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    Certificate[] chain = serverSession.get(5, TimeUnit.SECONDS).getPeerCertificates();
    X509Certificate leaf = (X509Certificate) chain[0];
    assertEquals("CN=tern-test-client", leaf.getSubjectX500Principal().getName());
  }

  @Test
  void requiredClientCertificateMissingFailsTheCallUnavailable() throws Exception {
    startServer(serverContext(ClientAuth.REQUIRE));
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .sslContext(clientContext(false)).build();

    CallResult<String> r = echo("no cert");

    assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
    assertTrue(r.status.getDescription().contains("SSL"), r.status::toString);
  }

  @Test
  void optionalClientAuthAcceptsClientsWithAndWithoutCertificates() throws Exception {
    startServer(serverContext(ClientAuth.OPTIONAL));
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .sslContext(clientContext(false)).build();

    CallResult<String> r = echo("anonymous");

    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertThrows(SSLPeerUnverifiedException.class,
        serverSession.get(5, TimeUnit.SECONDS)::getPeerCertificates);

    TernChannel withCert = TernChannel.builder().target("127.0.0.1:" + server.port())
        .sslContext(clientContext(true)).build();
    try {
      CallResult<String> r2 = CallResult.unary(withCert, TestMethods.UNARY, "named",
          new Metadata());
      assertEquals(Status.Code.OK, r2.status.getCode(), r2.status::toString);
    } finally {
      withCert.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void untrustedServerCertificateFailsUnavailableWithTheReason() throws Exception {
    startServer(serverContext(ClientAuth.NONE));
    SslContext trustsOtherCa = TernTls.forClient().trustManager(cert("other-ca.pem")).build();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .sslContext(trustsOtherCa).build();

    CallResult<String> r = echo("x");

    assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
    assertTrue(r.status.getDescription().contains("TLS handshake"), r.status::toString);
    assertTrue(r.status.getDescription().contains("certification path"), r.status::toString);
  }

  @Test
  void serverNameNotInCertificateFailsHostnameVerification() throws Exception {
    startServer(serverContext(ClientAuth.NONE));
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .overrideAuthority("impostor.example.com").sslContext(clientContext(false)).build();

    CallResult<String> r = echo("x");

    assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
    assertTrue(r.status.getDescription().contains("impostor.example.com"), r.status::toString);
  }

  @Test
  void overrideAuthorityIsVerifiedAgainstTheCertificateAndSentAsSni() throws Exception {
    startServer(serverContext(ClientAuth.NONE));
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .overrideAuthority("foo.tern.test").sslContext(clientContext(false)).build();

    CallResult<String> r = echo("named");

    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals("foo.tern.test", serverAuthority.get(5, TimeUnit.SECONDS));
    ExtendedSSLSession session =
        assertInstanceOf(ExtendedSSLSession.class, serverSession.get(5, TimeUnit.SECONDS));
    assertEquals(List.of(new SNIHostName("foo.tern.test")), session.getRequestedServerNames());
  }

  @Test
  void plaintextClientToTlsPortFailsFastWithUnavailable() throws Exception {
    startServer(serverContext(ClientAuth.NONE));
    channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();

    CallResult<String> r = echo("x");

    assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
    assertTrue(r.status.getDescription().contains("TLS"), r.status::toString);
  }

  @Test
  void tlsClientToPlaintextPortFailsFastWithUnavailable() throws Exception {
    server = TernServer.builder().port(0).addService(TestMethods.echoService()).build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .sslContext(clientContext(false)).build();

    CallResult<String> r = echo("x");

    assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
    assertTrue(r.status.getDescription().contains("plaintext"), r.status::toString);
  }

  @Test
  void silentPeerFailsTheHandshakeAtItsTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return silent.accept();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      channel = TernChannel.builder().target("127.0.0.1:" + silent.getLocalPort())
          .sslContext(clientContext(false)).handshakeTimeout(200, TimeUnit.MILLISECONDS).build();

      CallResult<String> r = echo("x");

      assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
      assertTrue(r.status.getDescription().contains("timed out"), r.status::toString);
      accepted.get(5, TimeUnit.SECONDS).close();
    }
  }

  @Test
  void requestsOverTlsSayHttpsScheme() throws Exception {
    CompletableFuture<CharSequence> scheme = new CompletableFuture<>();
    io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
        io.netty.channel.nio.NioIoHandler.newFactory());
    SslContext sslContext = serverContext(ClientAuth.NONE);
    try {
      io.netty.channel.Channel raw = new io.netty.bootstrap.ServerBootstrap().group(group)
          .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
          .childHandler(new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
            @Override
            protected void initChannel(io.netty.channel.Channel ch) {
              ch.pipeline().addLast(sslContext.newHandler(ch.alloc()),
                  io.netty.handler.codec.http2.Http2FrameCodecBuilder.forServer().build(),
                  new RawGrpcAnswer(scheme));
            }
          })
          .bind("127.0.0.1", 0).sync().channel();
      int port = ((java.net.InetSocketAddress) raw.localAddress()).getPort();
      channel = TernChannel.builder().target("localhost:" + port)
          .sslContext(clientContext(false)).build();

      CallResult<String> r = echo("x");

      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
      assertEquals("https", scheme.get(5, TimeUnit.SECONDS).toString());
      raw.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  /** A raw HTTP/2 peer: records the request's :scheme, answers Trailers-Only OK. */
  private static final class RawGrpcAnswer extends io.netty.channel.ChannelInboundHandlerAdapter {
    private final CompletableFuture<CharSequence> scheme;

    RawGrpcAnswer(CompletableFuture<CharSequence> scheme) {
      this.scheme = scheme;
    }

    @Override
    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof io.netty.handler.codec.http2.Http2HeadersFrame) {
        io.netty.handler.codec.http2.Http2HeadersFrame frame =
            (io.netty.handler.codec.http2.Http2HeadersFrame) msg;
        scheme.complete(frame.headers().scheme());
        io.netty.handler.codec.http2.Http2Headers answer =
            new io.netty.handler.codec.http2.DefaultHttp2Headers().status("200")
                .set("content-type", "application/grpc").set("grpc-status", "0");
        ctx.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2HeadersFrame(answer, true)
            .stream(frame.stream()));
      }
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }

  @Test
  void contextsWithoutAlpnH2AreRejected() throws Exception {
    SslContext noAlpn = SslContextBuilder.forClient().build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TernChannel.builder().sslContext(noAlpn));
    assertTrue(e.getMessage().contains("h2"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TernServer.builder().sslContext(clientContext(false)));
    assertNotNull(TernServer.builder().useTransportSecurity(cert("server.pem"), cert("server.key")));
  }
}
