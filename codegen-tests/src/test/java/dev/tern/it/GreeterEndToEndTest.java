package dev.tern.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.ForwardingClientCall;
import dev.tern.ForwardingClientCallListener;
import dev.tern.ForwardingServerCallListener;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.ServerInterceptors;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.it.greeter.GreeterTern;
import dev.tern.it.greeter.HelloReply;
import dev.tern.it.greeter.HelloRequest;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.stub.CloseableIterator;
import dev.tern.stub.ServerCallStreamObserver;
import dev.tern.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The generated Greeter stubs and bindings against a real TernServer over 127.0.0.1. */
class GreeterEndToEndTest {
  private static final long WAIT_SECONDS = 20;
  private static final Metadata.Key<String> ORDER = Metadata.Key.ascii("x-order");

  private final GreeterImpl impl = new GreeterImpl();
  /** Counted down when any call's listener hears onCancel, whether or not its method ran. */
  private final CountDownLatch callCancelled = new CountDownLatch(1);
  private TernServer server;
  private TernChannel channel;

  /** The test service; its latches say what the server saw. Thread-safe. */
  static final class GreeterImpl extends GreeterTern.GreeterImplBase {
    final CountDownLatch cancelled = new CountDownLatch(1);
    final CountDownLatch slowCallStarted = new CountDownLatch(1);
    final CountDownLatch notReady = new CountDownLatch(1);
    final AtomicInteger streamed = new AtomicInteger();

    private static HelloReply reply(String message, int index) {
      return HelloReply.newBuilder().setMessage(message).setIndex(index).build();
    }

    private static void maybeFail(HelloRequest request) {
      if (request.getFailWith() > 0) {
        throw Status.fromCodeValue(request.getFailWith())
            .withDescription("failing as asked").asRuntimeException();
      }
      if (request.getFailWith() < 0) {
        throw new IllegalStateException("secret detail the client must not see");
      }
    }

    @Override
    public void sayHello(HelloRequest request, StreamObserver<HelloReply> responseObserver) {
      maybeFail(request);
      if (request.getDelayMillis() > 0) {
        // Never answer: the client's deadline or cancellation ends the call.
        ((ServerCallStreamObserver<HelloReply>) responseObserver)
            .setOnCancelHandler(cancelled::countDown);
        slowCallStarted.countDown();
        return;
      }
      responseObserver.onNext(reply("Hello " + request.getName(), 0));
      responseObserver.onCompleted();
    }

    @Override
    public void listGreetings(HelloRequest request, StreamObserver<HelloReply> responseObserver) {
      maybeFail(request);
      if (request.hasTimes()) {
        for (int i = 0; i < request.getTimes(); i++) {
          responseObserver.onNext(reply("Hello " + request.getName(), i));
        }
        responseObserver.onCompleted();
        return;
      }
      // No count: stream large replies for as long as the client keeps up, the way a
      // well-behaved streamer does.
      ServerCallStreamObserver<HelloReply> server =
          (ServerCallStreamObserver<HelloReply>) responseObserver;
      HelloReply big = HelloReply.newBuilder().setMessage("x".repeat(32 * 1024)).build();
      Runnable pump = () -> {
        while (server.isReady() && !server.isCancelled() && streamed.get() < 10_000) {
          server.onNext(big.toBuilder().setIndex(streamed.getAndIncrement()).build());
        }
        if (!server.isReady()) {
          notReady.countDown();
        }
      };
      server.setOnCancelHandler(cancelled::countDown);
      server.setOnReadyHandler(pump);
      pump.run();
    }

    @Override
    public StreamObserver<HelloRequest> collectNames(StreamObserver<HelloReply> responseObserver) {
      List<String> names = new ArrayList<>();
      return new StreamObserver<>() {
        @Override
        public void onNext(HelloRequest value) {
          maybeFail(value);
          names.add(value.getName());
        }

        @Override
        public void onError(Throwable t) {
          cancelled.countDown();
        }

        @Override
        public void onCompleted() {
          responseObserver.onNext(reply("Hello " + String.join(", ", names), names.size()));
          responseObserver.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<HelloRequest> chat(StreamObserver<HelloReply> responseObserver) {
      AtomicInteger index = new AtomicInteger();
      return new StreamObserver<>() {
        @Override
        public void onNext(HelloRequest value) {
          responseObserver.onNext(reply("Hello " + value.getName(), index.getAndIncrement()));
        }

        @Override
        public void onError(Throwable t) {
          cancelled.countDown();
        }

        @Override
        public void onCompleted() {
          responseObserver.onCompleted();
        }
      };
    }
  }

  private void start(ServerServiceDefinition service) throws Exception {
    ServerInterceptor cancelSpy = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
            next.startCall(call, headers)) {
          @Override
          public void onCancel() {
            callCancelled.countDown();
            super.onCancel();
          }
        };
      }
    };
    server = TernServer.builder().port(0)
        .addService(ServerInterceptors.intercept(service, cancelSpy)).build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
  }

