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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The unary behaviour every client/server pairing must agree on, over real sockets on 127.0.0.1.
 * A subclass picks the server and the client implementation (Tern or grpc-java); the test bodies
 * only see {@link UnaryClient} and {@link UnaryOutcome}, so the same expectations hold for every
 * pairing — including grpc-java to grpc-java, which shows the expectations are grpc-java's own
 * behaviour and not something Tern made up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class UnaryContractTest {
  /** The server's inbound limit: requests above it get RESOURCE_EXHAUSTED. */
  static final int SERVER_MAX_INBOUND = 64 * 1024;
  /** The client's inbound limit, below the server's, so a response can exceed it alone. */
  static final int CLIENT_MAX_INBOUND = 16 * 1024;

  private static final String ASCII = Contract.ECHO_PREFIX + "ascii";
  private static final String BINARY = Contract.ECHO_PREFIX + "data-bin";

  protected final Gates gates = new Gates();
  protected final TernPeer tern = new TernPeer();
  protected final GrpcJavaPeer grpc = new GrpcJavaPeer();
  private UnaryClient client;

  /** Starts the server under test serving {@link Contract} with {@code gates}; returns its port. */
  protected abstract int startServer(Gates gates, int maxInboundMessageSize) throws Exception;

  /** A client of the implementation under test for 127.0.0.1:{@code port}. */
  protected abstract UnaryClient newClient(int port, int maxInboundMessageSize) throws Exception;

  /**
   * The code a client sees when a handler throws: Tern servers answer INTERNAL (the issue asks for
   * it), grpc-java servers UNKNOWN. Neither sends the exception's text.
   */
  protected abstract Status.Code handlerExceptionCode();

  @BeforeAll
  void startPeers() throws Exception {
    int port = startServer(gates, SERVER_MAX_INBOUND);
    client = newClient(port, CLIENT_MAX_INBOUND);
  }

  @AfterAll
  void stopPeers() throws Exception {
    try {
      tern.close();
    } finally {
      grpc.close();
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
