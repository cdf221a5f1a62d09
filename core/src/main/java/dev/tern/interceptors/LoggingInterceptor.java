package dev.tern.interceptors;

import dev.tern.Attributes;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;
import dev.tern.auth.AuthContext;
import dev.tern.auth.Principal;
import dev.tern.internal.CallWatch;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * Logs one structured line per server call when it ends, through {@link System.Logger} (no
 * logging framework needed; the JDK routes it to java.util.logging, or to SLF4J/Log4j if a
 * {@code System.LoggerFinder} bridge is on the class path). The line is logfmt:
 *
 * <pre>
 * rpc method=shop.Orders/Get peer=10.0.0.7:51544 principal=alice status=OK duration_ms=1.942 bytes_in=18 bytes_out=230
 * </pre>
 *
 * <p>{@code principal} is the {@link AuthContext#PRINCIPAL} of the call ({@code -} if none: place
 * this interceptor inside the authentication one to see it); bytes are message bytes
 * ({@code -1} if a marshaller cannot tell sizes); a failed call adds {@code message="..."} with
 * the status description. Thread-safe.
 */
public final class LoggingInterceptor implements ServerInterceptor {
  /** The logger used by {@link #create()}. */
  public static final String DEFAULT_LOGGER = "dev.tern.calls";

  private final System.Logger logger;
  private final System.Logger.Level level;

  private LoggingInterceptor(System.Logger logger, System.Logger.Level level) {
    this.logger = Objects.requireNonNull(logger, "logger");
    this.level = Objects.requireNonNull(level, "level");
  }

  /** Logs to {@value #DEFAULT_LOGGER} at INFO. */
  public static LoggingInterceptor create() {
    return new LoggingInterceptor(System.getLogger(DEFAULT_LOGGER), System.Logger.Level.INFO);
  }

  public static LoggingInterceptor create(System.Logger logger, System.Logger.Level level) {
    return new LoggingInterceptor(logger, level);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (!logger.isLoggable(level)) {
      return next.startCall(call, headers);
    }
    String method = call.getMethodDescriptor().getFullMethodName();
    String peer = peer(call.getAttributes().get(Attributes.REMOTE_ADDRESS));
    Principal principal = AuthContext.PRINCIPAL.get();
    String who = principal == null ? "-" : principal.getName();
    return CallWatch.watchServer(call, headers, next, (status, nanos, in, out) ->
        logger.log(level, line(method, peer, who, status, nanos, in, out)));
  }

  static String line(String method, String peer, String principal, Status status, long nanos,
      long bytesIn, long bytesOut) {
    StringBuilder sb = new StringBuilder(160).append("rpc");
    field(sb, "method", method);
    field(sb, "peer", peer);
    field(sb, "principal", principal);
    field(sb, "status", status.getCode().name());
    field(sb, "duration_ms", String.format(Locale.ROOT, "%.3f", nanos / 1e6));
    field(sb, "bytes_in", Long.toString(bytesIn));
    field(sb, "bytes_out", Long.toString(bytesOut));
    if (!status.isOk() && status.getDescription() != null) {
      field(sb, "message", status.getDescription());
    }
    return sb.toString();
  }

  /** Appends {@code key=value}, quoting values with spaces, quotes or '=' (logfmt). */
  private static void field(StringBuilder sb, String key, String value) {
    sb.append(' ').append(key).append('=');
    boolean quote = value.isEmpty();
    for (int i = 0; i < value.length() && !quote; i++) {
      char c = value.charAt(i);
      quote = c <= ' ' || c == '"' || c == '=' || c == '\\' || c > '~';
    }
    if (!quote) {
      sb.append(value);
      return;
    }
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          sb.append(c);
      }
    }
    sb.append('"');
  }

  private static String peer(SocketAddress address) {
    if (address == null) {
      return "-";
    }
    if (address instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) address;
      String host = inet.getHostString();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
    return address.toString();
  }
}