  private void start() throws Exception {
    start(impl.bindService());
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdown();
      assertTrue(channel.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
    }
    if (server != null) {
      server.shutdown();
      assertTrue(server.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
    }
  }

  private static HelloRequest named(String name) {
    return HelloRequest.newBuilder().setName(name).build();
  }

  /** Records a stream's events and lets the test wait for its end. Thread-safe. */
  static final class Recorder<T> implements StreamObserver<T> {
    final List<T> values = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final CountDownLatch first = new CountDownLatch(1);

    @Override
    public void onNext(T value) {
      values.add(value);
      first.countDown();
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
    }

    void await() throws Exception {
      done.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    Status awaitError() throws Exception {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> done.get(WAIT_SECONDS, TimeUnit.SECONDS));
      return Status.fromThrowable(e.getCause());
    }
  }

  @Test
  void blockingUnaryCall() throws Exception {
    start();
    HelloReply reply = GreeterTern.newBlockingStub(channel).sayHello(named("tern"));
    assertEquals("Hello tern", reply.getMessage());
  }

  @Test
  void blockingServerStreamingCallIteratesEveryResponse() throws Exception {
    start();
    List<Integer> indexes = new ArrayList<>();
    try (CloseableIterator<HelloReply> replies = GreeterTern.newBlockingStub(channel)
        .listGreetings(named("tern").toBuilder().setTimes(5).build())) {
      while (replies.hasNext()) {
        indexes.add(replies.next().getIndex());
      }
    }
    assertEquals(List.of(0, 1, 2, 3, 4), indexes);
  }

  @Test
  void asyncUnaryCall() throws Exception {
    start();
    Recorder<HelloReply> recorder = new Recorder<>();
    GreeterTern.newStub(channel).sayHello(named("async"), recorder);
    recorder.await();
    assertEquals("Hello async", recorder.values.get(0).getMessage());
  }

  @Test
  void asyncServerStreamingCall() throws Exception {
    start();
    Recorder<HelloReply> recorder = new Recorder<>();
    GreeterTern.newStub(channel)
        .listGreetings(named("s").toBuilder().setTimes(3).build(), recorder);
    recorder.await();
    assertEquals(3, recorder.values.size());
  }

  @Test
  void asyncClientStreamingCall() throws Exception {
    start();
    Recorder<HelloReply> recorder = new Recorder<>();
    StreamObserver<HelloRequest> requests = GreeterTern.newStub(channel).collectNames(recorder);
    requests.onNext(named("a"));
    requests.onNext(named("b"));
    requests.onNext(named("c"));
    requests.onCompleted();
    recorder.await();
    assertEquals("Hello a, b, c", recorder.values.get(0).getMessage());
    assertEquals(3, recorder.values.get(0).getIndex());
  }

  @Test
  void asyncBidiStreamingCall() throws Exception {
    start();
    Recorder<HelloReply> recorder = new Recorder<>();
    StreamObserver<HelloRequest> requests = GreeterTern.newStub(channel).chat(recorder);
    for (String name : List.of("x", "y", "z")) {
      requests.onNext(named(name));
    }
    requests.onCompleted();
    recorder.await();
    assertEquals(List.of("Hello x", "Hello y", "Hello z"),
        recorder.values.stream().map(HelloReply::getMessage).toList());
  }

  @Test
  void futureUnaryCall() throws Exception {
    start();
    CompletableFuture<HelloReply> future =
        GreeterTern.newFutureStub(channel).sayHello(named("future"));
    assertEquals("Hello future", future.get(WAIT_SECONDS, TimeUnit.SECONDS).getMessage());
  }

  @Test
  void unimplementedMethodAnswersMethodNotFound() throws Exception {
    start();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> GreeterTern.newBlockingStub(channel).unimplemented(named("x")));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    assertEquals("Method not found: tern.it.greeter.Greeter/Unimplemented",
        e.getStatus().getDescription());
  }

  @Test
  void statusThrownByTheServiceReachesTheClient() throws Exception {
    start();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> GreeterTern.newBlockingStub(channel).sayHello(
            named("x").toBuilder().setFailWith(Status.Code.NOT_FOUND.value()).build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals("failing as asked", e.getStatus().getDescription());
  }

  @Test
  void unexpectedServiceExceptionIsInternalWithoutItsMessage() throws Exception {
    start();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> GreeterTern.newBlockingStub(channel)
            .sayHello(named("x").toBuilder().setFailWith(-1).build()));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertEquals("Application error processing RPC", e.getStatus().getDescription());
    assertFalse(e.getMessage().contains("secret"));
  }

  @Test
  void clientStreamingServiceFailureEndsTheCall() throws Exception {
    start();
    Recorder<HelloReply> recorder = new Recorder<>();
    StreamObserver<HelloRequest> requests = GreeterTern.newStub(channel).collectNames(recorder);
    requests.onNext(named("ok"));
    requests.onNext(named("bad").toBuilder()
        .setFailWith(Status.Code.INVALID_ARGUMENT.value()).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, recorder.awaitError().getCode());
  }

