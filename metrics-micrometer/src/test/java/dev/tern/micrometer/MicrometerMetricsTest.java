package dev.tern.micrometer;

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
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.retry.RetryPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A66 meters in a Micrometer registry, for real calls (one retried) over a socket. */
class MicrometerMetricsTest {
  private static final MethodDescriptor<String, String> ECHO =
      TestStrings.unary("tern.test.Metrics/Echo");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger calls = new AtomicInteger();
  private TernServer server;
  private TernChannel channel;

  @BeforeEach
  void start() throws Exception {
    MicrometerMetrics metrics = new MicrometerMetrics(registry);
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Metrics")
        .addMethod(ECHO, (ServerCall<String, String> call, Metadata headers) -> {
          call.request(1);
          return new ServerCall.Listener<String>() {
            @Override
            public void onMessage(String message) {
              if (calls.incrementAndGet() == 1) {
                call.close(Status.UNAVAILABLE, new Metadata()); // the first attempt fails
                return;
              }
              call.sendHeaders(new Metadata());
              call.sendMessage(message + message);
              call.close(Status.OK, new Metadata());
            }
          };
        })
        .build();
    server = TernServer.builder().port(0).addService(service)
        .intercept(MetricsInterceptors.server(metrics)).build().start();
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

  private Status echo(String message) throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    ClientCall<String, String> call = channel.newCall(ECHO, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        done.complete(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(message);
    call.halfClose();
    return done.get(30, TimeUnit.SECONDS);
  }

  @Test
  void serverAndClientMetersFollowA66NamesAndTags() throws Exception {
    assertEquals(Status.Code.OK, echo("abc").getCode());
    String method = ECHO.getFullMethodName();
    String target = channel.authority();

    Counter started = registry.get("grpc.server.call.started").tag("grpc.method", method)
        .counter();
    assertEquals(2, started.count()); // the failed first attempt and the retry
    Timer ok = registry.get("grpc.server.call.duration")
        .tags("grpc.method", method, "grpc.status", "OK").timer();
    assertEquals(1, ok.count());
    assertEquals(1, registry.get("grpc.server.call.duration")
        .tags("grpc.method", method, "grpc.status", "UNAVAILABLE").timer().count());
    DistributionSummary sent = registry.get(
        "grpc.server.call.sent_total_compressed_message_size")
        .tags("grpc.method", method, "grpc.status", "OK").summary();
    assertEquals(6, sent.totalAmount());
    assertEquals(3, registry.get("grpc.server.call.rcvd_total_compressed_message_size")
        .tags("grpc.method", method, "grpc.status", "OK").summary().totalAmount());

    assertEquals(2, registry.get("grpc.client.attempt.started")
        .tags("grpc.method", method, "grpc.target", target).counter().count());
    assertEquals(1, registry.get("grpc.client.attempt.duration")
        .tags("grpc.method", method, "grpc.target", target, "grpc.status", "UNAVAILABLE")
        .timer().count());
    assertEquals(3, registry.get("grpc.client.attempt.sent_total_compressed_message_size")
        .tags("grpc.method", method, "grpc.target", target, "grpc.status", "OK")
        .summary().totalAmount());
    Timer call = registry.get("grpc.client.call.duration")
        .tags("grpc.method", method, "grpc.target", target, "grpc.status", "OK").timer();
    assertEquals(1, call.count());

    CountAtBucket[] buckets = ok.takeSnapshot().histogramCounts();
    assertTrue(buckets.length > 30, "A66 latency buckets: " + buckets.length);
    assertNotNull(Arrays.stream(buckets).filter(b -> b.count() == 1).findFirst().orElse(null));
  }
}
