package dev.tern.netty.internal;

import dev.tern.ClientStreamTracer;
import dev.tern.retry.HedgingPolicy;
import dev.tern.retry.RetryPolicy;
import dev.tern.retry.RetryThrottle;
import java.util.List;

/**
 * What one call's retry engine is configured with: at most one of a retry and a hedging policy
 * (gRFC A6), the channel's throttle, the replay buffer limit for all attempts together, and the
 * attempt tracer factories. Immutable; the channel's own is shared by calls that add nothing.
 */
record RetryConfig(RetryPolicy retryPolicy, HedgingPolicy hedgingPolicy, RetryThrottle throttle,
    long bufferLimit, List<ClientStreamTracer.Factory> tracerFactories) {}
