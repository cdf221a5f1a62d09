package dev.tern.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import dev.tern.conformance.echo.EchoReply;
import dev.tern.conformance.echo.EchoRequest;
import dev.tern.conformance.echo.EchoServiceGrpc;
import dev.tern.conformance.echo.EchoServiceTern;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.stub.BlockingClientCall;
import dev.tern.stub.CloseableIterator;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * JDK 21+ ({@code jdk21} tag, run by the conformance module's jdk21 execution): blocking
 * handlers of all four call types on a server with {@code useVirtualThreads()}, called by Tern's
 * client and by grpc-java's; Tern's blocking bidi client against grpc-java's server; a blocking
 * handler's downstream blocking call inheriting its caller's deadline and cancellation.
 */
@Tag("jdk21")
class VirtualThreadBlockingInteropTest {
  private static final BlockingEcho blocking = new BlockingEcho();
  private static final EchoServers downstreamEchoes = new EchoServers();
  private static final GrpcJavaPeer grpc = new GrpcJavaPeer();
  private static final CompletableFuture<Status> downstreamOutcome = new CompletableFuture<>();
  private static TernServer server;
  private static TernServer downstream;
  private static TernServer frontend;
  private static TernChannel channel;
  private static TernChannel downstreamChannel;
  private static ManagedChannel grpcChannel;
  private static Server grpcServer;

  @BeforeAll
  static void start() throws Exception {
    server = TernServer.builder().port(0).useVirtualThreads()
        .addService(EchoServiceTern.bindService(blocking)).build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port()).useVirtualThreads()
        .build();
    grpcChannel = grpc.newChannel(server.port(), b -> {});
    grpcServer = grpc.startServer(b -> b.addService(new EchoServers().grpc()));

    // frontend (blocking, virtual threads) --blocking stub--> downstream (stalls when asked)
    downstream = TernServer.builder().port(0).addService(downstreamEchoes.tern().bindService())
        .build().start();
    downstreamChannel = TernChannel.builder().target("127.0.0.1:" + downstream.port()).build();
    EchoServiceTern.EchoServiceBlockingStub next =
        EchoServiceTern.newBlockingStub(downstreamChannel);
    frontend = TernServer.builder().port(0).useVirtualThreads()
        .addService(EchoServiceTern.bindService(new EchoServiceTern.BlockingService() {
          @Override
          public EchoReply echo(EchoRequest request) throws StatusException {
            try {
              return next.echo(request); // no deadline of its own: inherits the caller's
            } catch (StatusRuntimeException e) {
              if (request.getStall()) {
                downstreamOutcome.complete(e.getStatus());
              }
              throw e;
            }
          }
        })).build().start();
  }

  @AfterAll
  static void stop() {
    grpc.close();
    channel.shutdownNow();
    downstreamChannel.shutdownNow();
    server.shutdownNow();
    downstream.shutdownNow();
    frontend.shutdownNow();
  }

  private static EchoRequest text(String text) {
    return EchoRequest.newBuilder().setText(text).build();
  }

  @Test
  void ternClientCallsBlockingHandlersOfAllFourTypesOnVirtualThreads() throws Exception {
    int before = blocking.calls.get();
    EchoServiceTern.EchoServiceBlockingStub stub = EchoServiceTern.newBlockingStub(channel);
    assertEquals("hi", stub.echo(text("hi")).getText());
    List<Integer> indexes = new ArrayList<>();
    try (CloseableIterator<EchoReply> it =
        stub.expand(EchoRequest.newBuilder().setText("x").setCount(3).build())) {
      it.forEachRemaining(r -> indexes.add(r.getIndex()));
    }
    assertEquals(List.of(0, 1, 2), indexes);
    try (BlockingClientCall<EchoRequest, EchoReply> call = stub.collect()) {
      call.write(text("a"));
      call.write(text("b"));
      call.halfClose();
      assertEquals("a,b", call.read().getText());
    }
    try (BlockingClientCall<EchoRequest, EchoReply> call = stub.converse()) {
      call.write(text("c"));
      assertEquals("c", call.read().getText());
      call.halfClose();
      assertNull(call.read());
    }
    assertTrue(blocking.calls.get() >= before + 4);
    assertEquals(0, blocking.platformThreadCalls.get(), "calls served on platform threads");
  }

  @Test
  void grpcJavaClientCallsBlockingHandlersOfAllFourTypes() throws Exception {
    EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc.newBlockingStub(grpcChannel);
    assertEquals("hi", stub.echo(text("hi")).getText());
    io.grpc.StatusRuntimeException failed = assertThrows(io.grpc.StatusRuntimeException.class,
        () -> stub.echo(EchoRequest.newBuilder().setText("f").setFailWith(5).build()));
    assertEquals(io.grpc.Status.Code.NOT_FOUND, failed.getStatus().getCode());
    List<Integer> indexes = new ArrayList<>();
    stub.expand(EchoRequest.newBuilder().setText("x").setCount(4).build())
        .forEachRemaining(r -> indexes.add(r.getIndex()));
    assertEquals(List.of(0, 1, 2, 3), indexes);

    EchoServiceGrpc.EchoServiceStub async = EchoServiceGrpc.newStub(grpcChannel);
    Collector collected = new Collector();
    io.grpc.stub.StreamObserver<EchoRequest> requests = async.collect(collected);
    requests.onNext(text("a"));
    requests.onNext(text("b"));
    requests.onCompleted();
    assertEquals("a,b", collected.done.get(30, TimeUnit.SECONDS).get(0).getText());

    Collector conversed = new Collector();
    requests = async.converse(conversed);
    for (int i = 0; i < 5; i++) {
      requests.onNext(text("m" + i));
    }
    requests.onCompleted();
    List<EchoReply> replies = conversed.done.get(30, TimeUnit.SECONDS);
    assertEquals(5, replies.size());
    assertEquals("m4", replies.get(4).getText());
    assertEquals(0, blocking.platformThreadCalls.get(), "calls served on platform threads");
  }

  @Test
  void ternBlockingBidiClientTalksToGrpcJavaServer() throws Exception {
    TernChannel toGrpc = TernChannel.builder().target("127.0.0.1:" + grpcServer.getPort())
        .useVirtualThreads().build();
    try (BlockingClientCall<EchoRequest, EchoReply> call =
        EchoServiceTern.newBlockingStub(toGrpc).converse()) {
      for (int i = 0; i < 20; i++) {
        assertTrue(call.write(text("q" + i)));
        EchoReply reply = call.read(30, TimeUnit.SECONDS);
        assertEquals("q" + i, reply.getText());
        assertEquals(i, reply.getIndex());
      }
      call.halfClose();
      assertNull(call.read(30, TimeUnit.SECONDS));
      assertEquals(Status.Code.OK, call.getStatus().getCode());
    } finally {
      toGrpc.shutdownNow();
    }
  }

  @Test
  void downstreamBlockingCallInheritsTheDeadlineAndIsCancelledWithItsCaller() throws Exception {
    TernChannel toFrontend = TernChannel.builder().target("127.0.0.1:" + frontend.port()).build();
    try {
      EchoServiceTern.EchoServiceBlockingStub stub = EchoServiceTern.newBlockingStub(toFrontend)
          .withDeadlineAfter(30, TimeUnit.SECONDS);
      // The downstream server saw a deadline that only the caller set.
      assertTrue(stub.echo(text("deadline?")).getHadDeadline());

      CompletableFuture<EchoReply> call = EchoServiceTern.newFutureStub(toFrontend)
          .echo(EchoRequest.newBuilder().setText("stall").setStall(true).build());
      assertTrue(downstreamEchoes.stallStarted.await(30, TimeUnit.SECONDS));
      call.cancel(true);
      // Cancelling the caller cancels the frontend's context, hence its downstream call.
      assertTrue(downstreamEchoes.stallCancelled.await(30, TimeUnit.SECONDS));
      assertEquals(Status.Code.CANCELLED,
          downstreamOutcome.get(30, TimeUnit.SECONDS).getCode());
    } finally {
      toFrontend.shutdownNow();
    }
  }

  /** Collects a grpc-java call's responses. */
  private static final class Collector implements io.grpc.stub.StreamObserver<EchoReply> {
    final CompletableFuture<List<EchoReply>> done = new CompletableFuture<>();
    private final List<EchoReply> replies = new ArrayList<>();

    @Override
    public void onNext(EchoReply value) {
      replies.add(value);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      done.complete(replies);
    }
  }
}
