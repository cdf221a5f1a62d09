package dev.tern.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The unary behaviour every client/server pairing must agree on, over real sockets on 127.0.0.1.
 * The suite runs once per {@link Pairing} of a server and a client implementation (Tern or
 * grpc-java); the test bodies only see {@link UnaryClient} and {@link UnaryOutcome}, so the same
 * expectations hold for every pairing — including grpc-java to grpc-java, which shows the
 * expectations are grpc-java's own behaviour and not something Tern made up.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("pairings")
class UnaryContractTest {
  /** The server's inbound limit: requests above it get RESOURCE_EXHAUSTED. */
  static final int SERVER_MAX_INBOUND = 64 * 1024;
  /** The client's inbound limit, below the server's, so a response can exceed it alone. */
  static final int CLIENT_MAX_INBOUND = 16 * 1024;

  private static final String ASCII = Contract.ECHO_PREFIX + "ascii";
  private static final String BINARY = Contract.ECHO_PREFIX + "data-bin";

  /**
   * Starts a server serving {@link Contract} with {@code gates}; returns its port (for an
   * in-process server, the handle {@link TernPeer#startInProcessServer} gave it).
   */
  interface ServerUnderTest {
    int start(TernPeer tern, GrpcJavaPeer grpc, Gates gates, int maxInboundMessageSize)
        throws Exception;
  }

  /** A client for 127.0.0.1:{@code port}. */
  interface ClientUnderTest {
    UnaryClient create(TernPeer tern, GrpcJavaPeer grpc, int port, int maxInboundMessageSize);
  }

  /**
   * A server implementation, a client implementation, and the one answer in which the two
   * stacks legitimately differ: the code a client sees when a handler throws — Tern servers
   * answer INTERNAL (the issue asks for it), grpc-java servers UNKNOWN. Neither sends the
   * exception's text.
   */
  record Pairing(String name, ServerUnderTest server, ClientUnderTest client,
      Status.Code handlerExceptionCode) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Pairing> pairings() {
    ServerUnderTest ternServer = (tern, grpc, gates, max) -> tern.startServer(
        b -> b.addService(Contract.tern(gates)).maxInboundMessageSize(max)).port();
    ServerUnderTest grpcServer = (tern, grpc, gates, max) -> grpc.startServer(
        b -> b.addService(Contract.grpc(gates)).maxInboundMessageSize(max)).getPort();
    ClientUnderTest ternClient = (tern, grpc, port, max) -> UnaryClient.tern(
        tern.newChannel(port, b -> b.maxInboundMessageSize(max)));
    ClientUnderTest grpcClient = (tern, grpc, port, max) -> UnaryClient.grpc(
        grpc.newChannel(port, b -> b.maxInboundMessageSize(max)));
    return List.of(
        new Pairing("Tern client to Tern server", ternServer, ternClient, Status.Code.INTERNAL),
        // Both running application callbacks on the event loop: the low-latency mode.
        new Pairing("Tern to Tern, both directExecutor()",
            (tern, grpc, gates, max) -> tern.startServer(b -> b.addService(Contract.tern(gates))
                .directExecutor().maxInboundMessageSize(max)).port(),
            (tern, grpc, port, max) -> UnaryClient.tern(tern.newChannel(port,
                b -> b.directExecutor().maxInboundMessageSize(max))),
            Status.Code.INTERNAL),
        // The in-process transport (tern-inprocess): the same contract without sockets.
        new Pairing("Tern in-process client to Tern in-process server",
            (tern, grpc, gates, max) -> tern.startInProcessServer(
                b -> b.addService(Contract.tern(gates)).maxInboundMessageSize(max)),
            (tern, grpc, handle, max) -> UnaryClient.tern(
                tern.newInProcessChannel(handle, b -> b.maxInboundMessageSize(max))),
            Status.Code.INTERNAL),
        new Pairing("Tern in-process, serializeMessages(true), both directExecutor()",
            (tern, grpc, gates, max) -> tern.startInProcessServer(
                b -> b.addService(Contract.tern(gates)).directExecutor()
                    .maxInboundMessageSize(max)),
            (tern, grpc, handle, max) -> UnaryClient.tern(tern.newInProcessChannel(handle,
                b -> b.serializeMessages(true).directExecutor().maxInboundMessageSize(max))),
            Status.Code.INTERNAL),
        new Pairing("Tern client to grpc-java 1.85.1 server", grpcServer, ternClient,
            Status.Code.UNKNOWN),
        new Pairing("grpc-java 1.85.1 client to Tern server", ternServer, grpcClient,
            Status.Code.INTERNAL),
        // The control pairing: a failure here means the expectation is wrong, not Tern.
        new Pairing("grpc-java client to grpc-java server", grpcServer, grpcClient,
            Status.Code.UNKNOWN));
  }

