package dev.tern.services;

import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.ForwardingServerCall;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;
import dev.tern.services.orca.v3.OrcaLoadReport;

/**
 * Per-call backend metrics (gRFC A51, ORCA): gives each call a {@link CallMetricRecorder}, reached
 * by its handler through {@link CallMetricRecorder#current()}, and sends what the handler recorded
 * in the {@code endpoint-load-metrics-bin} trailer, a serialized
 * {@code xds.data.orca.v3.OrcaLoadReport}. A call that records nothing gets no trailer.
 *
 * <pre>{@code
 * TernServer.builder().intercept(OrcaServerInterceptor.create())...
 * }</pre>
 *
 * <p>Immutable and stateless: one instance serves every call, concurrently.
 */
public final class OrcaServerInterceptor implements ServerInterceptor {
  /** gRFC A51: the trailer that carries a call's load report. */
  public static final Metadata.Key<byte[]> ENDPOINT_LOAD_METRICS_KEY =
      Metadata.Key.binary("endpoint-load-metrics-bin");

  private static final OrcaServerInterceptor INSTANCE = new OrcaServerInterceptor();

  private OrcaServerInterceptor() {}

  public static OrcaServerInterceptor create() {
    return INSTANCE;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
      Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    CallMetricRecorder recorder = new CallMetricRecorder();
    Context context = Context.current().withValue(CallMetricRecorder.KEY, recorder);
    return Contexts.interceptCall(context, new ForwardingServerCall<ReqT, RespT>() {
      @Override
      protected ServerCall<ReqT, RespT> delegate() {
        return call;
      }

      @Override
      public void close(Status status, Metadata trailers) {
        OrcaLoadReport report = recorder.finish();
        if (report != null) {
          trailers.put(ENDPOINT_LOAD_METRICS_KEY, report.toByteArray());
        }
        super.close(status, trailers);
      }
    }, headers, next);
  }
}
