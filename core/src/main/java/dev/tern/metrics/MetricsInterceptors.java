package dev.tern.metrics;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.ClientStreamTracer;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;
import dev.tern.internal.CallWatch;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Interceptors that measure calls into a {@link MetricsRecorder}: {@link InMemoryMetrics}, or the
 * Micrometer and OpenTelemetry bindings ({@code tern-metrics-micrometer},
 * {@code tern-opentelemetry}).
 *
 * <p>On the server, put the interceptor inside authentication if rejected calls should not count
 * (or outside to count them too), and outside {@link dev.tern.interceptors.RecoveryInterceptor}
 * so that handler failures count as INTERNAL. On the client, install it on the channel
 * ({@code TernChannel.Builder.intercept}): it then sits outside the channel's retries, records
 * one call and, through an attempt tracer ({@link ClientStreamTracer}), each attempt. Stateless apart from the recorder;
 * thread-safe.
 */
public final class MetricsInterceptors {
  private MetricsInterceptors() {}

  /** Records server calls: started, duration by status, message bytes each way. */
  public static ServerInterceptor server(MetricsRecorder recorder) {
    Objects.requireNonNull(recorder, "recorder");
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        recorder.serverCallStarted(method);
        return CallWatch.watchServer(call, headers, next, (status, nanos, in, out) ->
            recorder.serverCallEnded(method, status.getCode(), nanos, out, in));
      }
    };
  }

  /** Records client calls and their attempts (see the class comment). */
  public static ClientInterceptor client(MetricsRecorder recorder) {
    Objects.requireNonNull(recorder, "recorder");
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        String name = method.getFullMethodName();
        String target = next.authority();
        // Each attempt (the transport's retries, hedges, transparent retries) reports itself.
        ClientStreamTracer.Factory attempts = (info, headers) -> {
          recorder.clientAttemptStarted(name, target);
          return new AttemptRecorder(recorder, name, target);
        };
        ClientCall<ReqT, RespT> call =
            next.newCall(method, callOptions.withStreamTracerFactory(attempts));
        return CallWatch.watchClient(call, method, (status, nanos, in, out) ->
            recorder.clientCallEnded(name, target, status.getCode(), nanos));
      }
    };
  }

  /** One attempt's duration, status and wire bytes. Thread-safe (atomic counters). */
  private static final class AttemptRecorder extends ClientStreamTracer {
    private final MetricsRecorder recorder;
    private final String method;
    private final String target;
    private final long startNanos = System.nanoTime();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    AttemptRecorder(MetricsRecorder recorder, String method, String target) {
      this.recorder = recorder;
      this.method = method;
      this.target = target;
    }

    @Override
    public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      sent.addAndGet(wireSize);
    }

    @Override
    public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      received.addAndGet(wireSize);
    }

    @Override
    public void streamClosed(Status status) {
      recorder.clientAttemptEnded(method, target, status.getCode(),
          System.nanoTime() - startNanos, sent.get(), received.get());
    }
  }
}
