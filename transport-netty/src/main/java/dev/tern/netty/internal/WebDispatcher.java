package dev.tern.netty.internal;

import dev.tern.netty.WebMessageFormat;
import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.internal.GrpcTimeout;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one browser-facing request into a {@link WebCall} or an early answer: CORS preflight,
 * the protocol by {@code content-type} (gRPC-Web, Connect unary, Connect streaming; gRPC itself
 * only over HTTP/2), the method by path, the message format, deadline, metadata and encodings.
 * Every call goes through the server's one intercepted {@link ServerMethodDefinition} registry.
 *
 * <p>Thread-safe (immutable): one per server ({@link ServerShared}), used by every connection's
 * event loop.
 */
final class WebDispatcher {
  static final AsciiString GRPC_WEB = AsciiString.cached("x-grpc-web");
  static final AsciiString CONNECT_PROTOCOL_VERSION =
      AsciiString.cached("connect-protocol-version");
  static final AsciiString CONNECT_TIMEOUT_MS = AsciiString.cached("connect-timeout-ms");
  static final AsciiString CONNECT_ACCEPT_ENCODING =
      AsciiString.cached("connect-accept-encoding");
  static final AsciiString ACCEPT_ENCODING = AsciiString.cached("accept-encoding");
  private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");
  /** docs/protocol.md: Connect-Timeout-Ms is at most 10 digits. */
  private static final int MAX_TIMEOUT_DIGITS = 10;

  /** The protocol a request speaks, by its content-type. */
  enum Kind {
    GRPC, GRPC_WEB, GRPC_WEB_TEXT, CONNECT_UNARY, CONNECT_STREAM;

    /**
     * The kind and message subtype of {@code contentType} (parameters ignored), or null if it is
     * none of the gRPC, gRPC-Web or Connect types.
     */
    static Map.Entry<Kind, String> of(CharSequence contentType) {
      if (contentType == null) {
        return null;
      }
      String type = contentType.toString();
      int semicolon = type.indexOf(';');
      type = (semicolon < 0 ? type : type.substring(0, semicolon)).trim()
          .toLowerCase(Locale.ROOT);
      if (!type.startsWith("application/")) {
        return null;
      }
      String sub = type.substring("application/".length());
      int plus = sub.indexOf('+');
      String base = plus < 0 ? sub : sub.substring(0, plus);
      String format = plus < 0 ? "proto" : sub.substring(plus + 1);
      Kind kind = switch (base) {
        case "grpc" -> GRPC;
        case "grpc-web" -> GRPC_WEB;
        case "grpc-web-text" -> GRPC_WEB_TEXT;
        case "connect" -> plus < 0 ? null : CONNECT_STREAM;
        case "proto", "json" -> plus < 0 ? CONNECT_UNARY : null;
        default -> null;
      };
      if (kind == CONNECT_UNARY) {
        format = base;
      }
      return kind == null ? null : Map.entry(kind, format);
    }
  }

  private final ServerSettings settings;
  private final WebSettings web;
  private final WebCors cors;

  WebDispatcher(ServerSettings settings, WebSettings web) {
    this.settings = settings;
    this.web = web;
    this.cors = new WebCors(web);
  }

  /**
   * Whether an HTTP/2 request is for this dispatcher rather than gRPC's router: a gRPC-Web or
   * Connect content-type, a GET or a preflight.
   */
  static boolean handles(Http2Headers headers) {
    CharSequence contentType = headers.get(GrpcHeaders.CONTENT_TYPE);
    if (GrpcHeaders.isGrpcContentType(contentType)) {
      // gRPC proper, whatever the method: its router answers (405 for a GET).
      return false;
    }
    CharSequence method = headers.method();
    if (AsciiString.contentEquals("GET", method) || AsciiString.contentEquals("OPTIONS", method)) {
      return true;
    }
    Map.Entry<Kind, String> kind = Kind.of(contentType);
    return kind != null && kind.getKey() != Kind.GRPC;
  }

