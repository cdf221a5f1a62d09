package dev.tern;

/**
 * Wraps the server side of calls: sees and can change headers, messages, status and trailers, and
 * can put values into the call's {@link Context}. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ServerInterceptor {
  <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next);
}
