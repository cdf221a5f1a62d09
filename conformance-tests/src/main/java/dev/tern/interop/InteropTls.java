package dev.tern.interop;

import dev.tern.netty.TernTls;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * TLS contexts from grpc-java's interop certificates (unpacked at build time into
 * {@code dev/tern/interop/certs/}): {@code server1.pem} (for {@code *.test.google.fr}), the test
 * CA {@code ca.pem}, and {@code client.pem} for mutual TLS. Stateless and thread-safe.
 */
public final class InteropTls {
  /** The name {@code server1.pem} is issued for: clients verify the server against it. */
  public static final String SERVER_HOST_OVERRIDE = "foo.test.google.fr";

  private InteropTls() {}

  /** The server's context; {@code clientAuth} other than NONE asks for test-CA client certs. */
  public static SslContext server(ClientAuth clientAuth) {
    try (InputStream cert = open("server1.pem"); InputStream key = open("server1.key")) {
      SslContextBuilder b = TernTls.forServer(cert, key);
      if (clientAuth != ClientAuth.NONE) {
        try (InputStream ca = open("ca.pem")) {
          b.trustManager(ca).clientAuth(clientAuth);
        }
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A client context trusting the test CA ({@code --use_test_ca=true}) or the JDK's CAs, with
   * the test client certificate if {@code withClientCertificate}.
   */
  public static SslContext client(boolean useTestCa, boolean withClientCertificate) {
    try {
      SslContextBuilder b = TernTls.forClient();
      if (useTestCa) {
        try (InputStream ca = open("ca.pem")) {
          b.trustManager(ca);
        }
      }
      if (withClientCertificate) {
        try (InputStream cert = open("client.pem"); InputStream key = open("client.key")) {
          b.keyManager(cert, key);
        }
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String name) throws IOException {
    InputStream in = InteropTls.class.getResourceAsStream("certs/" + name);
    if (in == null) {
      throw new IOException("Missing certificate resource dev/tern/interop/certs/" + name
          + " (unpacked from io.grpc:grpc-testing by the build)");
    }
    return in;
  }
}
