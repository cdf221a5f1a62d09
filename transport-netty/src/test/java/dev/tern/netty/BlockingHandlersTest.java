package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.ClientInterceptors;
import dev.tern.ForwardingClientCall;
import dev.tern.ForwardingClientCallListener;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import dev.tern.stub.BlockingClientCall;
import dev.tern.stub.BlockingServerCalls;
import dev.tern.stub.ClientCalls;
import dev.tern.stub.CloseableIterator;
import dev.tern.stub.ServerCallInfo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Blocking server handlers of all four call types ({@link BlockingServerCalls}) against Tern's
 * client, including its {@link BlockingClientCall}: responses, metadata, status details, flow
 * control in both directions, cancellation and deadlines.
 */
class BlockingHandlersTest {
  static final MethodDescriptor<String, String> UNARY = method("Unary", MethodType.UNARY);
  static final MethodDescriptor<String, String> FAILING = method("Failing", MethodType.UNARY);
  static final MethodDescriptor<String, String> STREAM =
      method("Stream", MethodType.SERVER_STREAMING);
  static final MethodDescriptor<String, String> COUNT =
      method("Count", MethodType.CLIENT_STREAMING);
  static final MethodDescriptor<String, String> ECHO = method("Echo", MethodType.BIDI_STREAMING);
  static final MethodDescriptor<String, String> WAIT = method("Wait", MethodType.BIDI_STREAMING);
  static final MethodDescriptor<String, String> BROKEN = method("Broken", MethodType.UNARY);
  /** The unary method, called as client streaming: lets the client send two requests. */
  static final MethodDescriptor<String, String> UNARY_AS_STREAM =
      method("Unary", MethodType.CLIENT_STREAMING);

  static final Metadata.Key<String> TENANT = Metadata.Key.ascii("tenant");
  static final Metadata.Key<String> SERVED_BY = Metadata.Key.ascii("served-by");
  static final Metadata.Key<String> DETAIL = Metadata.Key.ascii("detail");
  private static final int WINDOW = 64 * 1024;
  private static final int MESSAGE = 16 * 1024;

  private static final AtomicInteger streamSent = new AtomicInteger();
  private static volatile CompletableFuture<Status> streamEnd = new CompletableFuture<>();
  private static volatile CompletableFuture<Status> waitEnd = new CompletableFuture<>();
  private static volatile CountDownLatch waiting = new CountDownLatch(1);
  private static TernServer server;
  private static TernChannel channel;

  static MethodDescriptor<String, String> method(String name, MethodType type) {
    return MethodDescriptor.newBuilder(TestMethods.STRING, TestMethods.STRING)
        .setFullMethodName("tern.test.Blocking/" + name)
        .setType(type)
        .build();
  }

