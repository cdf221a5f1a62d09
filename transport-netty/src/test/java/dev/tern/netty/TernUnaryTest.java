package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.testing.TcpProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TernUnaryTest {
  private static TernServer server;
  private static TernChannel channel;

  @BeforeAll
  static void start() throws Exception {
    server = TernServer.builder().port(0).addService(TestMethods.echoService())
        .maxInboundMessageSize(1024).build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void unaryEchoesMessageAndMetadata() throws Exception {
    Metadata headers = new Metadata();
    headers.put(TestMethods.ASCII_KEY, "hello there");
    byte[] binary = {0, 1, 2, (byte) 0xFF, 10};
    headers.put(TestMethods.BINARY_KEY, binary);

    CallResult<String> r = CallResult.unary(channel, TestMethods.UNARY, "ping", headers);

    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("ping"), r.messages);
    assertEquals("hello there", r.headers.get(TestMethods.ASCII_KEY));
    assertArrayEquals(binary, r.headers.get(TestMethods.BINARY_KEY));
    assertArrayEquals(binary, r.trailers.get(TestMethods.BINARY_KEY));
  }

  @Test
  void statusMessageWithNonAsciiAndPercentRoundTrips() throws Exception {
    String message = "bad 100% — ünïcödé\n✓";
    CallResult<String> r = CallResult.unary(channel, TestMethods.FAIL, message, new Metadata());
    assertEquals(Status.Code.INVALID_ARGUMENT, r.status.getCode());
    assertEquals(message, r.status.getDescription());
    assertNull(r.headers, "a Trailers-Only response has no separate headers");
  }

  @Test
  void unknownMethodIsUnimplemented() throws Exception {
    CallResult<String> r = CallResult.unary(channel, TestMethods.MISSING, "x", new Metadata());
    assertEquals(Status.Code.UNIMPLEMENTED, r.status.getCode());
    assertEquals("Method not found: tern.test.Echo/Missing", r.status.getDescription());
  }

  @Test
  void throwingHandlerGivesInternalWithoutDetailAndConnectionSurvives() throws Exception {
    CallResult<String> r = CallResult.unary(channel, TestMethods.THROW, "x", new Metadata());
    assertEquals(Status.Code.INTERNAL, r.status.getCode());
    assertFalse(r.status.getDescription().contains("secret"), r.status::toString);
    CallResult<String> next = CallResult.unary(channel, TestMethods.UNARY, "after", new Metadata());
    assertEquals(List.of("after"), next.messages);
  }

  @Test
  void messageOverLimitIsResourceExhausted() throws Exception {
    CallResult<String> r = CallResult.unary(channel, TestMethods.UNARY, "x".repeat(2000),
        new Metadata());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, r.status.getCode(), r.status::toString);
    CallResult<String> next = CallResult.unary(channel, TestMethods.UNARY, "ok", new Metadata());
    assertEquals(Status.Code.OK, next.status.getCode());
  }

  @Test
  void manyConcurrentCallsShareOneConnection() throws Exception {
    // A channel of its own behind a proxy that counts the TCP connections it accepts.
    try (TcpProxy proxy = TcpProxy.start(server.port())) {
      TernChannel counted = TernChannel.builder().target("127.0.0.1:" + proxy.port()).build();
      try {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        List<CallResult<String>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          CallResult<String> result = new CallResult<>();
          dev.tern.ClientCall<String, String> call =
              counted.newCall(TestMethods.UNARY, dev.tern.CallOptions.DEFAULT);
          call.start(result, new Metadata());
          call.request(1);
          call.sendMessage("m" + i);
          call.halfClose();
          results.add(result);
          all.add(result.closed);
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
            .get(30, TimeUnit.SECONDS);
        for (int i = 0; i < results.size(); i++) {
          assertEquals(List.of("m" + i), results.get(i).messages);
        }
        assertEquals(1, proxy.connections(), "all 200 calls must share one connection");
      } finally {
        counted.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
