package dev.tern.netty.internal;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * CORS (WHATWG Fetch "CORS protocol") for browsers calling gRPC-Web and Connect from another
 * origin: the preflight answer, and the headers every response to an allowed origin carries.
 * Immutable; shared by a server's connections.
 */
final class WebCors {
  static final AsciiString ORIGIN = AsciiString.cached("origin");
  static final AsciiString REQUEST_METHOD = AsciiString.cached("access-control-request-method");
  private static final AsciiString ALLOW_ORIGIN = AsciiString.cached("access-control-allow-origin");
  private static final AsciiString ALLOW_METHODS =
      AsciiString.cached("access-control-allow-methods");
  private static final AsciiString ALLOW_HEADERS =
      AsciiString.cached("access-control-allow-headers");
  private static final AsciiString EXPOSE_HEADERS =
      AsciiString.cached("access-control-expose-headers");
  private static final AsciiString MAX_AGE = AsciiString.cached("access-control-max-age");
  private static final AsciiString VARY = AsciiString.cached("vary");

  /** What gRPC-Web and Connect clients send (connect-es, grpc-web). */
  static final List<String> REQUEST_HEADERS = List.of("content-type", "x-grpc-web",
      "x-user-agent", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding",
      "connect-protocol-version", "connect-timeout-ms", "connect-content-encoding",
      "connect-accept-encoding", "content-encoding");
  /** What their responses carry that a script must read. */
  static final List<String> RESPONSE_HEADERS = List.of("grpc-status", "grpc-message",
      "grpc-status-details-bin", "grpc-encoding", "grpc-accept-encoding",
      "connect-content-encoding", "connect-accept-encoding", "content-encoding");

  private final WebSettings settings;
  private final String allowHeaders;
  private final String exposeHeaders;

  WebCors(WebSettings settings) {
    this.settings = settings;
    List<String> allow = new ArrayList<>(REQUEST_HEADERS);
    allow.addAll(settings.corsAllowedHeaders());
    this.allowHeaders = String.join(", ", allow);
    List<String> expose = new ArrayList<>(RESPONSE_HEADERS);
    expose.addAll(settings.corsExposedHeaders());
    this.exposeHeaders = String.join(", ", expose);
  }

  boolean enabled() {
    return !settings.corsAllowedOrigins().isEmpty();
  }

  private boolean allowed(CharSequence origin) {
    return origin != null && (settings.corsAllowedOrigins().contains("*")
        || settings.corsAllowedOrigins().contains(origin.toString()));
  }

  /** Whether {@code headers} are a preflight: OPTIONS with Origin and the method asked for. */
  static boolean isPreflight(Http2Headers headers) {
    return AsciiString.contentEquals("OPTIONS", headers.method())
        && headers.contains(ORIGIN) && headers.contains(REQUEST_METHOD);
  }

  /** Headers for an actual response to {@code origin}, or null if it is not allowed. */
  Http2Headers responseHeaders(CharSequence origin) {
    if (!allowed(origin)) {
      return null;
    }
    return new DefaultHttp2Headers(false).set(ALLOW_ORIGIN, origin).set(VARY, "origin")
        .set(EXPOSE_HEADERS, exposeHeaders);
  }

  /** The preflight answer: 204, with the CORS grants only for an allowed origin. */
  Http2Headers preflight(CharSequence origin) {
    Http2Headers headers = new DefaultHttp2Headers(false).status("204");
    if (allowed(origin)) {
      headers.set(ALLOW_ORIGIN, origin).set(VARY, "origin")
          .set(ALLOW_METHODS, "POST, GET")
          .set(ALLOW_HEADERS, allowHeaders)
          .setInt(MAX_AGE, settings.corsMaxAgeSeconds());
    }
    return headers;
  }
}
