package dev.tern.netty.internal;

import dev.tern.CallOptions;
import dev.tern.MethodDescriptor;
import java.util.concurrent.CompletableFuture;

/**
 * Where a call's attempt gets its connection: the channel's one connection
 * ({@link ClientConnectionManager}) or a load balancer's pick ({@link LbTransports}).
 * Implementations are thread-safe.
 */
public interface TransportSource {
  /**
   * A READY connection for a new stream of {@code method}. Fails with UNAVAILABLE (a
   * {@link dev.tern.StatusRuntimeException}) when the channel is shut down, or cannot connect and
   * the call is not wait-for-ready. A caller that gives up completes the future itself
   * (exceptionally), which withdraws it.
   */
  CompletableFuture<ClientHandler> transport(MethodDescriptor<?, ?> method, CallOptions options);
}