  /** What one pairing's tests share, from before its first test to after its last. */
  private static final class Running {
    final Gates gates = new Gates();
    final TernPeer tern = new TernPeer();
    final GrpcJavaPeer grpc = new GrpcJavaPeer();
    UnaryClient client;
  }

  /** The pairings whose tests are running, with what each pairing's tests share. */
  private static final Map<Pairing, Running> RUNNING = new ConcurrentHashMap<>();

  private final Pairing pairing;
  private final Gates gates;
  private final UnaryClient client;

  UnaryContractTest(Pairing pairing) {
    this.pairing = pairing;
    Running running = RUNNING.get(pairing);
    this.gates = running.gates;
    this.client = running.client;
  }

  private Status.Code handlerExceptionCode() {
    return pairing.handlerExceptionCode();
  }

  @BeforeParameterizedClassInvocation
  static void startPeers(Pairing pairing) throws Exception {
    Running r = new Running();
    RUNNING.put(pairing, r);
    int port = pairing.server().start(r.tern, r.grpc, r.gates, SERVER_MAX_INBOUND);
    r.client = pairing.client().create(r.tern, r.grpc, port, CLIENT_MAX_INBOUND);
  }

  @AfterParameterizedClassInvocation
  static void stopPeers(Pairing pairing) throws Exception {
    Running r = RUNNING.remove(pairing);
    try {
      r.tern.close();
    } finally {
      r.grpc.close();
    }
  }

  @Test
  void unaryCallReturnsTheResponseAndOk() throws Exception {
    UnaryOutcome r = client.call("Echo", "hello");
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertEquals(List.of("hello"), r.responses);
    assertNotNull(r.headers, "a response with a message starts with headers");
  }

  @Test
  void asciiMetadataRoundTripsInHeadersAndTrailers() throws Exception {
    MetadataList sent = MetadataList.builder()
        .ascii(ASCII, "plain", "with spaces, commas; and = signs", "~!@#$%^&*()_+{}|:<>?")
        .build();
    UnaryOutcome r = client.call("Echo", "md", sent);
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertEquals(sent.ascii(ASCII), r.headers.ascii(ASCII));
    assertEquals(sent.ascii(ASCII), r.trailers.ascii(ASCII));
  }

  @Test
  void binaryMetadataRoundTripsForEveryBase64PaddingLength() throws Exception {
    // Lengths 1, 2, 4, 5 and 256 need '=' padding in standard base64; 0 and 3 need none. Every
    // byte value appears, including those that are not printable ASCII.
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    byte[][] values = {
        {}, {(byte) 0xFF}, {0, (byte) 0x80}, {1, 2, 3}, {(byte) 0xFB, (byte) 0xFF, (byte) 0xBF, 0},
        {'-', '_', '+', '/', '='}, all,
    };
    MetadataList sent = MetadataList.builder().binary(BINARY, values).build();
    UnaryOutcome r = client.call("Echo", "bin", sent);
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertBinaryEquals(values, r.headers.binary(BINARY));
    assertBinaryEquals(values, r.trailers.binary(BINARY));
  }