  @Test
  void deadlineEndsTheCallOnBothSides() throws Exception {
    start();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> GreeterTern.newBlockingStub(channel)
            .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
            .sayHello(named("slow").toBuilder().setDelayMillis(60_000).build()));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    assertTrue(callCancelled.await(WAIT_SECONDS, TimeUnit.SECONDS), "server saw the end");
  }

  @Test
  void cancellingTheFutureCancelsTheServerCall() throws Exception {
    start();
    CompletableFuture<HelloReply> future = GreeterTern.newFutureStub(channel)
        .sayHello(named("slow").toBuilder().setDelayMillis(60_000).build());
    // Cancel once the server has the call (a call cancelled earlier may never reach it).
    assertTrue(impl.slowCallStarted.await(WAIT_SECONDS, TimeUnit.SECONDS));
    assertTrue(future.cancel(true));
    assertTrue(callCancelled.await(WAIT_SECONDS, TimeUnit.SECONDS), "server saw the cancel");
    assertTrue(future.isCancelled());
  }

  @Test
  void clientOnErrorCancelsTheServerSideStream() throws Exception {
    start();
    Recorder<HelloReply> recorder = new Recorder<>();
    StreamObserver<HelloRequest> requests = GreeterTern.newStub(channel).chat(recorder);
    requests.onNext(named("first"));
    // Abort once the server answered (an abort before the stream exists never reaches it).
    assertTrue(recorder.first.await(WAIT_SECONDS, TimeUnit.SECONDS));
    requests.onError(new RuntimeException("client gave up"));
    assertEquals(Status.Code.CANCELLED, recorder.awaitError().getCode());
    assertTrue(callCancelled.await(WAIT_SECONDS, TimeUnit.SECONDS), "server saw the cancel");
  }

  @Test
  void slowBlockingReaderHoldsBackAFlowControlledStreamerAndCloseCancelsIt() throws Exception {
    start();
    try (CloseableIterator<HelloReply> replies =
        GreeterTern.newBlockingStub(channel).listGreetings(named("flood"))) {
      assertEquals(0, replies.next().getIndex());
      // The reader stops here; the server must find the call not ready long before it runs out
      // of its 10,000 replies (320 MB): the iterator buffers one reply and the transport only
      // its flow-control windows.
      assertTrue(impl.notReady.await(WAIT_SECONDS, TimeUnit.SECONDS), "server became unready");
      int sent = impl.streamed.get();
      assertTrue(sent < 1_000, "server sent " + sent + " replies to a stalled reader");
    }
    assertTrue(impl.cancelled.await(WAIT_SECONDS, TimeUnit.SECONDS),
        "closing the iterator early cancels the call");
  }

  @Test
  void blockingCallbacksRunOnTheCallingThread() throws Exception {
    start();
    AtomicReference<Thread> onMessageThread = new AtomicReference<>();
    ClientInterceptor spy = new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, callOptions)) {
          @Override
          public void start(Listener<RespT> listener, Metadata headers) {
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                listener) {
              @Override
              public void onMessage(RespT message) {
                onMessageThread.set(Thread.currentThread());
                super.onMessage(message);
              }
            }, headers);
          }
        };
      }
    };
    GreeterTern.newBlockingStub(channel).withInterceptors(spy).sayHello(named("t"));
    assertEquals(Thread.currentThread(), onMessageThread.get());
  }

  private static ClientInterceptor addsOrder(String value) {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, callOptions)) {
          @Override
          public void start(Listener<RespT> listener, Metadata headers) {
            headers.put(ORDER, value);
            super.start(listener, headers);
          }
        };
      }
    };
  }

  private static ServerInterceptor records(String name, List<String> log) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        log.add(name + " saw " + headers.getAll(ORDER));
        return next.startCall(call, headers);
      }
    };
  }

  @Test
  void interceptorsRunFirstOutermostOnBothSides() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    start(ServerInterceptors.intercept(impl.bindService(),
        records("outer", log), records("inner", log)));
    GreeterTern.newBlockingStub(channel)
        .withInterceptors(addsOrder("first"), addsOrder("second"))
        .sayHello(named("x"));
    assertEquals(List.of("outer saw [first, second]", "inner saw [first, second]"), log);
  }

  @Test
  void asyncStubDeliversErrorsToTheObserver() throws Exception {
    start();
    Recorder<HelloReply> recorder = new Recorder<>();
    GreeterTern.newStub(channel).unimplemented(named("x"), recorder);
    Status status = recorder.awaitError();
    assertEquals(Status.Code.UNIMPLEMENTED, status.getCode());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> GreeterTern.newFutureStub(channel).unimplemented(named("x"))
            .get(WAIT_SECONDS, TimeUnit.SECONDS));
    assertInstanceOf(StatusRuntimeException.class, e.getCause());
  }
}
