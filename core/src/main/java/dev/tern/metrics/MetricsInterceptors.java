package dev.tern.metrics;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.ClientStreamTracer;
import dev.tern.ForwardingClientCall;
import dev.tern.ForwardingClientCallListener;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.ServerStreamTracer;
import dev.tern.Status;
import dev.tern.internal.CallWatch;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures calls into a {@link MetricsRecorder} ({@link InMemoryMetrics}, or the Micrometer and
 * OpenTelemetry bindings {@code tern-metrics-micrometer} and {@code tern-opentelemetry}) with the
 * instruments of gRFC A66.
 *
 * <p>Client: {@link #client} is one call-level interceptor. It records
 * {@code grpc.client.call.duration} itself and adds to each call's options a
 * {@link ClientStreamTracer.Factory} whose tracer records {@code grpc.client.attempt.*} for
 * every attempt the transport makes (the first, retries, hedges, transparent retries), with the
 * compressed (wire) message sizes. Install it on the channel ({@code TernChannel.Builder
 * .intercept}) or on a stub; either way it sits above the channel's retries.
 *
 * <p>Server: {@link #serverStreamTracerFactory} records {@code grpc.server.call.*} from the
 * transport, with compressed sizes, for every call the server accepts (install it with
 * {@code TernServer.Builder.addStreamTracerFactory}). {@link #server} is the interceptor form:
 * it sees only calls that reach it, and sizes there are the messages' serialized (uncompressed)
 * sizes, as an interceptor sees messages, not frames. Install one of the two, not both. Put the
 * interceptor inside authentication if rejected calls should not count (or outside to count
 * them too), and outside {@link dev.tern.interceptors.RecoveryInterceptor} so that handler
 * failures count as INTERNAL.
 *
 * <p>Stateless apart from the recorder; thread-safe.
 */
public final class MetricsInterceptors {
  private MetricsInterceptors() {}

  /**
   * Records server calls as an interceptor: started, duration by status, and message bytes each
   * way as serialized sizes (see the class comment; prefer {@link #serverStreamTracerFactory}).
   */
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

  /**
   * Records server calls from the transport: started, duration by status, and the compressed
   * (wire) message bytes each way (gRFC A66 {@code grpc.server.call.*}).
   */
  public static ServerStreamTracer.Factory serverStreamTracerFactory(MetricsRecorder recorder) {
    Objects.requireNonNull(recorder, "recorder");
    return (fullMethodName, headers) -> new ServerCallMetrics(recorder, fullMethodName);
  }

  /**
   * Records client calls ({@code grpc.client.call.duration}) and, through an attempt tracer,
   * each of their attempts (see the class comment).
   */
  public static ClientInterceptor client(MetricsRecorder recorder) {
    Objects.requireNonNull(recorder, "recorder");
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        String name = method.getFullMethodName();
        String target = next.authority();
        long startNanos = System.nanoTime();
        ClientStreamTracer.Factory attempts =
            (info, headers) -> new AttemptMetrics(recorder, name, target);
        ClientCall<ReqT, RespT> call =
            next.newCall(method, callOptions.withStreamTracerFactory(attempts));
        return new CallDuration<>(call, recorder, name, target, startNanos);
      }
    };
  }

  /** Sums wire sizes; a negative size (unknown) makes the total unknown (-1). Thread-safe. */
  private static final class ByteTotal {
    private final AtomicLong total = new AtomicLong();

    void add(long size) {
      if (size < 0) {
        total.set(Long.MIN_VALUE); // stays negative whatever is added later
      } else {
        total.addAndGet(size);
      }
    }

    long get() {
      long t = total.get();
      return t < 0 ? -1 : t;
    }
  }

  /**
   * gRFC A66 {@code grpc.client.attempt.*} for one attempt: started when created, ended with the
   * attempt's own status. Outbound and inbound events may race; totals are atomic and the end is
   * recorded once.
   */
  private static final class AttemptMetrics extends ClientStreamTracer {
    private final MetricsRecorder recorder;
    private final String method;
    private final String target;
    private final long startNanos = System.nanoTime();
    private final ByteTotal sent = new ByteTotal();
    private final ByteTotal received = new ByteTotal();
    private final AtomicBoolean ended = new AtomicBoolean();

    AttemptMetrics(MetricsRecorder recorder, String method, String target) {
      this.recorder = recorder;
      this.method = method;
      this.target = target;
      recorder.clientAttemptStarted(method, target);
    }

    @Override
    public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      sent.add(wireSize);
    }

    @Override
    public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      received.add(wireSize);
    }

    @Override
    public void streamClosed(Status status) {
      if (ended.compareAndSet(false, true)) {
        recorder.clientAttemptEnded(method, target, status.getCode(),
            System.nanoTime() - startNanos, sent.get(), received.get());
      }
    }
  }

  /**
   * gRFC A66 {@code grpc.server.call.*} for one call. Inbound and outbound events may race;
   * totals are atomic and the end is recorded once.
   */
  private static final class ServerCallMetrics extends ServerStreamTracer {
    private final MetricsRecorder recorder;
    private final String method;
    private final long startNanos = System.nanoTime();
    private final ByteTotal sent = new ByteTotal();
    private final ByteTotal received = new ByteTotal();
    private final AtomicBoolean ended = new AtomicBoolean();

    ServerCallMetrics(MetricsRecorder recorder, String method) {
      this.recorder = recorder;
      this.method = method;
      recorder.serverCallStarted(method);
    }

    @Override
    public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      received.add(wireSize);
    }

    @Override
    public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      sent.add(wireSize);
    }

    @Override
    public void streamClosed(Status status) {
      if (ended.compareAndSet(false, true)) {
        recorder.serverCallEnded(method, status.getCode(), System.nanoTime() - startNanos,
            sent.get(), received.get());
      }
    }
  }

  /**
   * Records {@code grpc.client.call.duration} when the call's listener hears its close. The
   * application drives the call one thread at a time; the close arrives on the callback thread
   * and is recorded once.
   */
  private static final class CallDuration<ReqT, RespT>
      extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {
    private final MetricsRecorder recorder;
    private final String method;
    private final String target;
    private final long startNanos;
    private final AtomicBoolean ended = new AtomicBoolean();

    CallDuration(ClientCall<ReqT, RespT> delegate, MetricsRecorder recorder, String method,
        String target, long startNanos) {
      super(delegate);
      this.recorder = recorder;
      this.method = method;
      this.target = target;
      this.startNanos = startNanos;
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata headers) {
      super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
          responseListener) {
        @Override
        public void onClose(Status status, Metadata trailers) {
          if (ended.compareAndSet(false, true)) {
            recorder.clientCallEnded(method, target, status.getCode(),
                System.nanoTime() - startNanos);
          }
          super.onClose(status, trailers);
        }
      }, headers);
    }
  }
}
