package dev.tern.stub;

import static dev.tern.MethodDescriptor.MethodType.BIDI_STREAMING;
import static dev.tern.MethodDescriptor.MethodType.SERVER_STREAMING;
import static dev.tern.MethodDescriptor.MethodType.UNARY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.FakeChannel;
import dev.tern.FakeClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.TestMarshallers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ClientCalls' adapter logic, driven through a {@link FakeClientCall} that plays the transport.
 * End-to-end behaviour over the real transport is tested in the codegen-tests module.
 */
class ClientCallsTest {
  private static final MethodDescriptor<String, String> UNARY_METHOD =
      TestMarshallers.method("Unary", UNARY);
  private static final MethodDescriptor<String, String> SERVER_STREAMING_METHOD =
      TestMarshallers.method("ServerStreaming", SERVER_STREAMING);
  private static final MethodDescriptor<String, String> BIDI_METHOD =
      TestMarshallers.method("Bidi", BIDI_STREAMING);

  private final ExecutorService transportThread = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopTransportThread() {
    transportThread.shutdownNow();
  }

  /** Records what an observer saw. */
  private static final class Recorder implements StreamObserver<String> {
    final List<String> events = new ArrayList<>();
    Throwable error;

    @Override
    public void onNext(String value) {
      events.add("next " + value);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      events.add("error " + Status.fromThrowable(t).getCode());
    }

    @Override
    public void onCompleted() {
      events.add("completed");
    }
  }

  @Test
  void asyncUnaryCallSendsTheRequestHalfClosesAndDeliversTheResponse() {
    FakeClientCall<String, String> call = new FakeClientCall<>(UNARY_METHOD);
    Recorder recorder = new Recorder();
    ClientCalls.asyncUnaryCall(call, "req", recorder);
    assertEquals(List.of("req"), call.sent);
    assertTrue(call.halfClosed);
    assertEquals(2, call.requested, "two, so that a second response is noticed");
    call.listener.onHeaders(new Metadata());
    call.listener.onMessage("resp");
    call.listener.onClose(Status.OK, new Metadata());
    assertEquals(List.of("next resp", "completed"), recorder.events);
  }

  @Test
  void secondUnaryResponseCancelsAndFailsInternal() {
    FakeClientCall<String, String> call = new FakeClientCall<>(UNARY_METHOD);
    Recorder recorder = new Recorder();
    ClientCalls.asyncUnaryCall(call, "req", recorder);
    call.listener.onMessage("one");
    call.listener.onMessage("two");
    assertEquals(1, call.cancelCount);
    call.listener.onClose(Status.CANCELLED, new Metadata());
    assertEquals(List.of("next one", "error INTERNAL"), recorder.events);
  }

  @Test
  void unaryCallEndingOkWithoutResponseFailsInternal() {
    FakeClientCall<String, String> call = new FakeClientCall<>(UNARY_METHOD);
    Recorder recorder = new Recorder();
    ClientCalls.asyncUnaryCall(call, "req", recorder);
    call.listener.onClose(Status.OK, new Metadata());
    assertEquals(List.of("error INTERNAL"), recorder.events);
  }

  @Test
  void errorStatusReachesTheObserverWithTrailers() {
    FakeClientCall<String, String> call = new FakeClientCall<>(UNARY_METHOD);
    Recorder recorder = new Recorder();
    ClientCalls.asyncUnaryCall(call, "req", recorder);
    Metadata trailers = new Metadata();
    call.listener.onClose(Status.NOT_FOUND.withDescription("gone"), trailers);
    StatusRuntimeException e = assertInstanceOf(StatusRuntimeException.class, recorder.error);
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertSame(trailers, e.getTrailers());
  }

  @Test
  void serverStreamingAsksForAnotherResponseAfterEachOne() {
    FakeClientCall<String, String> call = new FakeClientCall<>(SERVER_STREAMING_METHOD);
    Recorder recorder = new Recorder();
    ClientCalls.asyncServerStreamingCall(call, "req", recorder);
    assertEquals(1, call.requested);
    call.listener.onMessage("a");
    assertEquals(2, call.requested);
    call.listener.onMessage("b");
    assertEquals(3, call.requested);
    call.listener.onClose(Status.OK, new Metadata());
    assertEquals(List.of("next a", "next b", "completed"), recorder.events);
  }

