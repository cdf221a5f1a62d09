package dev.tern.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.tern.Status;
import dev.tern.conformance.EchoClient.Outcome;
import dev.tern.conformance.echo.EchoReply;
import dev.tern.conformance.echo.EchoRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated code against generated code, over real sockets on 127.0.0.1: clients on one stack's
 * stubs generated from echo.proto (tern-codegen's {@code EchoServiceTern} or protoc-gen-grpc-java's
 * {@code EchoServiceGrpc}) call a server on either stack's generated base class, for all four call
 * types, their failures, an unimplemented method and deadlines. The suite runs once per
 * {@link Pairing}; grpc-java to grpc-java is the control that shows the expectations are
 * grpc-java's own.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("pairings")
class GeneratedStubsContractTest {
  /** Starts a server on one stack's generated base class (one of {@code servers}). */
  interface ServerUnderTest {
    int start(EchoServers servers, TernPeer tern, GrpcJavaPeer grpc) throws Exception;
  }

  /** A client on one stack's generated stubs for 127.0.0.1:{@code port}. */
  interface ClientUnderTest {
    EchoClient create(TernPeer tern, GrpcJavaPeer grpc, int port);
  }

  /** A server on one stack's generated base class and a client on one stack's stubs. */
  record Pairing(String name, ServerUnderTest server, ClientUnderTest client) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Pairing> pairings() {
    ServerUnderTest ternServer = (servers, tern, grpc) ->
        tern.startServer(b -> b.addService(servers.tern().bindService())).port();
    ServerUnderTest grpcServer = (servers, tern, grpc) ->
        grpc.startServer(b -> b.addService(servers.grpc())).getPort();
    ClientUnderTest ternClient = (tern, grpc, port) ->
        EchoClient.tern(tern.newChannel(port, b -> {}));
    ClientUnderTest grpcClient = (tern, grpc, port) ->
        EchoClient.grpc(grpc.newChannel(port, b -> {}));
    return List.of(
        new Pairing("Tern to Tern, both on tern-codegen's code", ternServer, ternClient),
        // The in-process transport (tern-inprocess); "port" is the server's handle.
        new Pairing("Tern in-process, both on tern-codegen's code",
            (servers, tern, grpc) -> tern.startInProcessServer(
                b -> b.addService(servers.tern().bindService())),
            (tern, grpc, handle) -> EchoClient.tern(tern.newInProcessChannel(handle, b -> {}))),
        new Pairing("Tern client on tern-codegen's stubs to a grpc-java 1.85.1 server on"
            + " protoc-gen-grpc-java's base class", grpcServer, ternClient),
        new Pairing("grpc-java 1.85.1 client on protoc-gen-grpc-java's stubs to a Tern server"
            + " on tern-codegen's base class", ternServer, grpcClient),
        // The control: the expectations are grpc-java's own.
        new Pairing("grpc-java to grpc-java on protoc-gen-grpc-java's code", grpcServer,
            grpcClient));
  }

  /** What one pairing's tests share, from before its first test to after its last. */
  private static final class Running {
    final EchoServers servers = new EchoServers();
    final TernPeer tern = new TernPeer();
    final GrpcJavaPeer grpc = new GrpcJavaPeer();
    EchoClient client;
  }

  /** The pairings whose tests are running, with what each pairing's tests share. */
  private static final Map<Pairing, Running> RUNNING = new ConcurrentHashMap<>();

  private final EchoServers servers;
  private final EchoClient client;

  GeneratedStubsContractTest(Pairing pairing) {
    Running running = RUNNING.get(pairing);
    this.servers = running.servers;
    this.client = running.client;
  }

  @BeforeParameterizedClassInvocation
  static void startPeers(Pairing pairing) throws Exception {
    Running r = new Running();
    RUNNING.put(pairing, r);
    r.client = pairing.client().create(r.tern, r.grpc,
        pairing.server().start(r.servers, r.tern, r.grpc));
  }

