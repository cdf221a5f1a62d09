package dev.tern.netty.internal;

import dev.tern.netty.WebMessageFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a server's browser-facing side needs: HTTP/1.1 timeouts, CORS, and the JSON message format
 * (if tern-json is present). Immutable; shared by every connection of a server.
 *
 * @param http1IdleTimeoutNanos an HTTP/1.1 connection with no request in progress is closed after
 *     this long
 * @param http1RequestTimeoutNanos a request whose head (and, for single-message requests, body)
 *     has not arrived this long after its first byte gets 408 and a close
 * @param corsAllowedOrigins origins allowed by CORS (exact, or "*"); empty: CORS off
 * @param corsAllowedHeaders request headers allowed beyond those gRPC-Web and Connect send
 * @param corsExposedHeaders response headers exposed beyond gRPC's and Connect's
 * @param corsMaxAgeSeconds how long a browser may cache a preflight answer
 * @param jsonFormat the {@code +json} message format, or null when tern-json is absent
 */
public record WebSettings(
    long http1IdleTimeoutNanos,
    long http1RequestTimeoutNanos,
    Set<String> corsAllowedOrigins,
    List<String> corsAllowedHeaders,
    List<String> corsExposedHeaders,
    int corsMaxAgeSeconds,
    WebMessageFormat jsonFormat) {

  /** Default HTTP/1.1 keep-alive idle timeout: 60 s (nginx's keepalive_timeout is 75 s). */
  public static final long DEFAULT_HTTP1_IDLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
  /** Default time for an HTTP/1.1 request to arrive: 30 s (nginx's client_header_timeout: 60 s). */
  public static final long DEFAULT_HTTP1_REQUEST_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** Default CORS preflight cache: 2 h, Chromium's cap. */
  public static final int DEFAULT_CORS_MAX_AGE_SECONDS = 7200;

  public WebSettings {
    corsAllowedOrigins = Set.copyOf(corsAllowedOrigins);
    corsAllowedHeaders = List.copyOf(corsAllowedHeaders);
    corsExposedHeaders = List.copyOf(corsExposedHeaders);
  }

  /** Defaults, CORS off, the JSON format found by {@link WebMessageFormat#loadJson()}. */
  public static WebSettings defaults() {
    return Defaults.INSTANCE;
  }

  /** Built once: the ServiceLoader lookup is not repeated per connection. */
  private static final class Defaults {
    static final WebSettings INSTANCE = new WebSettings(DEFAULT_HTTP1_IDLE_TIMEOUT_NANOS, DEFAULT_HTTP1_REQUEST_TIMEOUT_NANOS,
        Set.of(), List.of(), List.of(), DEFAULT_CORS_MAX_AGE_SECONDS, WebMessageFormat.loadJson());
  }
}
