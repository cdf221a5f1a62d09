package dev.tern.netty.internal;

import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Metadata;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.internal.GrpcTimeout;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a request's headers into either a call to start (its method, metadata, inbound codec and
 * deadline) or an {@link EarlyAnswer} (PROTOCOL-HTTP2.md "Requests"). One per connection.
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class MethodRouter {
  /** What a request becomes. */
  sealed interface Route {}

  /** A routed call. {@code timeoutNanos} is the decoded grpc-timeout, -1 for none. */
  record CallRoute(ServerMethodDefinition<?, ?> method, Metadata metadata, Codec inboundCodec,
      long timeoutNanos) implements Route {}

  /** A request answered without a call. */
  record AnswerRoute(EarlyAnswer answer) implements Route {}

  private final ServerSettings settings;
  /** Registered methods by decoded :path, filled on first use. */
  private final Map<AsciiString, ServerMethodDefinition<?, ?>> methodsByAsciiPath =
      new HashMap<>();

  MethodRouter(ServerSettings settings) {
    this.settings = settings;
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
    return new CallRoute(method, metadata, inboundCodec, timeoutNanos);
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
