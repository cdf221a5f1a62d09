package dev.tern.metrics;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.internal.AttemptHook;
import dev.tern.internal.CallWatch;
import java.util.Objects;

/**
 * Interceptors that measure calls into a {@link MetricsRecorder}: {@link InMemoryMetrics}, or the
 * Micrometer and OpenTelemetry bindings ({@code tern-metrics-micrometer},
 * {@code tern-opentelemetry}).
 *
 * <p>On the server, put the interceptor inside authentication if rejected calls should not count
 * (or outside to count them too), and outside {@link dev.tern.interceptors.RecoveryInterceptor}
 * so that handler failures count as INTERNAL. On the client, install it on the channel
 * ({@code TernChannel.Builder.intercept}): it then sits outside the channel's retries, records
 * one call and, through the retry layer, each attempt. Stateless apart from the recorder;
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
    ClientInterceptor perAttempt = new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        return attempt(recorder, method, next.authority(), next.newCall(method, callOptions));
      }
    };
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        String name = method.getFullMethodName();
        String target = next.authority();
        AttemptHook hook = new AttemptHook(perAttempt);
        ClientCall<ReqT, RespT> call = next.newCall(method, AttemptHook.add(callOptions, hook));
        if (!hook.isClaimed()) {
          call = attempt(recorder, method, target, call); // no retries below: one attempt
        }
        return CallWatch.watchClient(call, method, (status, nanos, in, out) ->
            recorder.clientCallEnded(name, target, status.getCode(), nanos));
      }
    };
  }

  private static <ReqT, RespT> ClientCall<ReqT, RespT> attempt(MetricsRecorder recorder,
      MethodDescriptor<ReqT, RespT> method, String target, ClientCall<ReqT, RespT> call) {
    String name = method.getFullMethodName();
    recorder.clientAttemptStarted(name, target);
    return CallWatch.watchClient(call, method, (status, nanos, in, out) ->
        recorder.clientAttemptEnded(name, target, status.getCode(), nanos, out, in));
  }
}