  /**
   * Starts the exchange's call or answers it; returns how many request body bytes it may carry
   * (Long.MAX_VALUE for a stream of messages, bounded per message and by flow control).
   */
  long dispatch(WebExchange ex) {
    Http2Headers headers = ex.requestHeaders();
    CharSequence origin = headers.get(WebCors.ORIGIN);
    long singleMessage = settings.maxInboundMessageSize() + 5L;
    if (WebCors.isPreflight(headers) && cors.enabled()) {
      ex.writeHead(cors.preflight(origin), true);
      return 0;
    }
    if (cors.enabled()) {
      ex.extraResponseHeaders(cors.responseHeaders(origin));
    }
    String method = headers.method().toString();
    String path = headers.path() == null ? "" : headers.path().toString();
    int question = path.indexOf('?');
    String query = question < 0 ? null : path.substring(question + 1);
    path = question < 0 ? path : path.substring(0, question);
    if ("GET".equals(method)) {
      return connectGet(ex, path, query);
    }
    if (!"POST".equals(method)) {
      plain(ex, "405", "Method '" + method + "' is not supported: use POST (or GET for Connect"
          + " methods without side effects)");
      return singleMessage;
    }
    CharSequence contentType = headers.get(GrpcHeaders.CONTENT_TYPE);
    Map.Entry<Kind, String> kind = Kind.of(contentType);
    if (kind == null) {
      plain(ex, "415", contentType == null ? "Missing content-type"
          : "Content-Type '" + contentType + "' is not supported");
      return singleMessage;
    }
    if (kind.getKey() == Kind.GRPC) {
      plain(ex, "415", "gRPC (" + contentType + ") needs HTTP/2 with trailers; over HTTP/1.1"
          + " use gRPC-Web (application/grpc-web) or Connect (application/proto)");
      return singleMessage;
    }
    WebMessageFormat format = null;
    if (!"proto".equals(kind.getValue())) {
      if (!"json".equals(kind.getValue()) || web.jsonFormat() == null) {
        plain(ex, "415", "Message format '" + kind.getValue() + "' is not supported"
            + ("json".equals(kind.getValue())
                ? ": add the tern-json module (dev.tern:tern-json) to serve JSON" : ""));
        return singleMessage;
      }
      format = web.jsonFormat();
    }
    String type = contentType.toString();
    int semicolon = type.indexOf(';');
    type = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
    ServerMethodDefinition<?, ?> def = settings.methodsByPath().get(path);
    return switch (kind.getKey()) {
      case GRPC_WEB, GRPC_WEB_TEXT -> grpcWeb(ex, def, path, type,
          kind.getKey() == Kind.GRPC_WEB_TEXT, format, singleMessage);
      case CONNECT_UNARY -> connectUnary(ex, def, path, type, format, null, singleMessage);
      default -> connectStream(ex, def, path, type, format);
    };
  }

  // ---------------------------------------------------------------- gRPC-Web

  private long grpcWeb(WebExchange ex, ServerMethodDefinition<?, ?> def, String path,
      String type, boolean text, WebMessageFormat format, long singleMessage) {
    Http2Headers headers = ex.requestHeaders();
    GrpcWebProtocol protocol = new GrpcWebProtocol(type, text);
    long limit = text ? singleMessage * 4 / 3 + 8 : singleMessage;
    if (def == null) {
      protocol.writeStatus(ex, false, Status.UNIMPLEMENTED.withDescription(
          "Method not found: " + path.substring(Math.min(1, path.length()))), null);
      return limit;
    }
    if (!def.getMethodDescriptor().getType().clientSendsOneMessage()) {
      // PROTOCOL-WEB.md: client and bidi streaming are not supported by gRPC-Web clients.
      protocol.writeStatus(ex, false, Status.UNIMPLEMENTED.withDescription(
          "gRPC-Web does not support client or bidi streaming ("
              + def.getMethodDescriptor().getType() + "); use Connect or gRPC"), null);
      return limit;
    }
    long timeoutNanos = -1;
    CharSequence timeout = headers.get(GrpcHeaders.GRPC_TIMEOUT);
    Status error = null;
    Codec inbound = null;
    if (timeout != null) {
      try {
        timeoutNanos = GrpcTimeout.decodeNanos(timeout);
      } catch (IllegalArgumentException e) {
        error = Status.INTERNAL.withDescription(e.getMessage());
      }
    }
    CharSequence encoding = headers.get(GrpcHeaders.GRPC_ENCODING);
    if (error == null && encoding != null
        && !AsciiString.contentEquals(encoding, CodecRegistry.IDENTITY)) {
      inbound = settings.codecs().lookup(encoding.toString());
      if (inbound == null) {
        error = Status.UNIMPLEMENTED.withDescription("Can't find decompressor for " + encoding);
      }
    }
    Metadata metadata = error == null ? metadata(headers) : null;
    if (error == null && metadata == null) {
      error = Status.INTERNAL.withDescription("Malformed binary metadata header");
    }
    if (error != null) {
      protocol.writeStatus(ex, false, error, null);
      return limit;
    }
    start(ex, protocol, def, format, inbound, null, timeoutNanos, metadata);
    return limit;
  }

