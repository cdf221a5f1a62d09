package dev.tern.netty.internal;

import dev.tern.Status;
import io.netty.handler.codec.http2.Http2Error;

/**
 * Maps HTTP/2 error codes to gRPC statuses as PROTOCOL-HTTP2.md "Errors" specifies. Stateless and
 * thread-safe.
 */
public final class Http2Errors {
  private Http2Errors() {}

  /** The status for a stream reset with {@code errorCode}. */
  public static Status statusForRstStream(long errorCode) {
    Http2Error error = Http2Error.valueOf(errorCode);
    Status.Code code;
    if (error == null) {
      code = Status.Code.INTERNAL;
    } else {
      switch (error) {
        case REFUSED_STREAM:
          // The peer did not process the stream: safe to retry (gRFC A6 transparent retry).
          code = Status.Code.UNAVAILABLE;
          break;
        case CANCEL:
          code = Status.Code.CANCELLED;
          break;
        case ENHANCE_YOUR_CALM:
          code = Status.Code.RESOURCE_EXHAUSTED;
          break;
        case INADEQUATE_SECURITY:
          code = Status.Code.PERMISSION_DENIED;
          break;
        default:
          code = Status.Code.INTERNAL;
      }
    }
    return code.toStatus().withDescription("Received RST_STREAM with error code "
        + (error == null ? errorCode : error.name()));
  }
}
