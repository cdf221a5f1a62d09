package dev.tern.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.metrics.MetricsInterceptors;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.retry.HedgingPolicy;
import dev.tern.retry.RetryPolicy;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRFC A6 hedging seen by the tracers: two attempts at once, the first never answers and is
 * cancelled when the second commits the call. Both are counted (A66) and both have a span under
 * the call's span (A72), the loser's ended CANCELLED.
 */
class HedgingTracingTest {
  private static final MethodDescriptor<String, String> HEDGED =
      TestStrings.unary("tern.test.Hedge/Get");

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryMetricReader metricReader = InMemoryMetricReader.create();
  /** Call span, two attempt spans, two server spans. */
  private final CountDownLatch fiveSpansEnded = new CountDownLatch(5);
  private OpenTelemetrySdk otel;
  private TernServer server;
  private TernChannel channel;

  @BeforeEach
  void start() throws Exception {
    otel = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .addSpanProcessor(new EndedSpans(fiveSpansEnded)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metricReader).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(otel);
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Hedge")
        .addMethod(HEDGED, (ServerCall<String, String> call, Metadata headers) -> {
          boolean first = headers.get(RetryPolicy.PREVIOUS_ATTEMPTS) == null;
          call.request(1);
          return new ServerCall.Listener<String>() {
            @Override
            public void onHalfClose() {
              if (first) {
                return; // never answers: only the hedge's commit cancels it
              }
              call.sendHeaders(new Metadata());
              call.sendMessage("hedge won");
              call.close(Status.OK, new Metadata());
            }
          };
        })
        .build();
    server = TernServer.builder().port(0).addService(service)
        .intercept(tracing.serverInterceptor())
        .build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .intercept(MetricsInterceptors.client(OpenTelemetryMetrics.create(otel)),
            tracing.clientInterceptor())
        .hedgingPolicy(HedgingPolicy.builder().maxAttempts(2).hedgingDelay(Duration.ZERO)
            .nonFatalStatusCodes(Status.Code.UNAVAILABLE).build())
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    otel.close();
  }

  @Test
  void bothHedgesAreCountedAndTracedAndTheLoserEndsCancelled() throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    ClientCall<String, String> call = channel.newCall(HEDGED, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        done.complete(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage("hello");
    call.halfClose();
    assertEquals(Status.Code.OK, done.get(30, TimeUnit.SECONDS).getCode());
    assertTrue(fiveSpansEnded.await(30, TimeUnit.SECONDS), spans.getFinishedSpanItems()::toString);

    String method = HEDGED.getFullMethodName();
    List<SpanData> finished = spans.getFinishedSpanItems();
    SpanData callSpan = finished.stream()
        .filter(s -> s.getKind() == SpanKind.CLIENT && s.getName().equals(method))
        .findFirst().orElseThrow();
    List<SpanData> attempts = finished.stream()
        .filter(s -> s.getName().equals("Attempt." + method))
        .sorted(Comparator.comparing(
            s -> s.getAttributes().get(OpenTelemetryTracing.PREVIOUS_RPC_ATTEMPTS)))
        .collect(Collectors.toList());
    assertEquals(2, attempts.size(), finished::toString);
    for (SpanData a : attempts) {
      assertEquals(callSpan.getSpanId(), a.getParentSpanId());
    }
    SpanData loser = attempts.get(0);
    SpanData winner = attempts.get(1);
    assertEquals(1L, winner.getAttributes().get(OpenTelemetryTracing.PREVIOUS_RPC_ATTEMPTS));
    assertEquals((long) Status.Code.CANCELLED.value(),
        loser.getAttributes().get(OpenTelemetryTracing.RPC_STATUS));
    assertEquals(StatusCode.ERROR, loser.getStatus().getStatusCode());
    assertEquals(StatusCode.UNSET, winner.getStatus().getStatusCode());
    assertEquals(StatusCode.UNSET, callSpan.getStatus().getStatusCode());

    Collection<MetricData> all = metricReader.collectAllMetrics();
    MetricData started = all.stream()
        .filter(m -> m.getName().equals("grpc.client.attempt.started")).findFirst()
        .orElseThrow();
    assertEquals(2, started.getLongSumData().getPoints().iterator().next().getValue());
    List<String> codes = all.stream()
        .filter(m -> m.getName().equals("grpc.client.attempt.duration")).findFirst()
        .orElseThrow().getHistogramData().getPoints().stream()
        .map(p -> p.getAttributes().get(OpenTelemetryMetrics.STATUS)).sorted()
        .collect(Collectors.toList());
    assertEquals(List.of("CANCELLED", "OK"), codes);
  }
}
