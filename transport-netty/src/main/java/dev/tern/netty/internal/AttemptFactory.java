package dev.tern.netty.internal;

import dev.tern.CallOptions;
import dev.tern.ClientStreamTracer;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.retry.RetryPolicy;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;

/**
 * Makes the attempts of one call, each with its own request headers and tracers: the first
 * attempt sends the headers the call made (or the connection's shared plain ones); a later one
 * adds {@code grpc-previous-rpc-attempts} (gRFC A6), and with tracer factories every attempt gets
 * one tracer from each, which may add request metadata. A call without tracers whose first
 * attempt succeeds allocates nothing here beyond the attempt.
 *
 * <p>Immutable; {@link #create} runs under the engine's monitor.
 */
final class AttemptFactory {
  private final EngineListener call;
  private final AttemptSpec spec;
  private final MethodDescriptor<?, ?> method;
  private final CallOptions callOptions;
  private final String authority;
  private final List<ClientStreamTracer.Factory> tracerFactories;
  /** The application's request metadata. */
  private final Metadata appHeaders;
  /** The first attempt's request headers; null to use the connection's shared plain ones. */
  private final Http2Headers firstHeaders;

  AttemptFactory(EngineListener call, AttemptSpec spec, MethodDescriptor<?, ?> method,
      CallOptions callOptions, String authority,
      List<ClientStreamTracer.Factory> tracerFactories, Metadata appHeaders,
      Http2Headers firstHeaders) {
    this.call = call;
    this.spec = spec;
    this.method = method;
    this.callOptions = callOptions;
    this.authority = authority;
    this.tracerFactories = tracerFactories;
    this.appHeaders = appHeaders;
    this.firstHeaders = firstHeaders;
  }

  AttemptSpec spec() {
    return spec;
  }

  /**
   * Attempt number {@code previous} (+1), reporting to {@code engine}, its reader starting with
   * {@code requested} messages.
   */
  ClientAttempt create(AttemptEvents engine, int previous, boolean transparent,
      int requested) {
    Http2Headers headers = firstHeaders;
    AttemptTracers tracers = AttemptTracers.NONE;
    if (previous > 0 || !tracerFactories.isEmpty()) {
      Metadata metadata = new Metadata();
      metadata.merge(appHeaders);
      if (previous > 0) {
        metadata.removeAll(RetryPolicy.PREVIOUS_ATTEMPTS);
        metadata.put(RetryPolicy.PREVIOUS_ATTEMPTS, Integer.toString(previous));
      }
      tracers = AttemptTracers.create(tracerFactories, new ClientStreamTracer.AttemptInfo(
          method, callOptions, authority, previous, transparent), metadata);
      headers = call.requestHeaders(metadata);
    } else if (transparent && headers != null) {
      // Each attempt sets its own grpc-timeout: never share a headers object between attempts.
      headers = new DefaultHttp2Headers(false).add(headers);
    }
    return new ClientAttempt(engine, spec, headers, tracers, previous, requested);
  }
}
