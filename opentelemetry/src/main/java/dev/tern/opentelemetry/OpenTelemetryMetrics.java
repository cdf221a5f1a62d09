package dev.tern.opentelemetry;

import dev.tern.Status;
import dev.tern.metrics.MetricsRecorder;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import java.util.Objects;

/**
 * Records Tern's call metrics through the OpenTelemetry metrics API, exactly as gRFC A66 names
 * them: instruments {@code grpc.server.call.started} ({@code {call}}),
 * {@code grpc.server.call.duration} ({@code s}),
 * {@code grpc.server.call.sent_total_compressed_message_size} and
 * {@code grpc.server.call.rcvd_total_compressed_message_size} ({@code By}),
 * {@code grpc.client.attempt.started}, {@code grpc.client.attempt.duration},
 * {@code grpc.client.attempt.sent_total_compressed_message_size},
 * {@code grpc.client.attempt.rcvd_total_compressed_message_size} and
 * {@code grpc.client.call.duration}; attributes {@code grpc.method}, {@code grpc.status} (the
 * code's name) and, on the client, {@code grpc.target}. Sizes are message bytes as on the
 * wire, compressed when the call uses an encoding such as gzip; every client attempt counts,
 * retries, hedges and transparent retries included (see {@link MetricsRecorder}). Histograms
 * carry A66's bucket boundaries as advice. The meter's instrumentation scope is
 * {@value #SCOPE}.
 *
 * <pre>{@code
 * OpenTelemetryMetrics metrics = OpenTelemetryMetrics.create(openTelemetry);
 * TernServer.builder()
 *     .addStreamTracerFactory(MetricsInterceptors.serverStreamTracerFactory(metrics)) ...
 * TernChannel.builder().intercept(MetricsInterceptors.client(metrics)) ...
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class OpenTelemetryMetrics implements MetricsRecorder {
  /** The instrumentation scope name of Tern's meter and tracer. */
  public static final String SCOPE = "dev.tern";

  static final AttributeKey<String> METHOD = AttributeKey.stringKey("grpc.method");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("grpc.status");
  static final AttributeKey<String> TARGET = AttributeKey.stringKey("grpc.target");

  private final LongCounter serverStarted;
  private final DoubleHistogram serverDuration;
  private final LongHistogram serverSent;
  private final LongHistogram serverReceived;
  private final LongCounter attemptStarted;
  private final DoubleHistogram attemptDuration;
  private final LongHistogram attemptSent;
  private final LongHistogram attemptReceived;
  private final DoubleHistogram callDuration;

  private OpenTelemetryMetrics(Meter meter) {
    serverStarted = meter.counterBuilder("grpc.server.call.started").setUnit("{call}")
        .setDescription("Number of server calls started").build();
    serverDuration = duration(meter, "grpc.server.call.duration",
        "Time from the start of a server call to its status being sent");
    serverSent = size(meter, "grpc.server.call.sent_total_compressed_message_size",
        "Compressed message bytes sent per server call");
    serverReceived = size(meter, "grpc.server.call.rcvd_total_compressed_message_size",
        "Compressed message bytes received per server call");
    attemptStarted = meter.counterBuilder("grpc.client.attempt.started").setUnit("{attempt}")
        .setDescription("Number of client call attempts started").build();
    attemptDuration = duration(meter, "grpc.client.attempt.duration",
        "Time a client call attempt took");
    attemptSent = size(meter, "grpc.client.attempt.sent_total_compressed_message_size",
        "Compressed message bytes sent per client call attempt");
    attemptReceived = size(meter, "grpc.client.attempt.rcvd_total_compressed_message_size",
        "Compressed message bytes received per client call attempt");
    callDuration = duration(meter, "grpc.client.call.duration",
        "Time a client call took, all attempts included");
  }

  /** Metrics on {@code openTelemetry}'s meter provider. */
  public static OpenTelemetryMetrics create(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return new OpenTelemetryMetrics(openTelemetry.getMeter(SCOPE));
  }

  private static DoubleHistogram duration(Meter meter, String name, String description) {
    return meter.histogramBuilder(name).setUnit("s").setDescription(description)
        .setExplicitBucketBoundariesAdvice(LATENCY_BUCKETS_SECONDS).build();
  }

  private static LongHistogram size(Meter meter, String name, String description) {
    return meter.histogramBuilder(name).ofLongs().setUnit("By").setDescription(description)
        .setExplicitBucketBoundariesAdvice(SIZE_BUCKETS_BYTES).build();
  }

  @Override
  public void serverCallStarted(String method) {
    serverStarted.add(1, Attributes.of(METHOD, method));
  }

  @Override
  public void serverCallEnded(String method, Status.Code code, long durationNanos,
      long sentBytes, long receivedBytes) {
    Attributes a = Attributes.of(METHOD, method, STATUS, code.name());
    serverDuration.record(durationNanos / 1e9, a);
    record(serverSent, sentBytes, a);
    record(serverReceived, receivedBytes, a);
  }

  @Override
  public void clientAttemptStarted(String method, String target) {
    attemptStarted.add(1, Attributes.of(METHOD, method, TARGET, target));
  }

  @Override
  public void clientAttemptEnded(String method, String target, Status.Code code,
      long durationNanos, long sentBytes, long receivedBytes) {
    Attributes a = Attributes.of(METHOD, method, TARGET, target, STATUS, code.name());
    attemptDuration.record(durationNanos / 1e9, a);
    record(attemptSent, sentBytes, a);
    record(attemptReceived, receivedBytes, a);
  }

  @Override
  public void clientCallEnded(String method, String target, Status.Code code,
      long durationNanos) {
    callDuration.record(durationNanos / 1e9,
        Attributes.of(METHOD, method, TARGET, target, STATUS, code.name()));
  }

  private static void record(LongHistogram h, long bytes, Attributes a) {
    if (bytes >= 0) { // -1: the marshaller could not tell
      h.record(bytes, a);
    }
  }
}
