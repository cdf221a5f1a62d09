package dev.tern.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.MethodDescriptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.protobuf.ProtoMarshaller;
import dev.tern.services.health.v1.HealthCheckResponse.ServingStatus;
import dev.tern.stub.ClientCalls;
import dev.tern.stub.ServerCalls;
import com.google.protobuf.StringValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Client-side health checking (gRFC A17) in a round_robin channel against Tern servers whose
 * health service is {@link HealthStatusManager}'s: a server set NOT_SERVING leaves the rotation;
 * a server without the health service (UNIMPLEMENTED) stays in it.
 */
class ClientHealthCheckTest {
  private static final String SERVICE = "tern.test.Who";
  private static final MethodDescriptor<StringValue, StringValue> WHO =
      MethodDescriptor.newBuilder(ProtoMarshaller.of(StringValue.getDefaultInstance()),
              ProtoMarshaller.of(StringValue.getDefaultInstance()))
          .setFullMethodName(SERVICE + "/Who")
          .setType(MethodDescriptor.MethodType.UNARY).build();
  private static final String CONFIG = "{\"loadBalancingConfig\": [{\"round_robin\": {}}],"
      + " \"healthCheckConfig\": {\"serviceName\": \"" + SERVICE + "\"}}";
  private static final CallOptions WAIT = CallOptions.DEFAULT.withWaitForReady();

  private final List<TernServer> servers = new ArrayList<>();
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
  private TernChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    for (TernServer s : servers) {
      s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private TernServer server(String name, HealthStatusManager health) throws Exception {
    served.put(name, new AtomicInteger());
    TernServer.Builder b = TernServer.builder().port(0)
        .addService(ServerServiceDefinition.builder(SERVICE)
            .addMethod(WHO, ServerCalls.asyncUnaryCall(
                (StringValue request, dev.tern.stub.StreamObserver<StringValue> out) -> {
                  served.get(name).incrementAndGet();
                  out.onNext(StringValue.of(name));
                  out.onCompleted();
                }))
            .build());
    if (health != null) {
      health.setStatus(SERVICE, ServingStatus.SERVING);
      b.addService(health.getHealthService());
    }
    TernServer s = b.build().start();
    servers.add(s);
    return s;
  }

  private String target() {
    StringBuilder t = new StringBuilder("ipv4:");
    for (TernServer s : servers) {
      t.append(t.length() > 5 ? "," : "").append("127.0.0.1:").append(s.port());
    }
    return t.toString();
  }

  private String call() {
    return ClientCalls.blockingUnaryCall(channel, WHO,
        WAIT.withDeadlineAfter(20, TimeUnit.SECONDS), StringValue.of("who")).getValue();
  }

  @Test
  void serverSetNotServingReceivesNoFurtherCalls() throws Exception {
    server("a", new HealthStatusManager());
    HealthStatusManager bHealth = new HealthStatusManager();
    server("b", bHealth);
    server("c", new HealthStatusManager());
    channel = TernChannel.builder().target(target()).defaultServiceConfig(CONFIG).build();
    while (served.values().stream().anyMatch(c -> c.get() == 0)) {
      call(); // until all three are in the rotation
    }

    bHealth.setStatus(SERVICE, ServingStatus.NOT_SERVING);
    // The Watch answer travels to the client: once b has missed 60 calls in a row (20 rounds of
    // the rotation), the client has acted on it.
    int sinceB = 0;
    for (int i = 0; i < 5000 && sinceB < 60; i++) {
      sinceB = "b".equals(call()) ? 0 : sinceB + 1;
    }
    served.values().forEach(c -> c.set(0));
    for (int i = 0; i < 300; i++) {
      call();
    }

    assertEquals(0, served.get("b").get(), () -> "NOT_SERVING server still called: " + served);
    assertEquals(300, served.get("a").get() + served.get("c").get());
    assertTrue(served.get("a").get() > 100 && served.get("c").get() > 100, served::toString);
  }

  @Test
  void serverWithoutHealthServiceStaysInRotation() throws Exception {
    server("plain", null);
    channel = TernChannel.builder().target(target()).defaultServiceConfig(CONFIG).build();

    assertEquals("plain", call(), "UNIMPLEMENTED disables the check for that subchannel");
  }
}
