package dev.tern.inprocess;

import dev.tern.ClientStreamTracer;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * What an {@link InProcessChannel}'s calls are made with. Immutable.
 *
 * @param target the name of the server the calls go to
 * @param authority the {@code :authority} the server sees
 * @param executor the listeners' executor, or null to run them on the thread that causes them
 * @param serializeMessages whether messages are always serialized and parsed
 * @param maxInboundMessageSize the limit on a response's size
 * @param maxOutboundMessageSize the limit on a request's size
 * @param bufferLimit how many requests a call may have undelivered before it is not ready
 * @param tracerFactories tracers for every call, after the call's own
 * @param calls the channel's calls in flight
 */
record ClientConfig(String target, String authority, Executor executor,
    boolean serializeMessages, int maxInboundMessageSize, int maxOutboundMessageSize,
    int bufferLimit, List<ClientStreamTracer.Factory> tracerFactories,
    Lifecycle<InProcessClientCall<?, ?>> calls) {}
