package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ConnectivityState;
import dev.tern.MethodDescriptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.stub.ClientCalls;
import dev.tern.stub.ServerCalls;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Load balancing over real servers on 127.0.0.1: round_robin's spread and its failover when a
 * server stops, and pick_first over an address list whose first entry refuses connections.
 */
class LoadBalancingTest {
  static final MethodDescriptor<String, String> WHO = TestMethods.method("Who");
  private static final String ROUND_ROBIN = "{\"loadBalancingConfig\": [{\"round_robin\": {}}]}";

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

  /** A server whose Who method answers its name and counts its calls. */
  private TernServer server(String name) throws Exception {
    served.put(name, new AtomicInteger());
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Echo")
        .addMethod(WHO, ServerCalls.asyncUnaryCall((String request, dev.tern.stub.StreamObserver<String> out) -> {
          served.get(name).incrementAndGet();
          out.onNext(name);
          out.onCompleted();
        }))
        .build();
    TernServer s = TernServer.builder().port(0).addService(service).build().start();
    servers.add(s);
    return s;
  }

  private String ipv4Target() {
    StringBuilder t = new StringBuilder("ipv4:");
    for (TernServer s : servers) {
      t.append(t.length() > 5 ? "," : "").append("127.0.0.1:").append(s.port());
    }
    return t.toString();
  }

  private static String call(TernChannel ch, CallOptions options) {
    return ClientCalls.blockingUnaryCall(ch, WHO, options, "who");
  }

  /** Calls until every server has answered one: all subchannels are READY and in rotation. */
  private void warmUp() {
    while (served.values().stream().anyMatch(c -> c.get() == 0)) {
      call(channel, CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(60, TimeUnit.SECONDS));
    }
    served.values().forEach(c -> c.set(0));
  }

  /** Runs {@code n} calls, {@code parallel} at a time; {@code midway} runs after half. */
  private List<Throwable> run(int n, int parallel, Runnable midway) throws Exception {
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int done = 0; done < n; done += parallel) {
      if (midway != null && done == n / 2 / parallel * parallel) {
        midway.run();
      }
      List<CompletableFuture<String>> batch = new ArrayList<>();
      // Each batch its own deadline: a generous bound on a loaded machine, never reached.
      CallOptions wfr = CallOptions.DEFAULT.withWaitForReady()
          .withDeadlineAfter(60, TimeUnit.SECONDS);
      for (int i = 0; i < parallel; i++) {
        batch.add(ClientCalls.futureUnaryCall(channel.newCall(WHO, wfr), "who"));
      }
      for (CompletableFuture<String> f : batch) {
        try {
          f.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          failures.add(e.getCause());
        }
      }
    }
    return failures;
  }

  private static void assertNoFailures(List<Throwable> failures) {
    assertTrue(failures.isEmpty(), () -> failures.size() + " calls failed, the first: "
        + failures.get(0));
  }

  @Test
  void roundRobinSpreadsThreeThousandCallsEvenlyOverThreeServers() throws Exception {
    server("a");
    server("b");
    server("c");
    channel = TernChannel.builder().target(ipv4Target()).defaultServiceConfig(ROUND_ROBIN)
        .build();
    warmUp();

    assertNoFailures(run(3000, 30, null));

    for (Map.Entry<String, AtomicInteger> e : served.entrySet()) {
      int n = e.getValue().get();
      assertTrue(n >= 900 && n <= 1100, () -> "server " + e.getKey() + " served " + n
          + " of 3000 calls; all: " + served);
    }
  }

  @Test
  void roundRobinLosesNoWaitForReadyCallWhenAServerStopsMidRun() throws Exception {
    server("a");
    TernServer b = server("b");
    server("c");
    channel = TernChannel.builder().target(ipv4Target()).defaultServiceConfig(ROUND_ROBIN)
        .build();
    warmUp();

    List<Throwable> failures = run(3000, 30, () -> b.shutdown());

    assertNoFailures(failures);
    assertTrue(b.awaitTermination(10, TimeUnit.SECONDS));
    int before = served.get("b").get();
    assertNoFailures(run(300, 30, null));
    assertEquals(before, served.get("b").get(), "the stopped server gets no more calls");
  }

  @Test
  void pickFirstUsesTheSecondAddressWhenTheFirstRefusesConnections() throws Exception {
    int refused;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      refused = s.getLocalPort(); // closed again: connecting to it is refused
    }
    TernServer live = server("live");
    channel = TernChannel.builder()
        .target("ipv4:127.0.0.1:" + refused + ",127.0.0.1:" + live.port()).build();

    assertEquals("live", call(channel, CallOptions.DEFAULT));
    assertEquals(ConnectivityState.READY, channel.getState(false));
  }

  @Test
  void pickFirstFailsFastCallsWhenNoAddressConnects() throws Exception {
    int refused;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      refused = s.getLocalPort();
    }
    channel = TernChannel.builder().target("ipv4:127.0.0.1:" + refused).build();

    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
        StatusRuntimeException.class, () -> call(channel, CallOptions.DEFAULT));

    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, channel.getState(false));
  }

  @Test
  void dnsTargetReachesAServerOnLocalhost() throws Exception {
    TernServer s = server("dns");
    channel = TernChannel.builder().target("dns:///localhost:" + s.port())
        .defaultServiceConfig(ROUND_ROBIN).build();

    assertEquals("dns", call(channel, CallOptions.DEFAULT.withWaitForReady()
        .withDeadlineAfter(20, TimeUnit.SECONDS)));
    assertEquals("localhost:" + s.port(), channel.authority());
  }
}
