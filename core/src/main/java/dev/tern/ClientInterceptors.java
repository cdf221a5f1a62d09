package dev.tern;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Wraps channels in {@link ClientInterceptor}s. Stateless and thread-safe. */
public final class ClientInterceptors {
  private ClientInterceptors() {}

  /**
   * A channel whose calls pass through {@code interceptors} before reaching {@code channel}. The
   * first interceptor is the outermost: it sees each call (and its outbound events) first and
   * its inbound events last.
   */
  public static Channel intercept(Channel channel, ClientInterceptor... interceptors) {
    return intercept(channel, Arrays.asList(interceptors));
  }

  /** Like {@link #intercept(Channel, ClientInterceptor...)}; the first in the list is outermost. */
  public static Channel intercept(Channel channel, List<? extends ClientInterceptor> interceptors) {
    Objects.requireNonNull(channel, "channel");
    Channel result = channel;
    // Wrap from the innermost (last) outwards so that the first ends up on the outside.
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      result = new InterceptedChannel(result,
          Objects.requireNonNull(interceptors.get(i), "interceptor"));
    }
    return result;
  }

  /** One interceptor in front of the next channel. Thread-safe (immutable). */
  private static final class InterceptedChannel extends Channel {
    private final Channel next;
    private final ClientInterceptor interceptor;

    InterceptedChannel(Channel next, ClientInterceptor interceptor) {
      this.next = next;
      this.interceptor = interceptor;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
      return interceptor.interceptCall(method, callOptions, next);
    }

    @Override
    public String authority() {
      return next.authority();
    }
  }
}
