package dev.tern.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tern.Status;
import dev.tern.conformance.StreamingClient.Call;
import dev.tern.conformance.StreamingClient.Outcome;
import dev.tern.conformance.StreamingClient.Spec;
import dev.tern.testing.Quiescence;
import dev.tern.testing.TcpProxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming behaviour every client/server pairing must show (issue 4), over real sockets on
 * 127.0.0.1 through a {@link TcpProxy} that counts the bytes on the wire. The suite runs once per
 * {@link Pairing} of server and client implementations; grpc-java to grpc-java runs the same
 * bodies, showing that the expectations are grpc-java's own behaviour.
 *
 * <p>The pairings run concurrently (each has its own servers, proxies and client, and each takes
 * over a minute); the tests of one pairing run one after another, as they share those.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("pairings")
@Execution(ExecutionMode.CONCURRENT)
class StreamingContractTest {
  /** Inbound limit on both sides: 16 MiB, so 10 MiB messages pass and 64 MiB bombs do not. */
  static final int MAX_INBOUND = 16 << 20;
  /** The window of the "slow reader" peers: 64 KiB. */
  static final int SMALL_WINDOW = 64 * 1024;
  /** Frame headers and control frames that may cross the wire beyond a window. */
  static final int OVERHEAD = 8 * 1024;

  /** What the client under test is built with. */
  static final class ClientConfig {
    int window = -1;
    boolean acceptGzip = true;
    boolean snappy;

    ClientConfig window(int w) {
      window = w;
      return this;
    }

    ClientConfig noGzip() {
      acceptGzip = false;
      return this;
    }

    ClientConfig snappy() {
      snappy = true;
      return this;
    }
  }

  /**
   * Starts a server (inbound limit {@link #MAX_INBOUND}, at least 2000 concurrent streams per
   * connection), with the given stream window or its default (-1); returns its port.
   */
  interface ServerUnderTest {
    int start(TernPeer tern, GrpcJavaPeer grpc, Gates gates, int window) throws Exception;
  }

  /** A client for 127.0.0.1:{@code port}. */
  interface ClientUnderTest {
    StreamingClient create(TernPeer tern, GrpcJavaPeer grpc, int port, ClientConfig config);
  }

