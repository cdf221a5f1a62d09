package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.auth.MtlsInterceptor;
import dev.tern.auth.Principal;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** MtlsInterceptor names callers after their verified client certificate, over real TLS. */
class MtlsInterceptorTest {
  private final ShopService shop = new ShopService();
  private TernServer server;
  private TernChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private void start(ClientAuth clientAuth, boolean tls) throws Exception {
    TernServer.Builder b = TernServer.builder().port(0).addService(shop.definition())
        .intercept(MtlsInterceptor.create());
    if (tls) {
      b.sslContext(TernTls.forServer(TernTlsTest.cert("server.pem"),
          TernTlsTest.cert("server.key")).trustManager(TernTlsTest.cert("ca.pem"))
          .clientAuth(clientAuth).build());
    }
    server = b.build().start();
  }

  private void connect(boolean tls, boolean withCertificate) throws Exception {
    TernChannel.Builder b = TernChannel.builder().target("localhost:" + server.port());
    if (tls) {
      SslContextBuilder ctx = TernTls.forClient().trustManager(TernTlsTest.cert("ca.pem"));
      if (withCertificate) {
        ctx.keyManager(TernTlsTest.cert("client.pem"), TernTlsTest.cert("client.key"));
      }
      SslContext built = ctx.build();
      b.sslContext(built);
    }
    channel = b.build();
  }

  @Test
  void verifiedClientCertificateBecomesThePrincipal() throws Exception {
    start(ClientAuth.REQUIRE, true);
    connect(true, true);
    CallResult<String> r = CallResult.unary(channel, ShopService.GET, "x", new Metadata());
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    Principal p = shop.principals.get(0);
    assertEquals("tern-test-client", p.getName());
    assertEquals("CN=tern-test-client", p.attributes().get("x509.subject"));
  }

  @Test
  void tlsWithoutClientCertificateIsUnauthenticated() throws Exception {
    start(ClientAuth.OPTIONAL, true);
    connect(true, false);
    CallResult<String> r = CallResult.unary(channel, ShopService.GET, "x", new Metadata());
    assertEquals(Status.Code.UNAUTHENTICATED, r.status.getCode(), r.status::toString);
    assertEquals(List.of(), shop.principals);
  }

  @Test
  void plaintextIsUnauthenticated() throws Exception {
    start(ClientAuth.NONE, false);
    connect(false, false);
    CallResult<String> r = CallResult.unary(channel, ShopService.GET, "x", new Metadata());
    assertEquals(Status.Code.UNAUTHENTICATED, r.status.getCode(), r.status::toString);
    assertTrue(shop.principals.isEmpty());
  }
}