  @AfterParameterizedClassInvocation
  static void stopPeers(Pairing pairing) {
    Running r = RUNNING.remove(pairing);
    try {
      r.tern.close();
    } finally {
      r.grpc.close();
    }
  }

  private static EchoRequest request(String text) {
    return EchoRequest.newBuilder().setText(text).build();
  }

  private static List<EchoRequest> requests(String... texts) {
    List<EchoRequest> list = new ArrayList<>();
    for (String t : texts) {
      list.add(request(t));
    }
    return list;
  }

  private static EchoRequest failing(String text, Status.Code code) {
    return request(text).toBuilder().setFailWith(code.value()).build();
  }

  @Test
  void unaryOnTheBlockingStubEchoesAndCarriesTheDeadline() throws Exception {
    ByteString payload = ByteString.copyFrom(new byte[] {0, 1, (byte) 0xFF});
    Outcome r = client.echoBlocking(
        request("héllo ✓").toBuilder().setPayload(payload).build(), 20_000);
    assertEquals(Status.Code.OK, r.code(), r::toString);
    EchoReply reply = r.replies().get(0);
    assertEquals("héllo ✓", reply.getText());
    assertEquals(payload, reply.getPayload());
    assertTrue(reply.getHadDeadline(), "the server saw the client's deadline (grpc-timeout)");
  }

  @Test
  void unaryOnTheFutureStubWithoutDeadlineSendsNone() throws Exception {
    Outcome r = client.echoFuture(request("future"));
    assertEquals(Status.Code.OK, r.code(), r::toString);
    assertEquals(List.of("future"), r.texts());
    assertFalse(r.replies().get(0).getHadDeadline());
  }