  @BeforeAll
  static void start() throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Blocking")
        .addMethod(UNARY, BlockingServerCalls.unaryCall(request -> {
          ServerCallInfo call = ServerCallInfo.current();
          call.responseHeaders().put(SERVED_BY, "unary");
          call.responseTrailers().put(SERVED_BY, "unary-trailer");
          return "hello " + request + " from " + call.requestHeaders().get(TENANT);
        }))
        .addMethod(FAILING, BlockingServerCalls.unaryCall(request -> {
          Metadata details = new Metadata();
          details.put(DETAIL, "no such " + request);
          throw Status.NOT_FOUND.withDescription(request).asException(details);
        }))
        .addMethod(BROKEN, BlockingServerCalls.unaryCall(request -> {
          throw new IllegalStateException("secret detail the client must not see");
        }))
        .addMethod(STREAM, BlockingServerCalls.serverStreamingCall((request, responses) -> {
          String payload = "x".repeat(MESSAGE);
          try {
            for (int i = 0; i < Integer.parseInt(request); i++) {
              responses.send(payload);
              streamSent.incrementAndGet();
            }
            streamEnd.complete(Status.OK);
          } catch (StatusException e) {
            streamEnd.complete(e.getStatus());
            throw e;
          }
        }))
        .addMethod(COUNT, BlockingServerCalls.clientStreamingCall(requests -> {
          int count = 0;
          while (requests.next() != null) {
            count++;
          }
          return Integer.toString(count);
        }))
        .addMethod(ECHO, BlockingServerCalls.bidiStreamingCall((requests, responses) -> {
          for (String r; (r = requests.next()) != null; ) {
            responses.send("echo " + r);
          }
        }))
        .addMethod(WAIT, BlockingServerCalls.bidiStreamingCall((requests, responses) -> {
          waiting.countDown();
          try {
            requests.next();
            waitEnd.complete(Status.OK);
          } catch (StatusException e) {
            waitEnd.complete(e.getStatus());
            throw e;
          }
        }))
        .build();
    server = TernServer.builder().port(0).addService(service).flowControlWindow(WINDOW).build()
        .start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .flowControlWindow(WINDOW).build();
  }

  /** Sends {@code headers}; captures the response headers and trailers. */
  private static ClientInterceptor capture(Metadata headers,
      CompletableFuture<Metadata> responseHeaders, CompletableFuture<Metadata> trailers) {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, callOptions)) {
          @Override
          public void start(Listener<RespT> listener, Metadata ignored) {
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                listener) {
              @Override
              public void onHeaders(Metadata h) {
                responseHeaders.complete(h);
                super.onHeaders(h);
              }

              @Override
              public void onClose(Status status, Metadata t) {
                trailers.complete(t);
                super.onClose(status, t);
              }
            }, headers);
          }
        };
      }
    };
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void unaryHandlerReturnsItsResponseWithHeadersAndTrailers() throws Exception {
    Metadata headers = new Metadata();
    headers.put(TENANT, "acme");
    CompletableFuture<Metadata> responseHeaders = new CompletableFuture<>();
    CompletableFuture<Metadata> trailers = new CompletableFuture<>();
    String response = ClientCalls.blockingUnaryCall(
        ClientInterceptors.intercept(channel, capture(headers, responseHeaders, trailers)),
        UNARY, CallOptions.DEFAULT, "ada");
    assertEquals("hello ada from acme", response);
    assertEquals("unary", responseHeaders.get(5, TimeUnit.SECONDS).get(SERVED_BY));
    assertEquals("unary-trailer", trailers.get(5, TimeUnit.SECONDS).get(SERVED_BY));
  }

  @Test
  void thrownStatusExceptionReachesTheClientWithItsTrailers() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(channel, FAILING, CallOptions.DEFAULT, "thing"));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals("thing", e.getStatus().getDescription());
    assertEquals("no such thing", e.getTrailers().get(DETAIL));
  }

  @Test
  void serverStreamingSendBlocksWhileTheClientDoesNotReadAndThrowsCancelledOnCancel()
      throws Exception {
    streamSent.set(0);
    streamEnd = new CompletableFuture<>();
    try (CloseableIterator<String> it = ClientCalls.blockingServerStreamingCall(
        channel, STREAM, CallOptions.DEFAULT, "100000")) {
      assertEquals(MESSAGE, it.next().length()); // then read no more: a slow reader
    } // closing cancels the call
    assertEquals(Status.Code.CANCELLED, streamEnd.get(30, TimeUnit.SECONDS).getCode());
    // Never the 100,000 asked for: what was sent fits the client's window plus what the
    // server may hold for the call (its send buffer limit, 1 MiB by default) and one message.
    // Readiness usually holds it far lower (6-10 messages on an idle machine: the window, the
    // ready threshold in Netty and in hand-off), but a loaded CI machine once saw 18, so the
    // bound is the hard memory bound, not readiness's timing.
    int bound = (WINDOW + 1024 * 1024) / MESSAGE + 1;
    assertTrue(streamSent.get() <= bound, streamSent.get() + " sent, more than " + bound);
  }

  @Test
  void serverStreamingDeliversEveryMessageToAReaderThatKeepsUp() {
    streamEnd = new CompletableFuture<>();
    int count = 0;
    try (CloseableIterator<String> it = ClientCalls.blockingServerStreamingCall(
        channel, STREAM, CallOptions.DEFAULT, "50")) {
      while (it.hasNext()) {
        it.next();
        count++;
      }
    }
    assertEquals(50, count);
  }

  @Test
  void clientStreamingHandlerReadsEveryRequestFromABlockingClientCall() throws Exception {
    try (BlockingClientCall<String, String> call =
        BlockingClientCall.start(channel, COUNT, CallOptions.DEFAULT)) {
      for (int i = 0; i < 500; i++) {
        assertTrue(call.write("m" + i));
      }
      call.halfClose();
      assertEquals("500", call.read());
      assertNull(call.read());
      assertEquals(Status.Code.OK, call.getStatus().getCode());
    }
  }

  @Test
  void bidiHandlerEchoesWhileTheClientWritesAndReadsFromTwoThreads() throws Exception {
    int n = 2000;
    try (BlockingClientCall<String, String> call =
        BlockingClientCall.start(channel, ECHO, CallOptions.DEFAULT)) {
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < n; i++) {
            call.write("m" + i + "-" + "y".repeat(1000));
          }
          call.halfClose();
        } catch (InterruptedException | StatusException e) {
          throw new IllegalStateException(e);
        }
      });
      int read = 0;
      for (String r; (r = call.read(30, TimeUnit.SECONDS)) != null; ) {
        assertTrue(r.startsWith("echo m" + read + "-"), r);
        read++;
      }
      writer.get(30, TimeUnit.SECONDS);
      assertEquals(n, read);
    }
  }

  @Test
  void clientCancelWakesAHandlerWaitingInNextWithCancelled() throws Exception {
    waitEnd = new CompletableFuture<>();
    waiting = new CountDownLatch(1);
    BlockingClientCall<String, String> call =
        BlockingClientCall.start(channel, WAIT, CallOptions.DEFAULT);
    assertTrue(waiting.await(30, TimeUnit.SECONDS));
    call.cancel("done waiting", null);
    assertEquals(Status.Code.CANCELLED, waitEnd.get(30, TimeUnit.SECONDS).getCode());
    StatusException e = assertThrows(StatusException.class, call::read);
    assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
  }

  @Test
  void deadlineWakesAHandlerWaitingInNextWithDeadlineExceeded() throws Exception {
    waitEnd = new CompletableFuture<>();
    waiting = new CountDownLatch(1);
    // Long enough for the handler to start first on a loaded machine: a call whose deadline
    // passed before the server started it is rejected without running the handler.
    BlockingClientCall<String, String> call = BlockingClientCall.start(channel, WAIT,
        CallOptions.DEFAULT.withDeadlineAfter(3, TimeUnit.SECONDS));
    assertTrue(waiting.await(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, waitEnd.get(30, TimeUnit.SECONDS).getCode());
    StatusException e = assertThrows(StatusException.class, call::read);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
  }

  @Test
  void otherExceptionBecomesInternalWithoutItsMessage() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(channel, BROKEN, CallOptions.DEFAULT, "x"));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertEquals("Application error processing RPC", e.getStatus().getDescription());
  }

  @Test
  void secondRequestToAUnaryHandlerIsRefusedWithInternal() throws Exception {
    try (BlockingClientCall<String, String> call =
        BlockingClientCall.start(channel, UNARY_AS_STREAM, CallOptions.DEFAULT)) {
      call.write("one");
      call.write("two");
      call.halfClose();
      StatusException e = assertThrows(StatusException.class, call::read);
      assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
      assertEquals("Too many requests for a unary-request method", e.getStatus().getDescription());
    }
  }

  @Test
  void serverCallInfoOutsideABlockingHandlerIsRefused() {
    assertThrows(IllegalStateException.class, ServerCallInfo::current);
  }
}
