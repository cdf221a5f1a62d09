package dev.tern.netty;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.File;
import java.io.InputStream;
import java.util.List;

/**
 * Builders of Netty {@link SslContext}s set up for gRPC: ALPN offering only {@code h2}, TLS 1.3
 * and 1.2, and the cipher suites RFC 9113 §9.2 allows. Add trust and key material, then pass the
 * built context to {@link TernServer.Builder#sslContext} or {@link TernChannel.Builder#sslContext}.
 *
 * <pre>{@code
 * SslContext server = TernTls.forServer(certChain, privateKey)
 *     .trustManager(clientCa).clientAuth(ClientAuth.REQUIRE)   // optional: mutual TLS
 *     .build();
 * SslContext client = TernTls.forClient().trustManager(ca).build();
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class TernTls {
  /** The only application protocol gRPC runs on (PROTOCOL-HTTP2.md; RFC 9113 §3.2). */
  static final String H2 = ApplicationProtocolNames.HTTP_2;

  private TernTls() {}

  /** A server context builder for a PEM certificate chain and PKCS#8 PEM private key. */
  public static SslContextBuilder forServer(File certChain, File privateKey) {
    return configureServer(SslContextBuilder.forServer(certChain, privateKey));
  }

  /** A server context builder for a PEM certificate chain and PKCS#8 PEM private key. */
  public static SslContextBuilder forServer(InputStream certChain, InputStream privateKey) {
    return configureServer(SslContextBuilder.forServer(certChain, privateKey));
  }

  /**
   * As {@link #configure} for a server, also offering {@code http/1.1} after {@code h2}, so that
   * gRPC-Web and Connect clients without HTTP/2 reach the same port (docs/web.md).
   */
  public static SslContextBuilder configureServer(SslContextBuilder builder) {
    return configure(builder).applicationProtocolConfig(new ApplicationProtocolConfig(
        ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
        H2, ApplicationProtocolNames.HTTP_1_1));
  }

  /** A client context builder trusting the JDK's default CAs until told otherwise. */
  public static SslContextBuilder forClient() {
    return configure(SslContextBuilder.forClient());
  }

  /** Applies gRPC's requirements (ALPN {@code h2}, TLS versions, ciphers) to any builder. */
  public static SslContextBuilder configure(SslContextBuilder builder) {
    return builder
        // The JDK provider has ALPN on Java 9+; no native library is needed.
        .sslProvider(SslProvider.JDK)
        .protocols("TLSv1.3", "TLSv1.2")
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            // A peer offering no h2 is refused by the handshake checks, not silently downgraded.
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            H2));
  }

  /** Rejects a context that cannot negotiate h2, which every gRPC peer requires over TLS. */
  @SuppressWarnings("deprecation")
  static SslContext checkH2(SslContext context, boolean server) {
    if (context.isServer() != server) {
      throw new IllegalArgumentException(
          "expected a " + (server ? "server" : "client") + " SslContext");
    }
    List<String> protocols = context.applicationProtocolNegotiator().protocols();
    if (protocols == null || !protocols.contains(H2)) {
      throw new IllegalArgumentException("SslContext must offer ALPN protocol \"h2\" (got "
          + protocols + "); build it with TernTls or configure ApplicationProtocolConfig");
    }
    return context;
  }
}
