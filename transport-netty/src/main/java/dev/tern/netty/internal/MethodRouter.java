package dev.tern.netty.internal;

import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.internal.GrpcTimeout;
import dev.tern.netty.WebMessageFormat;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a request's headers into either a call to start (its method, metadata, inbound codec and
 * deadline) or an {@link EarlyAnswer} (PROTOCOL-HTTP2.md "Requests"). One per server
 * ({@link ServerShared}).
 *
 * <p>Thread-safe: the event loops of all the server's connections route through it; its caches
 * are concurrent maps.
 */
final class MethodRouter {
  /** What a request becomes. */
  sealed interface Route {}

  /** A routed call. {@code timeoutNanos} is the decoded grpc-timeout, -1 for none. */
  record CallRoute(ServerMethodDefinition<?, ?> method, Metadata metadata, Codec inboundCodec,
      long timeoutNanos, AsciiString contentType) implements Route {}

  /** A request answered without a call. */
  record AnswerRoute(EarlyAnswer answer) implements Route {}

  private static final AsciiString JSON_SUFFIX = AsciiString.cached("+json");
  static final AsciiString CONTENT_TYPE_GRPC_JSON = AsciiString.cached("application/grpc+json");

  private final ServerSettings settings;
  /** Registered methods by decoded :path, filled on first use. */
  private final Map<AsciiString, ServerMethodDefinition<?, ?>> methodsByAsciiPath =
      new ConcurrentHashMap<>();

  /** The {@code +json} format (tern-json), or null when it is not on the class path. */
  private final WebMessageFormat json;
  /** Registered methods with JSON marshallers, made on first use. */
  private final Map<ServerMethodDefinition<?, ?>, ServerMethodDefinition<?, ?>> jsonMethods =
      new ConcurrentHashMap<>();

  MethodRouter(ServerSettings settings, WebMessageFormat json) {
    this.settings = settings;
    this.json = json;
  }

  Route route(Http2Headers headers) {
    if (!GrpcHeaders.POST.contentEquals(headers.method())) {
      return answer(new EarlyAnswer.HttpError(EarlyAnswer.HttpError.METHOD_NOT_ALLOWED,
          Status.INTERNAL.withDescription(
              "Method '" + headers.method() + "' is not supported; gRPC requires POST")));
    }
    CharSequence contentType = headers.get(GrpcHeaders.CONTENT_TYPE);
    if (!GrpcHeaders.isGrpcContentType(contentType)) {
      // PROTOCOL-HTTP2.md: a non-gRPC content-type is answered with HTTP 415.
      return answer(new EarlyAnswer.HttpError(EarlyAnswer.HttpError.UNSUPPORTED_MEDIA_TYPE,
          Status.INTERNAL.withDescription(contentType == null
              ? "Missing content-type"
              : "Content-Type '" + contentType + "' is not supported")));
    }
    CharSequence path = headers.path();
    if (path == null || path.length() < 2 || path.charAt(0) != '/') {
      return trailersOnly(Status.UNIMPLEMENTED.withDescription("Malformed :path '" + path + "'"));
    }
    ServerMethodDefinition<?, ?> method = lookUp(path);
    if (method == null) {
      return trailersOnly(Status.UNIMPLEMENTED.withDescription(
          "Method not found: " + path.toString().substring(1)));
    }
    long timeoutNanos = -1;
    CharSequence timeout = headers.get(GrpcHeaders.GRPC_TIMEOUT);
    if (timeout != null) {
      try {
        timeoutNanos = GrpcTimeout.decodeNanos(timeout);
      } catch (IllegalArgumentException e) {
        // PROTOCOL-HTTP2.md gives no status for a malformed timeout; INTERNAL, as grpc-go
        // answers. Like any bad header it fails this call only.
        return trailersOnly(Status.INTERNAL.withDescription(e.getMessage()));
      }
    }
    Metadata metadata;
    try {
      metadata = GrpcHeaders.toMetadata(headers);
    } catch (IllegalArgumentException e) {
      // A bad header fails this call only; the connection and its HPACK state are fine.
      return trailersOnly(Status.INTERNAL.withDescription(e.getMessage()));
    }
    Codec inboundCodec = null;
    CharSequence encoding = headers.get(GrpcHeaders.GRPC_ENCODING);
    if (encoding != null && !AsciiString.contentEquals(encoding, CodecRegistry.IDENTITY)) {
      inboundCodec = settings.codecs().lookup(encoding.toString());
      if (inboundCodec == null) {
        // PROTOCOL-HTTP2.md "Compression": UNIMPLEMENTED, telling the client what is accepted.
        return answer(new EarlyAnswer.TrailersOnly(Status.UNIMPLEMENTED.withDescription(
            "Can't find decompressor for " + encoding), settings.codecs().acceptEncoding()));
      }
    }
    AsciiString responseType = null;
    if (isJson(contentType)) {
      // PROTOCOL-HTTP2.md: "application/grpc+json" carries the messages in the proto3 JSON
      // mapping; the response says the same.
      method = jsonMethod(method);
      if (method == null) {
        return trailersOnly(Status.UNIMPLEMENTED.withDescription("Content-Type '" + contentType
            + "' needs tern-json on the server's class path"));
      }
      responseType = CONTENT_TYPE_GRPC_JSON;
    }
    return new CallRoute(method, metadata, inboundCodec, timeoutNanos, responseType);
  }

