package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.MethodDescriptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.stub.ClientCalls;
import dev.tern.stub.ServerCalls;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A service config given to the builder (gRFC A2) takes effect on calls without code. */
class ServiceConfigChannelTest {
  private static final MethodDescriptor<String, String> FLAKY = TestMethods.method("Flaky");

  private final AtomicInteger attempts = new AtomicInteger();
  private final HangService hang = new HangService();
  private TernServer server;
  private TernChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** Flaky fails with UNAVAILABLE twice, then answers; Hang never answers. */
  private void startServer() throws Exception {
    server = TernServer.builder().port(0)
        .addService(ServerServiceDefinition.builder("tern.test.Echo")
            .addMethod(FLAKY, ServerCalls.asyncUnaryCall(
                (String request, dev.tern.stub.StreamObserver<String> out) -> {
                  if (attempts.incrementAndGet() <= 2) {
                    out.onError(Status.UNAVAILABLE.withDescription("not yet").asRuntimeException());
                  } else {
                    out.onNext("third time");
                    out.onCompleted();
                  }
                }))
            .build())
        .addService(hang.service())
        .build().start();
  }

  @Test
  void methodTimeoutFromServiceConfigEndsACallWithoutADeadline() throws Exception {
    startServer();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .defaultServiceConfig("{\"methodConfig\": [{\"name\": [{\"service\": \"tern.test.Life\"}],"
            + " \"timeout\": \"0.2s\"}]}")
        .build();

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(channel, HangService.HANG, CallOptions.DEFAULT, "x"));

    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e::toString);
  }

  @Test
  void retryPolicyFromServiceConfigRetriesUnavailable() throws Exception {
    startServer();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .defaultServiceConfig("{\"methodConfig\": [{\"name\": [{\"service\": \"tern.test.Echo\","
            + " \"method\": \"Flaky\"}], \"retryPolicy\": {\"maxAttempts\": 3,"
            + " \"initialBackoff\": \"0.01s\", \"maxBackoff\": \"0.05s\","
            + " \"backoffMultiplier\": 2, \"retryableStatusCodes\": [\"UNAVAILABLE\"]}}]}")
        .build();

    String answer = ClientCalls.blockingUnaryCall(channel, FLAKY, CallOptions.DEFAULT, "x");

    assertEquals("third time", answer);
    assertEquals(3, attempts.get());
  }

  @Test
  void malformedServiceConfigIsRefusedNamingTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TernChannel.builder().target("127.0.0.1:1").defaultServiceConfig(
            "{\"methodConfig\": [{\"name\": [{}], \"retryPolicy\": {\"maxAttempts\": 1}}]}"));
    assertTrue(e.getMessage().startsWith("methodConfig[0].retryPolicy.maxAttempts"),
        e::getMessage);
  }

  @Test
  void unknownLoadBalancingPolicyFallsBackToPickFirst() throws Exception {
    startServer();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .defaultServiceConfig("{\"loadBalancingConfig\": [{\"no_such_policy\": {}},"
            + " {\"pick_first\": {\"shuffleAddressList\": true}}]}")
        .build();
    attempts.set(2);

    assertEquals("third time",
        ClientCalls.blockingUnaryCall(channel, FLAKY, CallOptions.DEFAULT, "x"));
  }
}
