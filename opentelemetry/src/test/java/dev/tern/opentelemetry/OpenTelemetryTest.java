package dev.tern.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.metrics.MetricsInterceptors;
import dev.tern.metrics.MetricsRecorder;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.retry.RetryPolicy;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tracing across a real connection and A66 metrics, recorded by the OpenTelemetry SDK. */
class OpenTelemetryTest {
  private static final MethodDescriptor<String, String> ECHO = method("Echo");
  private static final MethodDescriptor<String, String> REJECT = method("Reject");
  private static final MethodDescriptor<String, String> FLAKY = method("Flaky");

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryMetricReader metricReader = InMemoryMetricReader.create();
  private OpenTelemetrySdk otel;
  private TernServer server;
  private TernChannel channel;
  private final Map<String, String> seenByHandler = new ConcurrentHashMap<>();
  private final AtomicInteger flaky = new AtomicInteger();

  private static MethodDescriptor<String, String> method(String name) {
    return TestStrings.unary("tern.test.Otel/" + name);
  }

  @BeforeEach
  void start() throws Exception {
    otel = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metricReader).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(otel);
    OpenTelemetryMetrics metrics = OpenTelemetryMetrics.create(otel);
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Otel")
        .addMethod(ECHO, (ServerCall<String, String> call, Metadata headers) -> {
          seenByHandler.put("traceparent",
              String.valueOf(headers.get(Metadata.Key.ascii("traceparent"))));
          seenByHandler.put("traceId", Span.current().getSpanContext().getTraceId());
          return reply(call, Status.OK);
        })
        .addMethod(REJECT, (ServerCall<String, String> call, Metadata headers) ->
            reply(call, Status.INVALID_ARGUMENT.withDescription("no")))
        .addMethod(FLAKY, (ServerCall<String, String> call, Metadata headers) ->
            reply(call, flaky.incrementAndGet() == 1 ? Status.UNAVAILABLE : Status.OK))
        .build();
    server = TernServer.builder().port(0).addService(service)
        .intercept(tracing.serverInterceptor())
        .intercept(MetricsInterceptors.server(metrics))
        .build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .intercept(tracing.clientInterceptor(), MetricsInterceptors.client(metrics))
        .retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(5)).build())
        .build();
  }

  private static ServerCall.Listener<String> reply(ServerCall<String, String> call,
      Status status) {
    call.request(1);
    return new ServerCall.Listener<String>() {
      @Override
      public void onMessage(String message) {
        if (status.isOk()) {
          call.sendHeaders(new Metadata());
          call.sendMessage(message);
        }
        call.close(status, new Metadata());
      }
    };
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    otel.close();
  }

  private Status call(MethodDescriptor<String, String> m) throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    ClientCall<String, String> call = channel.newCall(m, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        done.complete(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage("hello");
    call.halfClose();
    return done.get(30, TimeUnit.SECONDS);
  }

  private SpanData span(SpanKind kind, String name) {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == kind && s.getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError(kind + " " + name + " in "
            + spans.getFinishedSpanItems()));
  }

  @Test
  void traceContextFlowsFromClientSpanToServerSpanAndHandler() throws Exception {
    Span parent = otel.getTracer("test").spanBuilder("parent").startSpan();
    Status status;
    try (Scope ignored = parent.makeCurrent()) {
      status = call(ECHO);
    } finally {
      parent.end();
    }
    assertEquals(Status.Code.OK, status.getCode());

    String traceId = parent.getSpanContext().getTraceId();
    SpanData client = span(SpanKind.CLIENT, "tern.test.Otel/Echo");
    SpanData attempt = span(SpanKind.CLIENT, "Attempt.tern.test.Otel/Echo");
    SpanData serverSpan = span(SpanKind.SERVER, "tern.test.Otel/Echo");
    assertEquals(traceId, client.getTraceId());
    assertEquals(parent.getSpanContext().getSpanId(), client.getParentSpanId());
    assertEquals(traceId, serverSpan.getTraceId());
    // gRFC A72: call span -> attempt span -> the server's span.
    assertEquals(client.getSpanId(), attempt.getParentSpanId());
    assertEquals(attempt.getSpanId(), serverSpan.getParentSpanId());
    assertTrue(serverSpan.getParentSpanContext().isRemote());
    assertEquals(traceId, seenByHandler.get("traceId"));
    assertTrue(seenByHandler.get("traceparent").startsWith("00-" + traceId + "-"),
        seenByHandler::toString);
    assertEquals("grpc", serverSpan.getAttributes().get(OpenTelemetryTracing.RPC_SYSTEM));
    assertEquals("tern.test.Otel", client.getAttributes().get(OpenTelemetryTracing.RPC_SERVICE));
    assertEquals("Echo", client.getAttributes().get(OpenTelemetryTracing.RPC_METHOD));
    assertEquals(0L, client.getAttributes().get(OpenTelemetryTracing.RPC_STATUS));
    assertEquals(StatusCode.UNSET, client.getStatus().getStatusCode());
  }

  @Test
  void grpcStatusBecomesTheSpanStatus() throws Exception {
    assertEquals(Status.Code.INVALID_ARGUMENT, call(REJECT).getCode());
    SpanData client = span(SpanKind.CLIENT, "tern.test.Otel/Reject");
    SpanData serverSpan = span(SpanKind.SERVER, "tern.test.Otel/Reject");
    assertEquals(StatusCode.ERROR, client.getStatus().getStatusCode());
    assertEquals("INVALID_ARGUMENT: no", client.getStatus().getDescription());
    // A caller's mistake is not a server error (RPC semantic conventions).
    assertEquals(StatusCode.UNSET, serverSpan.getStatus().getStatusCode());
    assertEquals(3L, serverSpan.getAttributes().get(OpenTelemetryTracing.RPC_STATUS));
  }

  private MetricData metric(Collection<MetricData> all, String name) {
    return all.stream().filter(m -> m.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " in "
            + all.stream().map(MetricData::getName).collect(Collectors.toList())));
  }

  @Test
  void a66MetricsAreRecordedWithTheirAttributes() throws Exception {
    assertEquals(Status.Code.OK, call(FLAKY).getCode()); // one retry
    Collection<MetricData> all = metricReader.collectAllMetrics();
    String method = FLAKY.getFullMethodName();
    String target = channel.authority();

    MetricData started = metric(all, "grpc.server.call.started");
    LongPointData startedPoint = started.getLongSumData().getPoints().stream()
        .filter(p -> method.equals(p.getAttributes().get(OpenTelemetryMetrics.METHOD)))
        .findFirst().orElseThrow();
    assertEquals(2, startedPoint.getValue());

    MetricData duration = metric(all, "grpc.server.call.duration");
    assertEquals("s", duration.getUnit());
    HistogramPointData ok = duration.getHistogramData().getPoints().stream()
        .filter(p -> "OK".equals(p.getAttributes().get(OpenTelemetryMetrics.STATUS)))
        .findFirst().orElseThrow();
    assertEquals(1, ok.getCount());
    assertEquals(MetricsRecorder.LATENCY_BUCKETS_SECONDS, ok.getBoundaries());

    MetricData attempts = metric(all, "grpc.client.attempt.started");
    LongPointData attemptPoint = attempts.getLongSumData().getPoints().iterator().next();
    assertEquals(2, attemptPoint.getValue());
    assertEquals(target, attemptPoint.getAttributes().get(OpenTelemetryMetrics.TARGET));

    MetricData attemptDuration = metric(all, "grpc.client.attempt.duration");
    List<String> codes = attemptDuration.getHistogramData().getPoints().stream()
        .map(p -> p.getAttributes().get(OpenTelemetryMetrics.STATUS)).sorted()
        .collect(Collectors.toList());
    assertEquals(List.of("OK", "UNAVAILABLE"), codes);

    HistogramPointData call = metric(all, "grpc.client.call.duration").getHistogramData()
        .getPoints().iterator().next();
    assertEquals(1, call.getCount());
    assertEquals("OK", call.getAttributes().get(OpenTelemetryMetrics.STATUS));

    MetricData sent = metric(all, "grpc.client.attempt.sent_total_compressed_message_size");
    assertEquals("By", sent.getUnit());
    HistogramPointData sentOk = sent.getHistogramData().getPoints().stream()
        .filter(p -> "OK".equals(p.getAttributes().get(OpenTelemetryMetrics.STATUS)))
        .findFirst().orElseThrow();
    assertEquals(5.0, sentOk.getSum());
    assertNotNull(metric(all, "grpc.server.call.rcvd_total_compressed_message_size"));
  }
}