  @Test
  void failedStatusWithNonAsciiAndPercentRoundTripsAsTrailersOnly() throws Exception {
    String message = "bad 100% — ünïcödé ✓ %41 %zz %\n\ttabs, 😀 and \"quotes\"";
    MetadataList sent = MetadataList.builder().ascii(ASCII, "in trailers").build();
    UnaryOutcome r = client.call("Fail", message, sent);
    assertEquals(Status.Code.INVALID_ARGUMENT, r.code, r::toString);
    assertEquals(message, r.description);
    assertNull(r.headers, "the status came before any message: Trailers-Only");
    assertTrue(r.responses.isEmpty());
    assertEquals(List.of("in trailers"), r.trailers.ascii(ASCII));
  }

  @Test
  void unknownMethodIsUnimplemented() throws Exception {
    UnaryOutcome r = client.call("Missing", "x");
    assertEquals(Status.Code.UNIMPLEMENTED, r.code, r::toString);
    assertEquals("Method not found: " + Contract.fullName("Missing"), r.description);
    // The connection is fine afterwards.
    assertEquals(Status.Code.OK, client.call("Echo", "after").code);
  }

  @Test
  void requestOverTheServerLimitIsResourceExhausted() throws Exception {
    UnaryOutcome r = client.call("Echo", "x".repeat(SERVER_MAX_INBOUND + 1));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, r.code, r::toString);
    assertTrue(r.responses.isEmpty());
    assertEquals(List.of("after"), client.call("Echo", "after").responses);
  }

  @Test
  void responseOverTheClientLimitIsResourceExhausted() throws Exception {
    UnaryOutcome r = client.call("Grow", Integer.toString(CLIENT_MAX_INBOUND + 1));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, r.code, r::toString);
    assertTrue(r.responses.isEmpty());
    // Just under the limit still works, on the same connection.
    UnaryOutcome ok = client.call("Grow", Integer.toString(CLIENT_MAX_INBOUND - 16));
    assertEquals(Status.Code.OK, ok.code, ok::toString);
    assertEquals(CLIENT_MAX_INBOUND - 16, ok.responses.get(0).length());
  }

  @Test
  void throwingHandlerFailsOnlyItsOwnCall() throws Exception {
    String gate = "held-" + System.nanoTime();
    CompletableFuture<UnaryOutcome> held = client.start("Gate", gate, MetadataList.EMPTY);
    gates.arrived(gate).get(30, TimeUnit.SECONDS);

    UnaryOutcome thrown = client.call("Throw", "x");
    assertEquals(handlerExceptionCode(), thrown.code, thrown::toString);
    assertFalse(String.valueOf(thrown.description).contains("secret"),
        "the exception's text stays on the server: " + thrown.description);

    // The call that was in flight on the same connection is unaffected.
    assertFalse(held.isDone(), () -> "held call ended early: " + held.join());
    gates.release(gate);
    UnaryOutcome released = held.get(30, TimeUnit.SECONDS);
    assertEquals(Status.Code.OK, released.code, released::toString);
    assertEquals(List.of(gate), released.responses);
    assertEquals(Status.Code.OK, client.call("Echo", "after").code);
  }

  @Test
  void concurrentCallsOnOneConnectionAllComplete() throws Exception {
    List<CompletableFuture<UnaryOutcome>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(client.start("Echo", "m" + i, MetadataList.EMPTY));
    }
    for (int i = 0; i < calls.size(); i++) {
      UnaryOutcome r = calls.get(i).get(30, TimeUnit.SECONDS);
      assertEquals(Status.Code.OK, r.code, r::toString);
      assertEquals(List.of("m" + i), r.responses);
    }
  }

  private static void assertBinaryEquals(byte[][] expected, List<byte[]> actual) {
    assertEquals(expected.length, actual.size(), "number of values");
    for (int i = 0; i < expected.length; i++) {
      assertArrayEquals(expected[i], actual.get(i), "value " + i);
    }
  }
}