  @Test
  void clientResponseObserverCanDisableAutoRequestBeforeStart() {
    FakeClientCall<String, String> call = new FakeClientCall<>(BIDI_METHOD);
    AtomicReference<ClientCallStreamObserver<String>> requestStream = new AtomicReference<>();
    Recorder recorder = new Recorder();
    StreamObserver<String> returned = ClientCalls.asyncBidiStreamingCall(call,
        new ClientResponseObserver<String, String>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<String> stream) {
            assertNull(call.listener, "before start");
            requestStream.set(stream);
            stream.disableAutoRequest();
          }

          @Override
          public void onNext(String value) {
            recorder.onNext(value);
          }

          @Override
          public void onError(Throwable t) {
            recorder.onError(t);
          }

          @Override
          public void onCompleted() {
            recorder.onCompleted();
          }
        });
    assertSame(requestStream.get(), returned);
    assertEquals(0, call.requested);
    requestStream.get().request(3);
    call.listener.onMessage("a");
    assertEquals(3, call.requested);
    assertThrows(IllegalStateException.class, () -> requestStream.get().disableAutoRequest());
  }

  @Test
  void requestObserverSendsHalfClosesAndCancelsOnError() {
    FakeClientCall<String, String> call = new FakeClientCall<>(BIDI_METHOD);
    StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(call, new Recorder());
    requests.onNext("a");
    requests.onNext("b");
    assertEquals(List.of("a", "b"), call.sent);
    RuntimeException why = new RuntimeException("client gave up");
    requests.onError(why);
    assertEquals(1, call.cancelCount);
    assertSame(why, call.cancelCause);
    assertThrows(IllegalStateException.class, () -> requests.onNext("c"));
    assertFalse(call.halfClosed);

    FakeClientCall<String, String> other = new FakeClientCall<>(BIDI_METHOD);
    StreamObserver<String> completing = ClientCalls.asyncBidiStreamingCall(other, new Recorder());
    completing.onCompleted();
    assertTrue(other.halfClosed);
    assertThrows(IllegalStateException.class, () -> completing.onNext("late"));
  }

  @Test
  void onReadyHandlerRunsWhenTheCallBecomesReady() {
    FakeClientCall<String, String> call = new FakeClientCall<>(BIDI_METHOD);
    ClientCallStreamObserver<String> requests = (ClientCallStreamObserver<String>)
        ClientCalls.asyncBidiStreamingCall(call, new Recorder());
    AtomicInteger ready = new AtomicInteger();
    requests.setOnReadyHandler(ready::incrementAndGet);
    call.ready = false;
    assertFalse(requests.isReady());
    call.listener.onReady();
    assertEquals(1, ready.get());
  }

  @Test
  void responseObserverThatThrowsCancelsTheCall() {
    FakeClientCall<String, String> call = new FakeClientCall<>(SERVER_STREAMING_METHOD);
    RuntimeException boom = new RuntimeException("boom");
    List<Status.Code> errors = new ArrayList<>();
    ClientCalls.asyncServerStreamingCall(call, "req", new StreamObserver<String>() {
      @Override
      public void onNext(String value) {
        throw boom;
      }

      @Override
      public void onError(Throwable t) {
        errors.add(Status.fromThrowable(t).getCode());
      }

      @Override
      public void onCompleted() {}
    });
    call.listener.onMessage("a");
    assertEquals(1, call.cancelCount);
    assertSame(boom, call.cancelCause);
    assertEquals(1, call.requested, "no further request after the failure");
    call.listener.onClose(Status.CANCELLED, new Metadata());
    assertEquals(List.of(Status.Code.CANCELLED), errors);
  }

  @Test
  void cancellingTheFutureCancelsTheCall() {
    FakeClientCall<String, String> call = new FakeClientCall<>(UNARY_METHOD);
    CompletableFuture<String> future = ClientCalls.futureUnaryCall(call, "req");
    assertTrue(future.cancel(false));
    assertEquals(1, call.cancelCount);
    call.listener.onClose(Status.CANCELLED, new Metadata());
    assertTrue(future.isCancelled());
  }

  @Test
  void futureCompletesWithResponseOrStatusException() throws Exception {
    FakeClientCall<String, String> ok = new FakeClientCall<>(UNARY_METHOD);
    CompletableFuture<String> f1 = ClientCalls.futureUnaryCall(ok, "req");
    ok.listener.onMessage("resp");
    ok.listener.onClose(Status.OK, new Metadata());
    assertEquals("resp", f1.get());
    assertFalse(f1.cancel(true), "cancelling a finished future does nothing");
    assertEquals(0, ok.cancelCount);

    FakeClientCall<String, String> failed = new FakeClientCall<>(UNARY_METHOD);
    CompletableFuture<String> f2 = ClientCalls.futureUnaryCall(failed, "req");
    failed.listener.onClose(Status.PERMISSION_DENIED, new Metadata());
    ExecutionException e = assertThrows(ExecutionException.class, f2::get);
    assertEquals(Status.Code.PERMISSION_DENIED,
        assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus().getCode());
  }

  @Test
  void blockingUnaryCallRunsCallbacksOnTheCallingThread() throws Exception {
    FakeChannel channel = new FakeChannel();
    AtomicReference<Thread> callbackThread = new AtomicReference<>();
    Future<?> transport = transportThread.submit(() -> {
      FakeClientCall<String, String> call = channel.nextCall();
      call.deliver(l -> {
        callbackThread.set(Thread.currentThread());
        l.onMessage("hello " + call.sent.get(0));
      });
      call.deliver(l -> l.onClose(Status.OK, new Metadata()));
      return null;
    });
    String reply = ClientCalls.blockingUnaryCall(channel, UNARY_METHOD, CallOptions.DEFAULT, "you");
    assertEquals("hello you", reply);
    assertSame(Thread.currentThread(), callbackThread.get());
    transport.get(30, TimeUnit.SECONDS);
  }

  @Test
  void blockingUnaryCallThrowsTheStatus() throws Exception {
    FakeChannel channel = new FakeChannel();
    transportThread.submit(() -> {
      channel.nextCall().deliver(l -> l.onClose(Status.UNAVAILABLE, new Metadata()));
      return null;
    });
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(channel, UNARY_METHOD, CallOptions.DEFAULT, "x"));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void interruptedBlockingUnaryCallCancelsAndKeepsTheInterruptFlag() throws Exception {
    FakeChannel channel = new FakeChannel();
    Thread caller = Thread.currentThread();
    transportThread.submit(() -> {
      FakeClientCall<String, String> call = channel.nextCall();
      caller.interrupt();
      call.awaitCancelled();
      call.deliver(l -> l.onClose(Status.CANCELLED.withDescription(call.cancelMessage),
          new Metadata()));
      return null;
    });
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> ClientCalls.blockingUnaryCall(channel, UNARY_METHOD, CallOptions.DEFAULT, "x"));
      assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void blockingIteratorBuffersAtMostOneResponse() throws Exception {
    FakeChannel channel = new FakeChannel();
    int total = 5;
    Future<?> transport = transportThread.submit(() -> {
      FakeClientCall<String, String> call = channel.nextCall();
      for (int i = 0; i < total; i++) {
        // A real transport delivers only what was requested: never run ahead of demand.
        call.awaitRequested(i + 1);
        assertEquals(i + 1, call.requested(), "one outstanding request at a time");
        int n = i;
        call.deliver(l -> l.onMessage("m" + n));
      }
      call.deliver(l -> l.onClose(Status.OK, new Metadata()));
      return null;
    });
    List<String> got = new ArrayList<>();
    try (CloseableIterator<String> it = ClientCalls.blockingServerStreamingCall(
        channel, SERVER_STREAMING_METHOD, CallOptions.DEFAULT, "x")) {
      while (it.hasNext()) {
        got.add(it.next());
      }
      assertFalse(it.hasNext());
    }
    assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), got);
    transport.get(30, TimeUnit.SECONDS);
  }

  @Test
  void closingTheIteratorEarlyCancelsAndRunsLateCallbacks() throws Exception {
    FakeChannel channel = new FakeChannel();
    CompletableFuture<FakeClientCall<String, String>> started = new CompletableFuture<>();
    transportThread.submit(() -> {
      FakeClientCall<String, String> call = channel.nextCall();
      started.complete(call);
      call.deliver(l -> l.onMessage("first"));
      return null;
    });
    CloseableIterator<String> it = ClientCalls.blockingServerStreamingCall(
        channel, SERVER_STREAMING_METHOD, CallOptions.DEFAULT, "x");
    assertEquals("first", it.next());
    it.close();
    FakeClientCall<String, String> call = started.get(30, TimeUnit.SECONDS);
    assertEquals(1, call.cancelCount());
    assertFalse(it.hasNext());
    // After close, a late callback runs on the thread delivering it instead of queueing forever.
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    transportThread.submit(() -> call.deliver(l -> ranOn.set(Thread.currentThread())))
        .get(30, TimeUnit.SECONDS);
    assertTrue(ranOn.get() != null && ranOn.get() != Thread.currentThread());
  }

  @Test
  void iteratorThrowsTheStatusOfAFailedStream() throws Exception {
    FakeChannel channel = new FakeChannel();
    transportThread.submit(() -> {
      FakeClientCall<String, String> call = channel.nextCall();
      call.deliver(l -> l.onMessage("one"));
      call.awaitRequested(2);
      call.deliver(l -> l.onClose(Status.DATA_LOSS, new Metadata()));
      return null;
    });
    try (CloseableIterator<String> it = ClientCalls.blockingServerStreamingCall(
        channel, SERVER_STREAMING_METHOD, CallOptions.DEFAULT, "x")) {
      assertEquals("one", it.next());
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, it::hasNext);
      assertEquals(Status.Code.DATA_LOSS, e.getStatus().getCode());
    }
  }
}