  // ---------------------------------------------------------------- Connect

  private long connectUnary(WebExchange ex, ServerMethodDefinition<?, ?> def, String path,
      String type, WebMessageFormat format, ByteBuf getBody, long singleMessage) {
    Http2Headers headers = ex.requestHeaders();
    CharSequence contentEncoding = getBody != null ? null
        : headers.get(ConnectUnaryProtocol.CONTENT_ENCODING);
    return connect(ex, def, path, type, format, getBody, singleMessage, contentEncoding,
        headers.get(ACCEPT_ENCODING), false);
  }

  private long connectStream(WebExchange ex, ServerMethodDefinition<?, ?> def, String path,
      String type, WebMessageFormat format) {
    Http2Headers headers = ex.requestHeaders();
    return connect(ex, def, path, type, format, null, Long.MAX_VALUE,
        headers.get(ConnectStreamProtocol.CONNECT_CONTENT_ENCODING),
        headers.get(CONNECT_ACCEPT_ENCODING), true);
  }

  private long connect(WebExchange ex, ServerMethodDefinition<?, ?> def, String path,
      String type, WebMessageFormat format, ByteBuf getBody, long limit,
      CharSequence contentEncoding, CharSequence acceptEncoding, boolean streaming) {
    Http2Headers headers = ex.requestHeaders();
    Codec inbound = null;
    Codec outbound = null;
    Status error = null;
    if (contentEncoding != null && !AsciiString.contentEquals(contentEncoding,
        CodecRegistry.IDENTITY)) {
      inbound = settings.codecs().lookup(contentEncoding.toString());
      if (inbound == null) {
        // docs/protocol.md: an unsupported encoding is answered with unimplemented.
        error = Status.UNIMPLEMENTED.withDescription("Unsupported compression '"
            + contentEncoding + "'; supported: " + settings.codecs().acceptEncoding());
      }
    }
    if (acceptEncoding != null && GrpcHeaders.listContains(acceptEncoding, "gzip")) {
      outbound = settings.codecs().lookup("gzip");
    }
    String responseEncoding = outbound == null ? null : outbound.encoding();
    WebProtocol protocol = streaming ? new ConnectStreamProtocol(type, responseEncoding)
        : getBody != null
            ? ConnectUnaryProtocol.forGet(type, inbound != null, responseEncoding, getBody,
                settings.maxInboundMessageSize())
            : new ConnectUnaryProtocol(type, inbound != null, responseEncoding,
                settings.maxInboundMessageSize());
    if (error == null && def == null) {
      error = Status.UNIMPLEMENTED.withDescription("Method not found: "
          + path.substring(Math.min(1, path.length())));
    }
    if (error == null) {
      MethodDescriptor.MethodType methodType = def.getMethodDescriptor().getType();
      if (streaming == (methodType == MethodDescriptor.MethodType.UNARY)) {
        protocol.release();
        plain(ex, "415", "Content-Type '" + type + "' does not fit the " + methodType
            + " method " + path.substring(1) + (streaming
                ? ": use application/proto or application/json"
                : ": use application/connect+proto or application/connect+json"));
        return limit;
      }
      if (methodType == MethodDescriptor.MethodType.BIDI_STREAMING && !ex.isHttp2()) {
        protocol.release();
        // docs/protocol.md: bidirectional streams need HTTP/2.
        plain(ex, "505", "Bidirectional streaming needs HTTP/2");
        return limit;
      }
    }
    CharSequence version = headers.get(CONNECT_PROTOCOL_VERSION);
    if (error == null && version != null && !AsciiString.contentEquals("1", version)) {
      error = Status.INVALID_ARGUMENT.withDescription(
          "Unsupported connect-protocol-version '" + version + "'; expected 1");
    }
    long timeoutNanos = -1;
    CharSequence timeout = headers.get(CONNECT_TIMEOUT_MS);
    if (error == null && timeout != null) {
      timeoutNanos = timeoutNanos(timeout);
      if (timeoutNanos < 0) {
        error = Status.INVALID_ARGUMENT.withDescription(
            "Malformed connect-timeout-ms '" + timeout + "': 1 to 10 digits");
      }
    }
    Metadata metadata = error == null ? metadata(headers) : null;
    if (error == null && metadata == null) {
      error = Status.INVALID_ARGUMENT.withDescription("Malformed binary metadata header");
    }
    if (error != null) {
      protocol.writeStatus(ex, false, error, null);
      protocol.release();
      return limit;
    }
    start(ex, protocol, def, format, inbound, outbound, timeoutNanos, metadata);
    return limit;
  }

