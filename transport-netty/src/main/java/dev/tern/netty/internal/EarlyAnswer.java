package dev.tern.netty.internal;

import dev.tern.Status;
import io.netty.util.AsciiString;

/**
 * How the server answers a request stream that never becomes a call. Immutable values.
 */
sealed interface EarlyAnswer {
  /**
   * A request that is not gRPC (PROTOCOL-HTTP2.md: HTTP 415 for a foreign content-type; 405 for
   * a method other than POST), answered with a plain-text body saying why, once the request ends.
   */
  record HttpError(AsciiString httpStatus, Status status) implements EarlyAnswer {
    static final AsciiString UNSUPPORTED_MEDIA_TYPE = AsciiString.cached("415");
    static final AsciiString METHOD_NOT_ALLOWED = AsciiString.cached("405");
  }

  /**
   * A gRPC request that fails before a call exists (unknown method, malformed header, unknown
   * grpc-encoding): a Trailers-Only response with {@code status}, and {@code grpc-accept-encoding}
   * when {@code acceptEncoding} is not null (PROTOCOL-HTTP2.md "Compression").
   */
  record TrailersOnly(Status status, String acceptEncoding) implements EarlyAnswer {
    TrailersOnly(Status status) {
      this(status, null);
    }
  }

  /**
   * A stream opened after the final GOAWAY of a graceful shutdown: RST_STREAM(REFUSED_STREAM),
   * so the client knows it was not processed and may retry it (RFC 9113 §8.7).
   */
  record Refused() implements EarlyAnswer {}
}
