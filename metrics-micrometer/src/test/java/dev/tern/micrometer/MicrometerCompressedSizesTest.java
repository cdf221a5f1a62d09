package dev.tern.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gzip both ways with a retry, the server measured by the stream tracer factory: Micrometer's
 * {@code *_compressed_message_size} summaries hold wire sizes, far under the payload's.
 */
class MicrometerCompressedSizesTest {
  private static final MethodDescriptor<String, String> ECHO =
      TestStrings.unary("tern.test.Gzip/Echo");

  /** 8 KiB of text gzip shrinks to a few hundred bytes. */
  private static final String PAYLOAD = "all work and no play makes jack a dull boy. ".repeat(200)
      .substring(0, 8192);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger calls = new AtomicInteger();
  private final CountDownLatch serverCallsEnded = new CountDownLatch(2);
  private TernServer server;
  private TernChannel channel;

  @BeforeEach
  void start() throws Exception {
    MicrometerMetrics metrics = new MicrometerMetrics(registry);
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Gzip")
        .addMethod(ECHO, (ServerCall<String, String> call, Metadata headers) -> {
          call.request(1);
          return new ServerCall.Listener<String>() {
            @Override
            public void onMessage(String message) {
              if (calls.incrementAndGet() == 1) {
                call.close(Status.UNAVAILABLE, new Metadata()); // the first attempt fails
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
        .addStreamTracerFactory(MetricsInterceptors.serverStreamTracerFactory(metrics))
        // After the metrics' factory: told of each end once the metrics recorded it.
        .addStreamTracerFactory((method, headers) -> new ServerStreamTracer() {
          @Override
          public void streamClosed(Status status) {
            serverCallsEnded.countDown();
          }
        })
        .build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .intercept(MetricsInterceptors.client(metrics))
        .retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(5)).build())
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void serverSummariesHoldCompressedSizesAndEveryAttemptCounts() throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    ClientCall<String, String> call =
        channel.newCall(ECHO, CallOptions.DEFAULT.withCompression("gzip"));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        done.complete(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(PAYLOAD);
    call.halfClose();
    assertEquals(Status.Code.OK, done.get(30, TimeUnit.SECONDS).getCode());
    assertTrue(serverCallsEnded.await(30, TimeUnit.SECONDS));

    String method = ECHO.getFullMethodName();
    assertEquals(2, registry.get("grpc.server.call.started").tag("grpc.method", method)
        .counter().count());
    for (String status : new String[] {"UNAVAILABLE", "OK"}) {
      DistributionSummary received = registry
          .get("grpc.server.call.rcvd_total_compressed_message_size")
          .tags("grpc.method", method, "grpc.status", status).summary();
      assertEquals(1, received.count());
      assertTrue(received.totalAmount() > 0 && received.totalAmount() < PAYLOAD.length() / 4.0,
          status + ": " + received.totalAmount());
    }
    double sent = registry.get("grpc.server.call.sent_total_compressed_message_size")
        .tags("grpc.method", method, "grpc.status", "OK").summary().totalAmount();
    assertTrue(sent > 0 && sent < PAYLOAD.length() / 4.0, "sent " + sent);
    assertEquals(2, registry.get("grpc.client.attempt.started")
        .tags("grpc.method", method, "grpc.target", channel.authority()).counter().count());
  }
}