  /** A GET for a method without side effects (docs/protocol.md "Unary-Get-Request"). */
  private long connectGet(WebExchange ex, String path, String query) {
    ConnectGetQuery q;
    try {
      q = ConnectGetQuery.parse(query);
    } catch (IllegalArgumentException e) {
      connectError(ex, Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      return 0;
    }
    ServerMethodDefinition<?, ?> def = settings.methodsByPath().get(path);
    if (def != null && !def.getMethodDescriptor().isSafe()) {
      Http2Headers head = new DefaultHttp2Headers(false).status("405").set("allow", "POST");
      writePlain(ex, head, "GET is only for methods with idempotency_level NO_SIDE_EFFECTS; "
          + "use POST");
      return 0;
    }
    WebMessageFormat format = null;
    if ("json".equals(q.encoding())) {
      format = web.jsonFormat();
      if (format == null) {
        plain(ex, "415", "Message format 'json' is not supported: add the tern-json module"
            + " (dev.tern:tern-json) to serve JSON");
        return 0;
      }
    } else if (!"proto".equals(q.encoding())) {
      connectError(ex, Status.INVALID_ARGUMENT.withDescription(
          "Unsupported encoding '" + q.encoding() + "': proto or json"));
      return 0;
    }
    Http2Headers headers = ex.requestHeaders();
    return connect(ex, def, path, "application/" + q.encoding(), format,
        Unpooled.wrappedBuffer(q.message()), 0,
        q.compression(), headers.get(ACCEPT_ENCODING), false);
  }

  private static void connectError(WebExchange ex, Status status) {
    new ConnectUnaryProtocol("application/json", false, null, 0)
        .writeStatus(ex, false, status, null);
  }

  /** Connect-Timeout-Ms in nanoseconds, or -1 if malformed. */
  static long timeoutNanos(CharSequence ms) {
    if (ms.length() == 0 || ms.length() > MAX_TIMEOUT_DIGITS) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < ms.length(); i++) {
      char c = ms.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return Math.multiplyExact(v, 1_000_000L);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void start(WebExchange ex, WebProtocol protocol, ServerMethodDefinition<?, ?> def,
      WebMessageFormat format, Codec inbound, Codec outbound, long timeoutNanos,
      Metadata metadata) {
    ServerCallTracer tracer = ServerCallTracer.create(settings.tracerFactories(),
        def.getMethodDescriptor().getFullMethodName(), metadata);
    WebCall<?, ?> call = new WebCall(ex, protocol, def, format, settings, inbound, outbound,
        timeoutNanos, tracer);
    call.start(metadata);
  }

  /**
   * The application's metadata: the request headers less the protocols' own and HTTP's
   * connection headers; null for a malformed {@code -bin} value.
   */
  private static Metadata metadata(Http2Headers headers) {
    Http2Headers kept = new DefaultHttp2Headers(false);
    for (Map.Entry<CharSequence, CharSequence> e : headers) {
      String name = e.getKey().toString();
      if (name.startsWith("connect-") || name.equals("content-encoding")
          || name.equals("accept-encoding") || name.equals("content-length")
          || name.equals("x-grpc-web") || name.equals("host")) {
        continue;
      }
      kept.add(e.getKey(), e.getValue());
    }
    try {
      return GrpcHeaders.toMetadata(kept);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void plain(WebExchange ex, String status, String text) {
    writePlain(ex, new DefaultHttp2Headers(false).status(status), text);
  }

  private static void writePlain(WebExchange ex, Http2Headers head, String text) {
    ByteBuf body = Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8);
    head.set(GrpcHeaders.CONTENT_TYPE, TEXT_PLAIN).setInt("content-length", body.readableBytes());
    ex.writeHead(head, false);
    ex.writeBody(body, true, ex.context().newPromise());
  }
}
