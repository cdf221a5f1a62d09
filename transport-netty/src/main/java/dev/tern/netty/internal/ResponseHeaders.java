package dev.tern.netty.internal;

import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.internal.StatusMessageCodec;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * Reads a gRPC response's HEADERS (PROTOCOL-HTTP2.md "Responses"): the response headers, and the
 * trailers or Trailers-Only response that carry its status. Stateless; any thread.
 */
final class ResponseHeaders {
  private ResponseHeaders() {}

  /**
   * Checked response headers: either {@code error} (the attempt fails with it), or the
   * application's {@code metadata} and the response's {@code codec} (null for identity).
   */
  record Checked(Status error, Metadata metadata, Codec codec) {
    static Checked failed(Status error) {
      return new Checked(error, null, null);
    }
  }

  /** The status and metadata of trailers (or of a Trailers-Only response). */
  record Trailers(Status status, Metadata metadata) {}

  /**
   * The first HEADERS of a response: {@code :status} 200 is required (other HTTP statuses map to
   * gRPC codes, PROTOCOL-HTTP2.md / http-grpc-status-mapping.md); for headers that do not end
   * the stream, a gRPC content-type and a known {@code grpc-encoding} too.
   */
  static Checked checkHeaders(Http2Headers headers, boolean endOfStream, CodecRegistry codecs) {
    CharSequence httpStatus = headers.status();
    if (httpStatus == null) {
      return Checked.failed(Status.INTERNAL.withDescription("Response has no :status"));
    }
    if (!GrpcHeaders.STATUS_OK.contentEquals(httpStatus)) {
      return Checked.failed(httpStatusError(httpStatus, headers));
    }
    if (endOfStream) {
      return new Checked(null, null, null); // Trailers-Only: read by trailers()
    }
    CharSequence contentType = headers.get(GrpcHeaders.CONTENT_TYPE);
    if (!GrpcHeaders.isGrpcContentType(contentType)) {
      return Checked.failed(Status.INTERNAL.withDescription(
          "Invalid content-type: " + contentType));
    }
    Codec codec = null;
    CharSequence encoding = headers.get(GrpcHeaders.GRPC_ENCODING);
    if (encoding != null && !AsciiString.contentEquals(encoding, CodecRegistry.IDENTITY)) {
      codec = codecs.lookup(encoding.toString());
      if (codec == null) {
        return Checked.failed(Status.INTERNAL.withDescription(
            "Can't find decompressor for " + encoding));
      }
    }
    try {
      return new Checked(null, GrpcHeaders.toMetadata(headers), codec);
    } catch (IllegalArgumentException e) {
      return Checked.failed(Status.INTERNAL.withDescription(e.getMessage()));
    }
  }

  /** The status and metadata of trailers; UNKNOWN without {@code grpc-status}. */
  static Trailers trailers(Http2Headers headers) {
    Status status = GrpcHeaders.statusFromTrailers(headers);
    if (status == null) {
      status = Status.UNKNOWN.withDescription("Response trailers have no grpc-status");
    }
    try {
      return new Trailers(status, GrpcHeaders.toMetadata(headers));
    } catch (IllegalArgumentException e) {
      return new Trailers(Status.INTERNAL.withDescription(e.getMessage()), new Metadata());
    }
  }

  private static Status httpStatusError(CharSequence httpStatus, Http2Headers headers) {
    int code;
    try {
      code = Integer.parseInt(httpStatus.toString());
    } catch (NumberFormatException e) {
      return Status.INTERNAL.withDescription("Malformed :status " + httpStatus);
    }
    Status status = GrpcHeaders.statusFromHttp(code);
    CharSequence message = headers.get(GrpcHeaders.GRPC_MESSAGE);
    return message == null ? status : status.augmentDescription(
        StatusMessageCodec.decode(message));
  }
}
