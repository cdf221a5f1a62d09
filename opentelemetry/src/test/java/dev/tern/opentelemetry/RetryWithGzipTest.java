package dev.tern.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.ServerStreamTracer;
import dev.tern.Status;
import dev.tern.metrics.MetricsInterceptors;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.retry.RetryPolicy;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call compressed with gzip whose first attempt fails UNAVAILABLE and whose retry succeeds, over
 * a real connection: gRFC A66 attempt metrics count both attempts with compressed (wire) sizes,
 * and gRFC A72 tracing gives one span per attempt under the call's span.
 */
class RetryWithGzipTest {
  private static final MethodDescriptor<String, String> FLAKY =
      TestStrings.unary("tern.test.Gzip/Flaky");

  /** 16 KiB that gzip shrinks to a few hundred bytes. */
  private static final String PAYLOAD = "the quick brown fox jumps over the lazy dog. ".repeat(365)
      .substring(0, 16384);

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryMetricReader metricReader = InMemoryMetricReader.create();
  private final AtomicInteger attempts = new AtomicInteger();
  private final CountDownLatch fiveSpansEnded = new CountDownLatch(5);
  private final CountDownLatch serverCallsEnded = new CountDownLatch(2);
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
    OpenTelemetryMetrics metrics = OpenTelemetryMetrics.create(otel);
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Gzip")
        .addMethod(FLAKY, (ServerCall<String, String> call, Metadata headers) -> {
          call.request(1);
          return new ServerCall.Listener<String>() {
            @Override
            public void onMessage(String message) {
              if (attempts.incrementAndGet() == 1) {
                call.close(Status.UNAVAILABLE.withDescription("first attempt fails"),
                    new Metadata());
                return;
              }
              call.setCompression("gzip");
              call.sendHeaders(new Metadata());
              call.sendMessage(message);
              call.close(Status.OK, new Metadata());
            }
          };
        })
        .build();
    server = TernServer.builder().port(0).addService(service)
        .intercept(tracing.serverInterceptor())
        .addStreamTracerFactory(MetricsInterceptors.serverStreamTracerFactory(metrics))
        // Added after the metrics' factory, so told of each end after the metrics recorded it.
        .addStreamTracerFactory((method, headers) -> new ServerStreamTracer() {
          @Override
          public void streamClosed(Status status) {
            serverCallsEnded.countDown();
          }
        })
        .build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        // Metrics outermost: its attempt tracer comes first, so an attempt's metrics are recorded
        // before its span ends, and the test's wait for the spans covers both.
        .intercept(MetricsInterceptors.client(metrics), tracing.clientInterceptor())
        .retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(5)).build())
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    otel.close();
  }

  private String callWithGzip() throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    CompletableFuture<String> reply = new CompletableFuture<>();
    ClientCall<String, String> call =
        channel.newCall(FLAKY, CallOptions.DEFAULT.withCompression("gzip"));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        reply.complete(message);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        done.complete(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(PAYLOAD);
    call.halfClose();
    Status status = done.get(30, TimeUnit.SECONDS);
    assertEquals(Status.Code.OK, status.getCode(), status::toString);
    assertEquals(2, attempts.get());
    return reply.getNow(null);
  }

  private static MetricData metric(Collection<MetricData> all, String name) {
    return all.stream().filter(m -> m.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " in "
            + all.stream().map(MetricData::getName).collect(Collectors.toList())));
  }

  private static HistogramPointData point(MetricData m, String status) {
    return m.getHistogramData().getPoints().stream()
        .filter(p -> status.equals(p.getAttributes().get(OpenTelemetryMetrics.STATUS)))
        .findFirst().orElseThrow(() -> new AssertionError(status + " in " + m));
  }

  /**
   * The five spans (call, two attempts, two server calls), once all have ended: an attempt's
   * span may end on the transport's thread just after the call's listener heard the close.
   */
  private List<SpanData> finishedSpans() throws InterruptedException {
    assertTrue(fiveSpansEnded.await(30, TimeUnit.SECONDS), spans.getFinishedSpanItems()::toString);
    return spans.getFinishedSpanItems();
  }

  @Test
  void everyAttemptIsCountedAndHasItsOwnSpanUnderTheCallSpan() throws Exception {
    assertEquals(PAYLOAD, callWithGzip());
    String method = FLAKY.getFullMethodName();
    List<SpanData> finished = finishedSpans();

    // (a) gRFC A66: both attempts counted, each with its own status; the call once.
    Collection<MetricData> all = metricReader.collectAllMetrics();
    assertEquals(2, metric(all, "grpc.client.attempt.started").getLongSumData().getPoints()
        .iterator().next().getValue());
    MetricData attemptDuration = metric(all, "grpc.client.attempt.duration");
    assertEquals(1, point(attemptDuration, "UNAVAILABLE").getCount());
    assertEquals(1, point(attemptDuration, "OK").getCount());
    assertEquals(1, point(metric(all, "grpc.client.call.duration"), "OK").getCount());
    MetricData sent = metric(all, "grpc.client.attempt.sent_total_compressed_message_size");
    assertEquals(1, point(sent, "UNAVAILABLE").getCount());
    assertEquals(1, point(sent, "OK").getCount());

    // (b), server side: the server's tracers see the wire, so its A66 sizes are compressed.
    assertTrue(serverCallsEnded.await(30, TimeUnit.SECONDS));
    all = metricReader.collectAllMetrics();
    assertEquals(2, metric(all, "grpc.server.call.started").getLongSumData().getPoints()
        .iterator().next().getValue());
    long uncompressed = PAYLOAD.length();
    MetricData serverReceived =
        metric(all, "grpc.server.call.rcvd_total_compressed_message_size");
    for (String status : List.of("UNAVAILABLE", "OK")) {
      double wire = point(serverReceived, status).getSum();
      assertTrue(wire > 0 && wire < uncompressed / 4.0, "server received " + wire);
    }
    double serverSent = point(metric(all,
        "grpc.server.call.sent_total_compressed_message_size"), "OK").getSum();
    assertTrue(serverSent > 0 && serverSent < uncompressed / 4.0, "server sent " + serverSent);

    // (c) gRFC A72: one call span, one attempt span per attempt under it, and each server span
    // under the attempt that reached it.
    SpanData callSpan = finished.stream()
        .filter(s -> s.getKind() == SpanKind.CLIENT && s.getName().equals(method))
        .collect(Collectors.collectingAndThen(Collectors.toList(), l -> {
          assertEquals(1, l.size(), finished::toString);
          return l.get(0);
        }));
    List<SpanData> attemptSpans = finished.stream()
        .filter(s -> s.getName().equals("Attempt." + method))
        .sorted(Comparator.comparing(
            s -> s.getAttributes().get(OpenTelemetryTracing.PREVIOUS_RPC_ATTEMPTS)))
        .collect(Collectors.toList());
    assertEquals(2, attemptSpans.size(), finished::toString);
    for (int i = 0; i < 2; i++) {
      SpanData a = attemptSpans.get(i);
      assertEquals(SpanKind.CLIENT, a.getKind());
      assertEquals(callSpan.getSpanId(), a.getParentSpanId());
      assertEquals(callSpan.getTraceId(), a.getTraceId());
      assertEquals((long) i, a.getAttributes().get(OpenTelemetryTracing.PREVIOUS_RPC_ATTEMPTS));
      assertEquals(false, a.getAttributes().get(OpenTelemetryTracing.TRANSPARENT_RETRY));
    }
    assertEquals(StatusCode.ERROR, attemptSpans.get(0).getStatus().getStatusCode());
    assertEquals(StatusCode.UNSET, attemptSpans.get(1).getStatus().getStatusCode());
    assertEquals(StatusCode.UNSET, callSpan.getStatus().getStatusCode());
    List<String> serverParents = finished.stream().filter(s -> s.getKind() == SpanKind.SERVER)
        .map(SpanData::getParentSpanId).sorted().collect(Collectors.toList());
    List<String> attemptIds = attemptSpans.stream().map(SpanData::getSpanId).sorted()
        .collect(Collectors.toList());
    assertEquals(attemptIds, serverParents);
    assertNotEquals(attemptIds.get(0), attemptIds.get(1));

    // Message events: the request on each attempt, the response on the second.
    assertEquals(1, events(attemptSpans.get(0), OpenTelemetryTracing.OUTBOUND_EVENT).size());
    assertEquals(1, events(attemptSpans.get(1), OpenTelemetryTracing.OUTBOUND_EVENT).size());
    assertEquals(1, events(attemptSpans.get(1), OpenTelemetryTracing.INBOUND_EVENT).size());
    EventData out = events(attemptSpans.get(1), OpenTelemetryTracing.OUTBOUND_EVENT).get(0);
    assertEquals(0L, out.getAttributes().get(OpenTelemetryTracing.MESSAGE_ID));
    assertEquals((long) PAYLOAD.length(),
        out.getAttributes().get(OpenTelemetryTracing.MESSAGE_SIZE_UNCOMPRESSED));
  }

  private static List<EventData> events(SpanData span, String name) {
    return span.getEvents().stream().filter(e -> e.getName().equals(name))
        .collect(Collectors.toList());
  }

  @Test
  void attemptMetricsAndEventsCarryCompressedSizes() throws Exception {
    assertEquals(PAYLOAD, callWithGzip());
    long uncompressed = PAYLOAD.length();
    List<SpanData> finished = finishedSpans();

    // (b) gRFC A66: *_compressed_message_size is the wire size, well under the payload's.
    Collection<MetricData> all = metricReader.collectAllMetrics();
    MetricData sent = metric(all, "grpc.client.attempt.sent_total_compressed_message_size");
    for (String status : List.of("UNAVAILABLE", "OK")) {
      double wire = point(sent, status).getSum();
      assertTrue(wire > 0 && wire < uncompressed / 4.0, status + ": " + wire);
    }
    double received = point(metric(all,
        "grpc.client.attempt.rcvd_total_compressed_message_size"), "OK").getSum();
    assertTrue(received > 0 && received < uncompressed / 4.0, "received " + received);

    for (SpanData a : finished) {
      for (EventData e : a.getEvents()) {
        Long wire = e.getAttributes().get(OpenTelemetryTracing.MESSAGE_SIZE_COMPRESSED);
        Long raw = e.getAttributes().get(OpenTelemetryTracing.MESSAGE_SIZE_UNCOMPRESSED);
        assertEquals(uncompressed, raw, e::toString);
        assertTrue(wire != null && wire < uncompressed / 4.0, e::toString);
      }
    }
  }
}
