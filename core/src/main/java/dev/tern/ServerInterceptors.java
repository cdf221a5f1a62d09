package dev.tern;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Wraps the handlers of a service in {@link ServerInterceptor}s. Stateless and thread-safe. */
public final class ServerInterceptors {
  private ServerInterceptors() {}

  /**
   * {@code service} with every method's handler behind {@code interceptors}. The first
   * interceptor is the outermost: it sees each call first (before the second, and so on down to
   * the handler).
   */
  public static ServerServiceDefinition intercept(
      ServerServiceDefinition service, ServerInterceptor... interceptors) {
    return intercept(service, Arrays.asList(interceptors));
  }

  /** Like {@link #intercept(ServerServiceDefinition, ServerInterceptor...)}. */
  public static ServerServiceDefinition intercept(
      ServerServiceDefinition service, List<? extends ServerInterceptor> interceptors) {
    Objects.requireNonNull(service, "service");
    for (ServerInterceptor interceptor : interceptors) {
      Objects.requireNonNull(interceptor, "interceptor");
    }
    if (interceptors.isEmpty()) {
      return service;
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(service.getServiceDescriptor());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      b.addMethod(wrap(method, interceptors));
    }
    return b.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> wrap(
      ServerMethodDefinition<ReqT, RespT> method, List<? extends ServerInterceptor> interceptors) {
    ServerCallHandler<ReqT, RespT> handler = method.getServerCallHandler();
    // Innermost (last) first, so the first interceptor ends up outermost.
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      handler = new InterceptedHandler<>(interceptors.get(i), handler);
    }
    return method.withServerCallHandler(handler);
  }

  /** One interceptor in front of the next handler. Thread-safe (immutable). */
  private static final class InterceptedHandler<ReqT, RespT>
      implements ServerCallHandler<ReqT, RespT> {
    private final ServerInterceptor interceptor;
    private final ServerCallHandler<ReqT, RespT> next;

    InterceptedHandler(ServerInterceptor interceptor, ServerCallHandler<ReqT, RespT> next) {
      this.interceptor = interceptor;
      this.next = next;
    }

    @Override
    public ServerCall.Listener<ReqT> startCall(ServerCall<ReqT, RespT> call, Metadata headers) {
      return interceptor.interceptCall(call, headers, next);
    }
  }
}