  @Test
  void largeUnaryMessageRoundTrips() throws Exception {
    // 3 MiB: many DATA frames and window updates each way, below the 4 MiB default limit.
    byte[] bytes = new byte[3 * 1024 * 1024];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31);
    }
    ByteString payload = ByteString.copyFrom(bytes);
    Outcome r = client.echoBlocking(request("big").toBuilder().setPayload(payload).build(),
        20_000);
    assertEquals(Status.Code.OK, r.code(), r::toString);
    assertEquals(payload, r.replies().get(0).getPayload());
  }

  @Test
  void unaryFailureCarriesCodeAndDescription() throws Exception {
    Outcome r = client.echoBlocking(failing("nope", Status.Code.NOT_FOUND), 20_000);
    assertEquals(Status.Code.NOT_FOUND, r.code());
    assertEquals("failing as asked: nope", r.description());
    Outcome f = client.echoFuture(failing("100% ünïcode", Status.Code.PERMISSION_DENIED));
    assertEquals(Status.Code.PERMISSION_DENIED, f.code());
    assertEquals("failing as asked: 100% ünïcode", f.description());
  }

  @Test
  void serverStreamingOnTheBlockingStubYieldsEveryReplyInOrder() throws Exception {
    Outcome r = client.expandBlocking(request("x").toBuilder().setCount(3).build());
    assertEquals(Status.Code.OK, r.code(), r::toString);
    assertEquals(3, r.replies().size());
    for (int i = 0; i < 3; i++) {
      assertEquals(i, r.replies().get(i).getIndex());
      assertTrue(r.replies().get(i).getHadDeadline());
    }
  }

  @Test
  void serverStreamingOnTheAsyncStubDeliversAManyMessageStream() throws Exception {
    // 500 replies of 4 KiB: 2 MiB, more than the HTTP/2 windows, so flow control takes turns.
    ByteString payload = ByteString.copyFrom(new byte[4096]);
    Outcome r = client.expandAsync(
        request("many").toBuilder().setCount(500).setPayload(payload).build());
    assertEquals(Status.Code.OK, r.code(), r::toString);
    assertEquals(500, r.replies().size());
    assertEquals(499, r.replies().get(499).getIndex());
  }

  @Test
  void serverStreamingFailureComesAfterTheRepliesSentBeforeIt() throws Exception {
    Outcome blocking = client.expandBlocking(
        failing("late", Status.Code.ABORTED).toBuilder().setCount(2).build());
    assertEquals(Status.Code.ABORTED, blocking.code(), blocking::toString);
    assertEquals("failing as asked: late", blocking.description());
    assertEquals(2, blocking.replies().size());
    Outcome async = client.expandAsync(
        failing("late", Status.Code.ABORTED).toBuilder().setCount(2).build());
    assertEquals(blocking, async);
  }

  @Test
  void serverStreamingOfNothingEndsOk() throws Exception {
    Outcome r = client.expandAsync(request("none"));
    assertEquals(Outcome.ok(List.of()), r);
  }

  @Test
  void clientStreamingAnswersOnceWithEveryRequest() throws Exception {
    Outcome r = client.collect(requests("a", "b", "c"));
    assertEquals(Status.Code.OK, r.code(), r::toString);
    assertEquals(List.of("a,b,c"), r.texts());
    assertEquals(3, r.replies().get(0).getIndex());
    assertTrue(r.replies().get(0).getHadDeadline());
  }

  @Test
  void clientStreamingOfNothingAnswersOnce() throws Exception {
    Outcome r = client.collect(List.of());
    assertEquals(Status.Code.OK, r.code(), r::toString);
    assertEquals(List.of(""), r.texts());
  }

  @Test
  void clientStreamingFailureEndsTheCallWithTheServersStatus() throws Exception {
    Outcome r = client.collect(List.of(request("a"), failing("b", Status.Code.INVALID_ARGUMENT),
        request("c")));
    assertEquals(Status.Code.INVALID_ARGUMENT, r.code(), r::toString);
    assertEquals("failing as asked: b", r.description());
    assertTrue(r.replies().isEmpty());
  }

  @Test
  void bidiStreamingAnswersEachRequestBeforeTheNextIsSent() throws Exception {
    Outcome r = client.converse(requests("one", "two", "three", "four", "five"));
    assertEquals(Status.Code.OK, r.code(), r::toString);
    assertEquals(List.of("one", "two", "three", "four", "five"), r.texts());
    for (int i = 0; i < 5; i++) {
      assertEquals(i, r.replies().get(i).getIndex());
    }
  }

  @Test
  void bidiStreamingFailureKeepsTheRepliesBeforeIt() throws Exception {
    Outcome r = client.converse(List.of(request("one"), request("two"),
        failing("three", Status.Code.RESOURCE_EXHAUSTED), request("four")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, r.code(), r::toString);
    assertEquals("failing as asked: three", r.description());
    assertEquals(List.of("one", "two"), r.texts());
  }

  @Test
  void deadlineEndsAStalledCallOnBothSides() throws Exception {
    // A warm connection, so that the stalled call normally reaches the server in time.
    assertEquals(Status.Code.OK, client.echoFuture(request("warm-up")).code());
    Outcome r = client.echoBlocking(request("stall").toBuilder().setStall(true).build(), 1_000);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, r.code(), r::toString);
    assertTrue(r.replies().isEmpty());
    // If the call reached the server's handler, the server hears that it ended. (On a machine
    // slow enough for the deadline to pass first, only the client side can be checked.)
    if (servers.stallStarted.getCount() == 0) {
      assertTrue(servers.stallCancelled.await(EchoClient.DEADLINE_SECONDS, TimeUnit.SECONDS),
          "the server saw the call end");
    }
  }

  @Test
  void methodTheServerDoesNotImplementIsUnimplemented() throws Exception {
    Outcome r = client.missing(request("?"));
    assertEquals(Status.Code.UNIMPLEMENTED, r.code(), r::toString);
    // The wording differs ("Method not found: ..." from Tern, "Method ... is unimplemented" from
    // grpc-java's generated code); both name the method.
    assertTrue(r.description().contains("tern.conformance.echo.EchoService/Missing"),
        r.description());
    // The connection is fine afterwards.
    assertEquals(Status.Code.OK, client.echoFuture(request("after")).code());
  }
}