  /** Whether a gRPC content-type names the JSON subtype: {@code application/grpc+json[;...]}. */
  private static boolean isJson(CharSequence contentType) {
    int at = GrpcHeaders.CONTENT_TYPE_GRPC.length();
    int end = at + JSON_SUFFIX.length();
    return contentType.length() >= end
        && AsciiString.regionMatches(contentType, true, at, JSON_SUFFIX, 0, JSON_SUFFIX.length())
        && (contentType.length() == end || contentType.charAt(end) == ';');
  }

  private ServerMethodDefinition<?, ?> jsonMethod(ServerMethodDefinition<?, ?> method) {
    if (json == null) {
      return null;
    }
    return jsonMethods.computeIfAbsent(method, m -> withFormat(m, json));
  }

  /** {@code method} reading and writing {@code format}, or null if the format cannot. */
  private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> withFormat(
      ServerMethodDefinition<ReqT, RespT> method, WebMessageFormat format) {
    MethodDescriptor<ReqT, RespT> descriptor = method.getMethodDescriptor();
    Marshaller<ReqT> request = format.marshaller(descriptor.getRequestMarshaller());
    Marshaller<RespT> response = format.marshaller(descriptor.getResponseMarshaller());
    if (request == null || response == null) {
      return null;
    }
    return ServerMethodDefinition.create(descriptor.toBuilder()
        .setRequestMarshaller(request).setResponseMarshaller(response).build(),
        method.getServerCallHandler());
  }

  private static Route answer(EarlyAnswer answer) {
    return new AnswerRoute(answer);
  }

  private static Route trailersOnly(Status status) {
    return new AnswerRoute(new EarlyAnswer.TrailersOnly(status));
  }

  /**
   * The method registered at {@code path}. Decoded paths are AsciiStrings, often the same
   * instance from the HPACK dynamic table: found by them, a known method costs no String copy.
   */
  private ServerMethodDefinition<?, ?> lookUp(CharSequence path) {
    if (!(path instanceof AsciiString ascii)) {
      return settings.methodsByPath().get(path.toString());
    }
    ServerMethodDefinition<?, ?> method = methodsByAsciiPath.get(ascii);
    if (method == null) {
      method = settings.methodsByPath().get(path.toString());
      if (method != null) {
        // Only registered paths are remembered: the map cannot grow past the registry.
        methodsByAsciiPath.put(ascii, method);
      }
    }
    return method;
  }
}
