package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.stub.BlockingClientCall;
import dev.tern.stub.BlockingServerCalls;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link BlockingClientCall} against a Tern server: timeouts, misuse and odd servers. */
class BlockingClientCallTest {
  static final MethodDescriptor<String, String> HOLD =
      BlockingHandlersTest.method("Hold", MethodType.BIDI_STREAMING);
  static final MethodDescriptor<String, String> ANSWER_FIRST =
      BlockingHandlersTest.method("AnswerFirst", MethodType.CLIENT_STREAMING);
  static final MethodDescriptor<String, String> SILENT =
      BlockingHandlersTest.method("Silent", MethodType.CLIENT_STREAMING);
  static final MethodDescriptor<String, String> UNARY =
      BlockingHandlersTest.method("Unary", MethodType.UNARY);

  private static final CountDownLatch release = new CountDownLatch(1);
  private static volatile CompletableFuture<Status> holdEnd = new CompletableFuture<>();
  private static volatile CompletableFuture<Void> holdStarted = new CompletableFuture<>();
  private static TernServer server;
  private static TernChannel channel;

  @BeforeAll
  static void start() throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Blocking")
        .addMethod(HOLD, BlockingServerCalls.bidiStreamingCall((requests, responses) -> {
          holdStarted.complete(null);
          try {
            String first = requests.next(); // then answer only once released
            awaitRelease();
            responses.send("late " + first);
            requests.next();
            holdEnd.complete(Status.OK);
          } catch (StatusException e) {
            holdEnd.complete(e.getStatus());
            throw e;
          }
        }))
        .addMethod(ANSWER_FIRST, BlockingServerCalls.clientStreamingCall(requests -> "early"))
        .addMethod(SILENT, (call, headers) -> {
          call.close(Status.OK, new Metadata()); // OK without the one response
          return new ServerCall.Listener<>() {};
        })
        .addMethod(UNARY, BlockingServerCalls.unaryCall(request -> request))
        .build();
    server = TernServer.builder().port(0).addService(service).build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
  }

  private static void awaitRelease() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @AfterAll
  static void stop() {
    release.countDown();
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void readTimeoutLeavesTheCallRunning() throws Exception {
    holdEnd = new CompletableFuture<>();
    try (BlockingClientCall<String, String> call =
        BlockingClientCall.start(channel, HOLD, CallOptions.DEFAULT)) {
      assertTrue(call.write("a"));
      assertThrows(TimeoutException.class, () -> call.read(50, TimeUnit.MILLISECONDS));
      assertNull(call.getStatus());
      release.countDown();
      assertEquals("late a", call.read(30, TimeUnit.SECONDS));
      call.halfClose();
      assertNull(call.read(30, TimeUnit.SECONDS));
    }
    assertEquals(Status.Code.OK, holdEnd.get(30, TimeUnit.SECONDS).getCode());
  }

  @Test
  void writeAfterHalfCloseIsRefused() throws Exception {
    try (BlockingClientCall<String, String> call =
        BlockingClientCall.start(channel, ANSWER_FIRST, CallOptions.DEFAULT)) {
      call.halfClose();
      assertThrows(IllegalStateException.class, () -> call.write("x"));
    }
  }

  @Test
  void writeReturnsFalseOnceTheServerAnsweredWithOk() throws Exception {
    try (BlockingClientCall<String, String> call =
        BlockingClientCall.start(channel, ANSWER_FIRST, CallOptions.DEFAULT)) {
      assertEquals("early", call.read(30, TimeUnit.SECONDS));
      assertNull(call.read(30, TimeUnit.SECONDS));
      assertFalse(call.write("too late"));
    }
  }

  @Test
  void okWithoutTheOneResponseOfAClientStreamingCallIsInternal() throws Exception {
    try (BlockingClientCall<String, String> call =
        BlockingClientCall.start(channel, SILENT, CallOptions.DEFAULT)) {
      StatusException e =
          assertThrows(StatusException.class, () -> call.read(30, TimeUnit.SECONDS));
      assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    }
  }

  @Test
  void closingAnUnfinishedCallCancelsItOnTheServer() throws Exception {
    holdEnd = new CompletableFuture<>();
    holdStarted = new CompletableFuture<>();
    BlockingClientCall<String, String> call =
        BlockingClientCall.start(channel, HOLD, CallOptions.DEFAULT);
    // Once the server has the call: a call closed before its stream left never reaches it.
    holdStarted.get(30, TimeUnit.SECONDS);
    call.close(); // before the handler's first next() returns anything
    assertEquals(Status.Code.CANCELLED, holdEnd.get(30, TimeUnit.SECONDS).getCode());
    StatusException e = assertThrows(StatusException.class, call::read);
    assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
  }

  @Test
  void unaryMethodIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> BlockingClientCall.start(channel, UNARY, CallOptions.DEFAULT));
  }
}
