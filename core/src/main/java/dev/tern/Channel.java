package dev.tern;

/**
 * A virtual connection to a service on which calls are made. Implementations are thread-safe.
 * Interceptors wrap a channel with {@link ClientInterceptors#intercept}.
 */
public abstract class Channel {
  /** Creates a call; nothing is sent until {@link ClientCall#start}. */
  public abstract <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions);

  /** The {@code :authority} this channel sends. */
  public abstract String authority();
}
