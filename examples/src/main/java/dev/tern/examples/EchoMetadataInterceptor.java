package dev.tern.examples;

import dev.tern.ForwardingServerCall;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;

/**
 * Server-side metadata: echoes the client's {@code x-request-id} in the response headers and its
 * binary {@code x-trace-bin} in the trailers, and adds {@code x-served-by} to the trailers of
 * every call, failed or not. Thread-safe.
 */
public final class EchoMetadataInterceptor implements ServerInterceptor {
  public static final Metadata.Key<String> REQUEST_ID = Metadata.Key.ascii("x-request-id");
  public static final Metadata.Key<byte[]> TRACE = Metadata.Key.binary("x-trace-bin");
  public static final Metadata.Key<String> SERVED_BY = Metadata.Key.ascii("x-served-by");

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String requestId = headers.get(REQUEST_ID);
    byte[] trace = headers.get(TRACE);
    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void sendHeaders(Metadata responseHeaders) {
        if (requestId != null) {
          responseHeaders.put(REQUEST_ID, requestId);
        }
        super.sendHeaders(responseHeaders);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        trailers.put(SERVED_BY, "tern");
        if (trace != null) {
          trailers.put(TRACE, trace);
        }
        super.close(status, trailers);
      }
    }, headers);
  }
}