  /**
   * A server implementation, a client implementation, and the answers in which the two stacks
   * legitimately differ.
   *
   * @param serverBombCode the code a client sees for a request that inflates past the server's
   *     limit: Tern servers answer RESOURCE_EXHAUSTED; grpc-java servers UNKNOWN ("Application
   *     error processing RPC"), as the limit trips while the request is parsed on the
   *     application thread
   * @param clientBombCode the code a client reports for a response that inflates past its
   *     limit: Tern clients RESOURCE_EXHAUSTED; grpc-java clients CANCELLED ("Failed to read
   *     message."), with the RESOURCE_EXHAUSTED as the cause
   * @param serverKeepsConnectionAfterBomb whether the server keeps serving the connection's
   *     other calls after refusing a bomb. Tern does. The grpc-java server (1.85.1), serving
   *     this contract, was seen to end the whole connection with GOAWAY INTERNAL_ERROR ("Stream
   *     N sent too many headers"): the handler's half-close callback still ran after grpc-java
   *     had closed the call itself, and the response it sent was a second HEADERS frame. That
   *     is the grpc-java server's business, not the client's.
   * @param wire whether the pairing talks HTTP/2 over a socket; the in-process pairing does not,
   *     and skips the tests of what only a wire has ({@link #WIRE_ONLY})
   */
  record Pairing(String name, ServerUnderTest server, ClientUnderTest client,
      Status.Code serverBombCode, Status.Code clientBombCode,
      boolean serverKeepsConnectionAfterBomb, boolean wire) {
    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * Why the in-process pairing skips a test: it checks bytes on the wire (through the proxy),
   * HTTP/2 flow-control windows, connections, or message compression, none of which exists
   * in-process (its flow control is in {@code tern-inprocess}'s own tests).
   */
  static final String WIRE_ONLY = "wire-only: bytes on the wire, HTTP/2 windows, connections"
      + " or compression; the in-process transport has none";

  static List<Pairing> pairings() {
    ServerUnderTest ternServer = (tern, grpc, gates, window) ->
        Peers.ternServer(tern, gates, window);
    ServerUnderTest grpcServer = (tern, grpc, gates, window) ->
        Peers.grpcServer(grpc, gates, window);
    ClientUnderTest ternClient = (tern, grpc, port, config) ->
        Peers.ternClient(tern, port, config);
    ClientUnderTest grpcClient = (tern, grpc, port, config) ->
        Peers.grpcClient(grpc, port, config);
    Status.Code tern = Status.Code.RESOURCE_EXHAUSTED;
    return List.of(
        new Pairing("Tern client to Tern server", ternServer, ternClient, tern, tern, true, true),
        // The in-process transport (tern-inprocess): "port" is the server's handle.
        new Pairing("Tern in-process client to Tern in-process server",
            (t, grpc, gates, window) -> t.startInProcessServer(b -> b
                .addService(StreamingContract.tern(gates))
                .maxInboundMessageSize(MAX_INBOUND)),
            (t, grpc, handle, config) -> StreamingClient.tern(t.newInProcessChannel(handle,
                b -> b.maxInboundMessageSize(MAX_INBOUND))),
            tern, tern, true, false),
        new Pairing("Tern client to grpc-java 1.85.1 server", grpcServer, ternClient,
            Status.Code.UNKNOWN, tern, false, true),
        new Pairing("grpc-java 1.85.1 client to Tern server", ternServer, grpcClient,
            tern, Status.Code.CANCELLED, true, true),
        // The control pairing: the expectations are grpc-java's own behaviour.
        new Pairing("grpc-java client to grpc-java server", grpcServer, grpcClient,
            Status.Code.UNKNOWN, Status.Code.CANCELLED, false, true));
  }

  /** What one pairing's tests share, from before its first test to after its last. */
  private static final class Running {
    final Gates gates = new Gates();
    final TernPeer tern = new TernPeer();
    final GrpcJavaPeer grpc = new GrpcJavaPeer();
    TcpProxy proxy;
    TcpProxy smallWindowProxy;
    StreamingClient client;
  }

  /** The pairings whose tests are running, with what each pairing's tests share. */
  private static final Map<Pairing, Running> RUNNING = new ConcurrentHashMap<>();

  private final Pairing pairing;
  private final Running running;
  private final Gates gates;
  private final TcpProxy proxy;
  private final TcpProxy smallWindowProxy;
  private final StreamingClient client;

  StreamingContractTest(Pairing pairing) {
    this.pairing = pairing;
    this.running = RUNNING.get(pairing);
    this.gates = running.gates;
    this.proxy = running.proxy;
    this.smallWindowProxy = running.smallWindowProxy;
    this.client = running.client;
  }

  /** Another client of the implementation under test for 127.0.0.1:{@code port}. */
  private StreamingClient newClient(int port, ClientConfig config) {
    return pairing.client().create(running.tern, running.grpc, port, config);
  }

  private Status.Code serverBombCode() {
    return pairing.serverBombCode();
  }

  private Status.Code clientBombCode() {
    return pairing.clientBombCode();
  }

  private boolean serverKeepsConnectionAfterBomb() {
    return pairing.serverKeepsConnectionAfterBomb();
  }

  @BeforeParameterizedClassInvocation
  static void startPeers(Pairing pairing) throws Exception {
    Running r = new Running();
    RUNNING.put(pairing, r);
    if (!pairing.wire()) {
      r.client = pairing.client().create(r.tern, r.grpc,
          pairing.server().start(r.tern, r.grpc, r.gates, -1), new ClientConfig());
      return;
    }
    r.proxy = TcpProxy.start(pairing.server().start(r.tern, r.grpc, r.gates, -1));
    r.smallWindowProxy = TcpProxy.start(
        pairing.server().start(r.tern, r.grpc, r.gates, SMALL_WINDOW));
    r.client = pairing.client().create(r.tern, r.grpc, r.proxy.port(), new ClientConfig());
  }

  @AfterParameterizedClassInvocation
  static void stopPeers(Pairing pairing) throws Exception {
    Running r = RUNNING.remove(pairing);
    try {
      r.tern.close();
      r.grpc.close();
    } finally {
      if (r.proxy != null) {
        r.proxy.close();
        r.smallWindowProxy.close();
      }
    }
  }

  // ---------------------------------------------------------------- the four call types

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void unaryEchoes() throws Exception {
    Call call = client.start("Unary", Spec.DEFAULT);
    call.request(2);
    call.send("hello".getBytes());
    call.halfClose();
    Outcome r = call.await();
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertArrayEquals("hello".getBytes(), r.messages.get(0));
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void serverStreamOfAHundredThousandSmallMessages() throws Exception {
    int count = 100_000;
    long start = System.nanoTime();
    Call call = client.start("ServerStream", Spec.DEFAULT);
    call.request(Integer.MAX_VALUE);
    call.send(StreamingContract.streamRequest(count, 16));
    call.halfClose();
    Outcome r = call.await();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertEquals(count, r.messages.size());
    for (int i = 0; i < count; i++) {
      assertEquals(i, StreamingContract.indexOf(r.messages.get(i)));
    }
    report("server stream of %d 16-byte messages: %d ms", count, millis);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void clientStreamIsAnsweredOnceTheClientHalfCloses() throws Exception {
    int count = 10_000;
    Call call = client.start("ClientStream", Spec.DEFAULT);
    call.request(2);
    for (int i = 0; i < count; i++) {
      call.sendWhenReady(StreamingContract.indexed(i, 100));
    }
    call.halfClose();
    Outcome r = call.await();
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertArrayEquals(StreamingContract.countAndBytes(count, count * 100L), r.messages.get(0));
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void bidiPingPongOfAThousandMessages() throws Exception {
    int rounds = 1000;
    Call[] holder = new Call[1];
    long start = System.nanoTime();
    Call call = client.start("Bidi", Spec.DEFAULT.onMessage(m -> {
      int next = StreamingContract.indexOf(m) + 1;
      if (next < rounds) {
        holder[0].send(StreamingContract.indexed(next, 32));
        holder[0].request(1);
      } else {
        holder[0].halfClose();
      }
    }));
    holder[0] = call;
    call.request(1);
    call.send(StreamingContract.indexed(0, 32));
    Outcome r = call.await();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertEquals(rounds, r.messages.size());
    for (int i = 0; i < rounds; i++) {
      assertEquals(i, StreamingContract.indexOf(r.messages.get(i)));
    }
    report("bidi ping-pong of %d messages: %d ms", rounds, millis);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void tenMebibyteMessageEachWay() throws Exception {
    byte[] big = new byte[10 << 20];
    new java.util.Random(42).nextBytes(big);
    Call call = client.start("Bidi", Spec.DEFAULT);
    call.request(1);
    call.send(big);
    call.halfClose();
    Outcome r = call.await();
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertEquals(1, r.messages.size());
    assertTrue(Arrays.equals(big, r.messages.get(0)), "the 10 MiB message came back intact");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void aThousandConcurrentStreamingCallsOnOneConnection() throws Exception {
    // Warm up: the client has its connection before the count is taken.
    unaryEchoes();
    // In-process there is no connection to count; the calls are all open at once all the same.
    long connections = pairing.wire() ? proxy.connections() : 0;
    int calls = 1000;
    CountDownLatch allEchoed = new CountDownLatch(calls);
    List<Call> started = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      boolean[] first = {true};
      Call call = client.start("Bidi", Spec.DEFAULT.onMessage(m -> {
        if (first[0]) {
          first[0] = false;
          allEchoed.countDown();
        }
      }));
      call.request(Integer.MAX_VALUE);
      call.send(StreamingContract.indexed(i, 64));
      started.add(call);
    }
    // Every call is open at once: each has had an echo and none has half-closed.
    assertTrue(allEchoed.await(60, TimeUnit.SECONDS), "all calls were open together");
    for (int i = 0; i < calls; i++) {
      started.get(i).send(StreamingContract.indexed(i, 64));
      started.get(i).halfClose();
    }
    for (int i = 0; i < calls; i++) {
      Outcome r = started.get(i).await();
      assertEquals(Status.Code.OK, r.code, r::toString);
      assertEquals(2, r.messages.size());
      assertEquals(i, StreamingContract.indexOf(r.messages.get(1)));
    }
    if (pairing.wire()) {
      assertEquals(connections, proxy.connections(), "no new connection was opened");
    }
  }

  // ---------------------------------------------------------------- compression

  private static List<byte[]> compressible() {
    byte[] m = "stream ".repeat(15_000).getBytes(); // 105 KB
    return List.of(m, m, m, m, m);
  }

  /** Echoes {@code messages} over Bidi; returns the bytes up and down the wire. */
  private long[] echo(StreamingClient c, Spec spec, List<byte[]> messages) throws Exception {
    long up = proxy.bytesToServer();
    long down = proxy.bytesToClient();
    Call call = c.start("Bidi", spec);
    call.request(Integer.MAX_VALUE);
    for (byte[] m : messages) {
      call.sendWhenReady(m);
    }
    call.halfClose();
    Outcome r = call.await();
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertEquals(messages.size(), r.messages.size());
    for (int i = 0; i < messages.size(); i++) {
      assertArrayEquals(messages.get(i), r.messages.get(i));
    }
    return new long[] {proxy.bytesToServer() - up, proxy.bytesToClient() - down};
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void gzipBothWays() throws Exception {
    assumeTrue(pairing.wire(), WIRE_ONLY);
    long[] bytes = echo(client, Spec.DEFAULT.compression("gzip").respondEncoding("gzip"),
        compressible());
    assertTrue(bytes[0] < 50_000, "requests compressed: " + bytes[0] + " bytes for 525 KB");
    assertTrue(bytes[1] < 50_000, "responses compressed: " + bytes[1] + " bytes for 525 KB");
    report("gzip echo of 525 KB: %d bytes up, %d down", bytes[0], bytes[1]);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void identityUnlessAskedFor() throws Exception {
    assumeTrue(pairing.wire(), WIRE_ONLY);
    long[] bytes = echo(client, Spec.DEFAULT, compressible());
    assertTrue(bytes[0] > 525_000 && bytes[1] > 525_000);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void serverAnswersUncompressedWhenTheClientDoesNotAcceptGzip() throws Exception {
    assumeTrue(pairing.wire(), WIRE_ONLY);
    StreamingClient plain = newClient(proxy.port(), new ClientConfig().noGzip());
    long[] bytes = echo(plain, Spec.DEFAULT.respondEncoding("gzip"), compressible());
    assertTrue(bytes[1] > 525_000, "responses uncompressed: " + bytes[1]);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void requestInAnEncodingTheServerLacksIsUnimplemented() throws Exception {
    assumeTrue(pairing.wire(), WIRE_ONLY);
    StreamingClient snappy = newClient(proxy.port(), new ClientConfig().snappy());
    Call call = snappy.start("Unary", Spec.DEFAULT.compression("snappy"));
    call.request(2);
    call.send("x".repeat(1000).getBytes());
    call.halfClose();
    Outcome r = call.await();
    assertEquals(Status.Code.UNIMPLEMENTED, r.code, r::toString);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void compressionBombToTheServerIsResourceExhaustedAndTheConnectionsOtherCallsGoOn()
      throws Exception {
    assumeTrue(pairing.wire(), WIRE_ONLY);
    // A connection of its own, so that whatever the bomb does stays in this test.
    StreamingClient client = newClient(proxy.port(), new ClientConfig());
    Call other = client.start("Bidi", Spec.DEFAULT);
    other.request(Integer.MAX_VALUE);
    other.send("before".getBytes());

    long up = proxy.bytesToServer();
    Call bomb = client.start("ClientStream", Spec.DEFAULT.compression("gzip"));
    bomb.request(1);
    bomb.send(new byte[64 << 20]); // 64 MiB of zeros: ~64 KiB of gzip; the limit is 16 MiB
    bomb.halfClose();
    Outcome r = bomb.await();
    long onWire = proxy.bytesToServer() - up;
    assertEquals(serverBombCode(), r.code, r::toString);
    assertTrue(onWire < 1 << 20, "the bomb was small on the wire: " + onWire);
    report("compression bomb to the server: %d bytes on the wire -> %s", onWire, r);
    if (!serverKeepsConnectionAfterBomb()) {
      other.cancel();
      return;
    }

    other.send("after".getBytes());
    other.halfClose();
    Outcome o = other.await();
    assertEquals(Status.Code.OK, o.code, o::toString);
    assertEquals(List.of("before", "after"), strings(o.messages));
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void compressionBombToTheClientIsResourceExhaustedAndTheConnectionsOtherCallsGoOn()
      throws Exception {
    assumeTrue(pairing.wire(), WIRE_ONLY);
    StreamingClient client = newClient(proxy.port(), new ClientConfig());
    Call other = client.start("Bidi", Spec.DEFAULT);
    other.request(Integer.MAX_VALUE);
    other.send("before".getBytes());

    Call bomb = client.start("Zeros", Spec.DEFAULT.respondEncoding("gzip"));
    bomb.request(2);
    bomb.send(StreamingContract.intBytes(64 << 20));
    bomb.halfClose();
    Outcome r = bomb.await();
    assertEquals(clientBombCode(), r.code, r::toString);
    assertEquals(0, r.messages.size());

    other.send("after".getBytes());
    other.halfClose();
    Outcome o = other.await();
    assertEquals(Status.Code.OK, o.code, o::toString);
    assertEquals(List.of("before", "after"), strings(o.messages));
  }

  // ---------------------------------------------------------------- flow control

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void serverStreamToAClientThatReadsNothingStopsAtTheClientsWindowThenResumes()
      throws Exception {
    assumeTrue(pairing.wire(), WIRE_ONLY);
    StreamingClient slow = newClient(proxy.port(),
        new ClientConfig().window(SMALL_WINDOW));
    warmUp(slow);
    long before = proxy.bytesToClient();
    int count = 2000;
    Call call = slow.start("ServerStream", Spec.DEFAULT);
    call.send(StreamingContract.streamRequest(count, 1000)); // 2 MB, 30 windows
    call.halfClose();

    long sent = Quiescence.awaitQuiet(() -> proxy.bytesToClient() - before, SMALL_WINDOW / 2);
    assertTrue(sent >= SMALL_WINDOW / 2, "the server filled the window: " + sent);
    assertTrue(sent <= SMALL_WINDOW + OVERHEAD,
        sent + " bytes sent to a client that reads nothing; its window is " + SMALL_WINDOW);
    assertEquals(0, call.received());

    call.request(Integer.MAX_VALUE);
    Outcome r = call.await();
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertEquals(count, r.messages.size());
    report("slow reader, server->client: %d bytes on the wire before the client read"
        + " (client window %d); then all %d messages", sent, SMALL_WINDOW, count);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void clientStreamToAServerThatReadsNothingStopsAtTheServersWindowThenResumes()
      throws Exception {
    assumeTrue(pairing.wire(), WIRE_ONLY);
    StreamingClient c = newClient(smallWindowProxy.port(), new ClientConfig());
    warmUp(c);
    String gate = "held-" + getClass().getSimpleName();
    long before = smallWindowProxy.bytesToServer();
    int count = 2000;
    Call call = c.start("Held", Spec.DEFAULT.gate(gate));
    call.request(1);
    CompletableFuture<Integer> sender = CompletableFuture.supplyAsync(() -> {
      try {
        for (int i = 0; i < count; i++) {
          call.sendWhenReady(StreamingContract.indexed(i, 1000));
        }
        call.halfClose();
        return count;
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    gates.arrived(gate).get(10, TimeUnit.SECONDS);
    long sent = Quiescence.awaitQuiet(() -> smallWindowProxy.bytesToServer() - before,
        SMALL_WINDOW / 2);
    assertTrue(sent >= SMALL_WINDOW / 2, "the client filled the window: " + sent);
    assertTrue(sent <= SMALL_WINDOW + OVERHEAD,
        sent + " bytes sent to a server that reads nothing; its window is " + SMALL_WINDOW);
    assertTrue(!sender.isDone(), "the sender waits for isReady");

    gates.release(gate);
    assertEquals(count, sender.get(60, TimeUnit.SECONDS));
    Outcome r = call.await();
    assertEquals(Status.Code.OK, r.code, r::toString);
    assertArrayEquals(StreamingContract.countAndBytes(count, count * 1000L), r.messages.get(0));
    report("slow reader, client->server: %d bytes on the wire before the server read"
        + " (server window %d); then all %d messages", sent, SMALL_WINDOW, count);
  }

  // ---------------------------------------------------------------- helpers

  private static void warmUp(StreamingClient c) throws Exception {
    Call call = c.start("Unary", Spec.DEFAULT);
    call.request(2);
    call.send(new byte[1]);
    call.halfClose();
    assertEquals(Status.Code.OK, call.await().code);
  }

  private static List<String> strings(List<byte[]> messages) {
    List<String> out = new ArrayList<>();
    for (byte[] m : messages) {
      out.add(new String(m));
    }
    return out;
  }

  private void report(String format, Object... args) {
    System.out.printf("[%s] %s%n", getClass().getSimpleName(), String.format(format, args));
  }

  static int getInt(byte[] b) {
    return ByteBuffer.wrap(b).getInt();
  }
}
