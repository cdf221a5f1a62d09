package dev.tern.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.ServerInterceptor;
import dev.tern.ServerInterceptors;
import dev.tern.netty.TernServer;
import dev.tern.services.orca.v3.OrcaLoadReport;
import dev.tern.services.orca.v3.OrcaLoadReportRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ORCA (gRFC A51) served by Tern, read by grpc-java's client: the trailer and the OOB stream. */
class OrcaServiceTest {
  private static final Metadata.Key<byte[]> TRAILER =
      Metadata.Key.of("endpoint-load-metrics-bin", Metadata.BINARY_BYTE_MARSHALLER);
  private static final MethodDescriptor<OrcaLoadReportRequest, OrcaLoadReport> STREAM_CORE_METRICS =
      MethodDescriptor.<OrcaLoadReportRequest, OrcaLoadReport>newBuilder()
          .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
          .setFullMethodName("xds.service.orca.v3.OpenRcaService/StreamCoreMetrics")
          .setRequestMarshaller(ProtoUtils.marshaller(OrcaLoadReportRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(OrcaLoadReport.getDefaultInstance()))
          .build();

  private final MetricRecorder load = MetricRecorder.create();
  private TernServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    // A handler's recording, done here by an interceptor inside the ORCA one (its context).
    ServerInterceptor handlerRecords = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> dev.tern.ServerCall.Listener<ReqT> interceptCall(
          dev.tern.ServerCall<ReqT, RespT> call, dev.tern.Metadata headers,
          dev.tern.ServerCallHandler<ReqT, RespT> next) {
        if (headers.containsKey(dev.tern.Metadata.Key.ascii("x-record"))) {
          CallMetricRecorder.current().recordCpuUtilizationMetric(0.25)
              .recordMemoryUtilizationMetric(0.5)
              .recordRequestCostMetric("rows", 42)
              .recordUtilizationMetric("disk", 0.75)
              .recordNamedMetric("queue", 3);
        }
        return next.startCall(call, headers);
      }
    };
    server = TernServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(health.getHealthService(),
            OrcaServerInterceptor.create(), handlerRecords))
        .addService(OrcaOobService.create(load, Duration.ofMillis(20)).getService())
        .build()
        .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  private Metadata trailersOfCheck(boolean record) {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    Metadata extra = new Metadata();
    if (record) {
      extra.put(Metadata.Key.of("x-record", Metadata.ASCII_STRING_MARSHALLER), "1");
    }
    HealthGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(extra),
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance());
    return trailers.get();
  }

  @Test
  void perCallMetricsArriveInTheEndpointLoadMetricsTrailer() throws Exception {
    byte[] bytes = trailersOfCheck(true).get(TRAILER);
    assertNotNull(bytes, "no endpoint-load-metrics-bin trailer");
    OrcaLoadReport report = OrcaLoadReport.parseFrom(bytes);
    assertEquals(OrcaLoadReport.newBuilder().setCpuUtilization(0.25).setMemUtilization(0.5)
        .putRequestCost("rows", 42).putUtilization("disk", 0.75).putNamedMetrics("queue", 3)
        .build(), report);
  }

  @Test
  void callThatRecordsNothingGetsNoTrailer() {
    assertFalse(trailersOfCheck(false).containsKey(TRAILER));
  }

  @Test
  void recordingOutsideAnInterceptedCallGoesNowhere() {
    CallMetricRecorder.current().recordCpuUtilizationMetric(1);
    assertEquals(null, CallMetricRecorder.current().finish());
  }

  @Test
  void outOfRangeValuesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> load.setMemoryUtilizationMetric(1.5));
    assertThrows(IllegalArgumentException.class, () -> load.setCpuUtilizationMetric(-1));
    assertThrows(IllegalArgumentException.class, () -> load.setQpsMetric(Double.NaN));
  }

  @Test
  void outOfBandStreamReportsTheCurrentLoadAndItsChanges() throws Exception {
    load.setCpuUtilizationMetric(0.5);
    BlockingQueue<OrcaLoadReport> reports = new LinkedBlockingQueue<>();
    ClientCall<OrcaLoadReportRequest, OrcaLoadReport> call =
        channel.newCall(STREAM_CORE_METRICS, CallOptions.DEFAULT);
    ClientCalls.asyncServerStreamingCall(call, OrcaLoadReportRequest.newBuilder()
        .setReportInterval(com.google.protobuf.Duration.newBuilder().setNanos(1_000_000)).build(), new StreamObserver<>() {
          @Override
          public void onNext(OrcaLoadReport value) {
            reports.add(value);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    try {
      assertEquals(0.5, reports.take().getCpuUtilization());
      load.setAllUtilizationMetrics(Map.of("gpu", 0.125));
      OrcaLoadReport changed;
      do {
        changed = reports.take();
      } while (changed.getUtilizationCount() == 0);
      assertEquals(OrcaLoadReport.newBuilder().setCpuUtilization(0.5)
          .putUtilization("gpu", 0.125).build(), changed);
    } finally {
      call.cancel("done", null);
    }
  }

  @Test
  void reportIntervalIsBoundedBelow() {
    OrcaOobService service = OrcaOobService.create(load);
    assertEquals(OrcaOobService.DEFAULT_MIN_REPORT_INTERVAL.toNanos(), service.intervalNanos(
        OrcaLoadReportRequest.newBuilder().setReportInterval(com.google.protobuf.Duration.newBuilder().setNanos(1_000_000)).build()));
    assertEquals(TimeUnit.MINUTES.toNanos(2), service.intervalNanos(
        OrcaLoadReportRequest.newBuilder().setReportInterval(com.google.protobuf.Duration.newBuilder().setSeconds(120)).build()));
  }
}
