package dev.tern.inprocess;

import dev.tern.ServerMethodDefinition;
import dev.tern.ServerStreamTracer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * What an {@link InProcessServer}'s calls are served with. Immutable.
 *
 * @param methods the registered methods, with the server's interceptors, by full name
 * @param executor the handlers' executor, or null to run them on the thread that causes them
 * @param maxInboundMessageSize the limit on a request's size
 * @param maxOutboundMessageSize the limit on a response's size
 * @param bufferLimit how many responses a call may have undelivered before it is not ready
 * @param tracerFactories tracers for every call
 */
record ServerConfig(Map<String, ServerMethodDefinition<?, ?>> methods, Executor executor,
    int maxInboundMessageSize, int maxOutboundMessageSize, int bufferLimit,
    List<ServerStreamTracer.Factory> tracerFactories) {}
