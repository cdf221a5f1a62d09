package dev.tern;

/**
 * Wraps the client side of calls: sees and can change headers, messages, status and trailers.
 * Implementations are thread-safe.
 */
@FunctionalInterface
public interface ClientInterceptor {
  <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next);
}
