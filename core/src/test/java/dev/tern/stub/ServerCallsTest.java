package dev.tern.stub;

import static dev.tern.MethodDescriptor.MethodType.BIDI_STREAMING;
import static dev.tern.MethodDescriptor.MethodType.CLIENT_STREAMING;
import static dev.tern.MethodDescriptor.MethodType.SERVER_STREAMING;
import static dev.tern.MethodDescriptor.MethodType.UNARY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.FakeServerCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.TestMarshallers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** ServerCalls' adapter logic, driven through a recording {@link FakeServerCall}. */
class ServerCallsTest {
  private static final MethodDescriptor<String, String> UNARY_METHOD =
      TestMarshallers.method("Unary", UNARY);
  private static final MethodDescriptor<String, String> SERVER_STREAMING_METHOD =
      TestMarshallers.method("ServerStreaming", SERVER_STREAMING);
  private static final MethodDescriptor<String, String> CLIENT_STREAMING_METHOD =
      TestMarshallers.method("ClientStreaming", CLIENT_STREAMING);
  private static final MethodDescriptor<String, String> BIDI_METHOD =
      TestMarshallers.method("Bidi", BIDI_STREAMING);

  private static ServerCall.Listener<String> unaryCall(
      FakeServerCall<String, String> call, ServerCalls.UnaryMethod<String, String> method) {
    return ServerCalls.asyncUnaryCall(method).startCall(call, new Metadata());
  }

  @Test
  void unaryMethodRunsAtHalfCloseAndItsResponseClosesOk() {
    FakeServerCall<String, String> call = new FakeServerCall<>(UNARY_METHOD);
    List<String> seen = new ArrayList<>();
    ServerCall.Listener<String> listener = unaryCall(call, (req, obs) -> {
      seen.add(req);
      obs.onNext("hello " + req);
      obs.onCompleted();
    });
    assertEquals(2, call.requested, "asks for two to catch a second request");
    listener.onMessage("tern");
    assertTrue(seen.isEmpty(), "not invoked before half-close");
    listener.onHalfClose();
    assertEquals(List.of("tern"), seen);
    assertEquals(List.of("hello tern"), call.messages);
    assertEquals(Status.Code.OK, call.closedStatus.getCode());
  }

  @Test
  void unaryMethodCompletingWithoutResponseClosesInternal() {
    FakeServerCall<String, String> call = new FakeServerCall<>(UNARY_METHOD);
    ServerCall.Listener<String> listener = unaryCall(call, (req, obs) -> obs.onCompleted());
    listener.onMessage("x");
    listener.onHalfClose();
    assertEquals(Status.Code.INTERNAL, call.closedStatus.getCode());
    assertTrue(call.messages.isEmpty());
  }

  @Test
  void unaryMethodSendingTwoResponsesClosesInternalAndFailsTheSecondOnNext() {
    FakeServerCall<String, String> call = new FakeServerCall<>(UNARY_METHOD);
    AtomicReference<RuntimeException> thrown = new AtomicReference<>();
    ServerCall.Listener<String> listener = unaryCall(call, (req, obs) -> {
      obs.onNext("one");
      try {
        obs.onNext("two");
      } catch (RuntimeException e) {
        thrown.set(e);
      }
    });
    listener.onMessage("x");
    listener.onHalfClose();
    assertInstanceOf(IllegalStateException.class, thrown.get());
    assertEquals(List.of("one"), call.messages);
    assertEquals(Status.Code.INTERNAL, call.closedStatus.getCode());
    assertEquals(1, call.closeCount);
  }

  @Test
  void secondRequestToUnaryMethodIsRefusedWithoutInvokingIt() {
    FakeServerCall<String, String> call = new FakeServerCall<>(UNARY_METHOD);
    AtomicInteger invocations = new AtomicInteger();
    ServerCall.Listener<String> listener =
        unaryCall(call, (req, obs) -> invocations.incrementAndGet());
    listener.onMessage("a");
    listener.onMessage("b");
    listener.onHalfClose();
    assertEquals(0, invocations.get());
    assertEquals(Status.Code.INTERNAL, call.closedStatus.getCode());
  }

  @Test
  void halfCloseWithoutRequestClosesInternal() {
    FakeServerCall<String, String> call = new FakeServerCall<>(UNARY_METHOD);
    unaryCall(call, (req, obs) -> {}).onHalfClose();
    assertEquals(Status.Code.INTERNAL, call.closedStatus.getCode());
  }

  @Test
  void thrownStatusExceptionClosesWithItsStatusAndTrailers() {
    Metadata.Key<String> key = Metadata.Key.ascii("why");
    Metadata trailers = new Metadata();
    trailers.put(key, "because");
    FakeServerCall<String, String> call = new FakeServerCall<>(UNARY_METHOD);
    ServerCall.Listener<String> listener = unaryCall(call, (req, obs) -> {
      throw new IllegalStateException("wrapped",
          Status.NOT_FOUND.withDescription("no such thing").asRuntimeException(trailers));
    });
    listener.onMessage("x");
    listener.onHalfClose();
    assertEquals(Status.Code.NOT_FOUND, call.closedStatus.getCode());
    assertEquals("no such thing", call.closedStatus.getDescription());
    assertEquals("because", call.closedTrailers.get(key));
  }

  @Test
  void arbitraryExceptionClosesInternalWithoutLeakingItsMessage() {
    FakeServerCall<String, String> call = new FakeServerCall<>(UNARY_METHOD);
    RuntimeException secret = new RuntimeException("db password is hunter2");
    ServerCall.Listener<String> listener = unaryCall(call, (req, obs) -> {
      throw secret;
    });
    listener.onMessage("x");
    listener.onHalfClose();
    assertEquals(Status.Code.INTERNAL, call.closedStatus.getCode());
    assertEquals("Application error processing RPC", call.closedStatus.getDescription());
    assertSame(secret, call.closedStatus.getCause(), "kept locally, never sent");
  }

  @Test
  void exceptionAfterTheMethodClosedTheCallLeavesTheStatusAlone() {
    FakeServerCall<String, String> call = new FakeServerCall<>(UNARY_METHOD);
    ServerCall.Listener<String> listener = unaryCall(call, (req, obs) -> {
      obs.onNext("done");
      obs.onCompleted();
      throw new RuntimeException("late");
    });
    listener.onMessage("x");
    listener.onHalfClose();
    assertEquals(Status.Code.OK, call.closedStatus.getCode());
    assertEquals(1, call.closeCount);
  }

  @Test
  void onErrorWithPlainThrowableSendsUnknownWithoutItsMessage() {
    FakeServerCall<String, String> call = new FakeServerCall<>(UNARY_METHOD);
    ServerCall.Listener<String> listener =
        unaryCall(call, (req, obs) -> obs.onError(new RuntimeException("internal detail")));
    listener.onMessage("x");
    listener.onHalfClose();
    assertEquals(Status.Code.UNKNOWN, call.closedStatus.getCode());
    assertNull(call.closedStatus.getDescription());
  }

  @Test
  void terminatingTwiceIsRejected() {
    FakeServerCall<String, String> call = new FakeServerCall<>(SERVER_STREAMING_METHOD);
    AtomicReference<RuntimeException> thrown = new AtomicReference<>();
    ServerCall.Listener<String> listener = ServerCalls.<String, String>asyncServerStreamingCall(
        (req, obs) -> {
          obs.onCompleted();
          thrown.set(assertThrows(IllegalStateException.class, () -> obs.onNext("late")));
          assertThrows(IllegalStateException.class, obs::onCompleted);
        }).startCall(call, new Metadata());
    listener.onMessage("x");
    listener.onHalfClose();
    assertTrue(thrown.get() != null);
    assertEquals(1, call.closeCount);
  }

  @Test
  void unimplementedUnaryAnswersMethodNotFound() {
    FakeServerCall<String, String> call = new FakeServerCall<>(UNARY_METHOD);
    ServerCall.Listener<String> listener = unaryCall(call,
        (req, obs) -> ServerCalls.asyncUnimplementedUnaryCall(UNARY_METHOD, obs));
    listener.onMessage("x");
    listener.onHalfClose();
    assertEquals(Status.Code.UNIMPLEMENTED, call.closedStatus.getCode());
    assertEquals("Method not found: test.Service/Unary", call.closedStatus.getDescription());
  }

  @Test
  void unimplementedStreamingAnswersAtOnceAndIgnoresLaterRequests() {
    FakeServerCall<String, String> call = new FakeServerCall<>(BIDI_METHOD);
    ServerCall.Listener<String> listener = ServerCalls.<String, String>asyncBidiStreamingCall(
        obs -> ServerCalls.asyncUnimplementedStreamingCall(BIDI_METHOD, obs))
        .startCall(call, new Metadata());
    assertEquals(Status.Code.UNIMPLEMENTED, call.closedStatus.getCode());
    assertEquals("Method not found: test.Service/Bidi", call.closedStatus.getDescription());
    listener.onMessage("ignored");
    listener.onHalfClose();
    assertEquals(1, call.closeCount);
  }

  @Test
  void streamingRequestsAreAskedForOneAtATime() {
    FakeServerCall<String, String> call = new FakeServerCall<>(CLIENT_STREAMING_METHOD);
    List<String> received = new ArrayList<>();
    ServerCall.Listener<String> listener = ServerCalls.<String, String>asyncClientStreamingCall(
        obs -> new CollectingObserver(received, obs)).startCall(call, new Metadata());
    assertEquals(1, call.requested);
    listener.onMessage("a");
    assertEquals(2, call.requested);
    listener.onMessage("b");
    assertEquals(3, call.requested);
    listener.onHalfClose();
    assertEquals(List.of("a", "b"), received);
    assertEquals(List.of("a,b"), call.messages);
    assertEquals(Status.Code.OK, call.closedStatus.getCode());
  }

  @Test
  void disabledAutoRequestLeavesRequestingToTheMethod() {
    FakeServerCall<String, String> call = new FakeServerCall<>(BIDI_METHOD);
    List<String> received = new ArrayList<>();
    ServerCall.Listener<String> listener = ServerCalls.<String, String>asyncBidiStreamingCall(
        obs -> {
          ServerCallStreamObserver<String> server = (ServerCallStreamObserver<String>) obs;
          server.disableAutoRequest();
          server.request(5);
          return new CollectingObserver(received, obs);
        }).startCall(call, new Metadata());
    assertEquals(5, call.requested);
    listener.onMessage("a");
    listener.onMessage("b");
    assertEquals(5, call.requested);
  }

  @Test
  void disableAutoRequestAfterTheMethodReturnedIsRejected() {
    FakeServerCall<String, String> call = new FakeServerCall<>(BIDI_METHOD);
    AtomicReference<ServerCallStreamObserver<String>> observer = new AtomicReference<>();
    ServerCalls.<String, String>asyncBidiStreamingCall(obs -> {
      observer.set((ServerCallStreamObserver<String>) obs);
      return new CollectingObserver(new ArrayList<>(), obs);
    }).startCall(call, new Metadata());
    assertThrows(IllegalStateException.class, () -> observer.get().disableAutoRequest());
    assertThrows(IllegalStateException.class, () -> observer.get().setOnCancelHandler(() -> {}));
  }

  @Test
  void cancellationReachesTheCancelHandlerAndTheRequestObserver() {
    FakeServerCall<String, String> call = new FakeServerCall<>(BIDI_METHOD);
    List<String> events = new ArrayList<>();
    AtomicReference<ServerCallStreamObserver<String>> observer = new AtomicReference<>();
    ServerCall.Listener<String> listener = ServerCalls.<String, String>asyncBidiStreamingCall(
        obs -> {
          ServerCallStreamObserver<String> server = (ServerCallStreamObserver<String>) obs;
          observer.set(server);
          server.setOnCancelHandler(() -> events.add("cancel-handler"));
          return new StreamObserver<>() {
            @Override
            public void onNext(String value) {}

            @Override
            public void onError(Throwable t) {
              events.add("onError " + Status.fromThrowable(t).getCode());
            }

            @Override
            public void onCompleted() {}
          };
        }).startCall(call, new Metadata());
    call.cancelled = true;
    listener.onCancel();
    assertEquals(List.of("cancel-handler", "onError CANCELLED"), events);
    assertTrue(observer.get().isCancelled());
    observer.get().onNext("dropped"); // a cancel handler is set: discarded, not thrown
    observer.get().onCompleted(); // the call already ended on the transport
    assertTrue(call.messages.isEmpty());
    assertEquals(0, call.closeCount);
  }

  @Test
  void streamingResponseAfterCancelThrowsWithoutCancelHandler() {
    FakeServerCall<String, String> call = new FakeServerCall<>(SERVER_STREAMING_METHOD);
    AtomicReference<StreamObserver<String>> observer = new AtomicReference<>();
    ServerCall.Listener<String> listener = ServerCalls.<String, String>asyncServerStreamingCall(
        (req, obs) -> observer.set(obs)).startCall(call, new Metadata());
    listener.onMessage("x");
    listener.onHalfClose();
    listener.onCancel();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> observer.get().onNext("late"));
    assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
  }

  @Test
  void readinessBeforeUnaryInvocationIsReplayedToTheOnReadyHandler() {
    FakeServerCall<String, String> call = new FakeServerCall<>(SERVER_STREAMING_METHOD);
    AtomicInteger readyCalls = new AtomicInteger();
    ServerCall.Listener<String> listener = ServerCalls.<String, String>asyncServerStreamingCall(
        (req, obs) -> ((ServerCallStreamObserver<String>) obs)
            .setOnReadyHandler(readyCalls::incrementAndGet)).startCall(call, new Metadata());
    listener.onReady();
    listener.onMessage("x");
    listener.onHalfClose();
    assertEquals(1, readyCalls.get());
    listener.onReady();
    assertEquals(2, readyCalls.get());
  }

  @Test
  void requestObserverFailureClosesTheCallAndDropsLaterMessages() {
    FakeServerCall<String, String> call = new FakeServerCall<>(CLIENT_STREAMING_METHOD);
    AtomicInteger seen = new AtomicInteger();
    ServerCall.Listener<String> listener = ServerCalls.<String, String>asyncClientStreamingCall(
        obs -> new StreamObserver<>() {
          @Override
          public void onNext(String value) {
            seen.incrementAndGet();
            throw Status.INVALID_ARGUMENT.withDescription("bad " + value).asRuntimeException();
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            throw new AssertionError("not after failure");
          }
        }).startCall(call, new Metadata());
    listener.onMessage("a");
    listener.onMessage("b");
    listener.onHalfClose();
    assertEquals(1, seen.get());
    assertEquals(Status.Code.INVALID_ARGUMENT, call.closedStatus.getCode());
    assertEquals("bad a", call.closedStatus.getDescription());
    assertEquals(1, call.requested, "no more requests after the failure");
  }

  @Test
  void compressionAndReadinessReachTheCall() {
    FakeServerCall<String, String> call = new FakeServerCall<>(SERVER_STREAMING_METHOD);
    call.ready = false;
    AtomicReference<Boolean> ready = new AtomicReference<>();
    ServerCall.Listener<String> listener = ServerCalls.<String, String>asyncServerStreamingCall(
        (req, obs) -> {
          ServerCallStreamObserver<String> server = (ServerCallStreamObserver<String>) obs;
          server.setCompression("gzip");
          ready.set(server.isReady());
          server.onCompleted();
        }).startCall(call, new Metadata());
    listener.onMessage("x");
    listener.onHalfClose();
    assertEquals("gzip", call.compression);
    assertFalse(ready.get());
    assertEquals(Status.Code.OK, call.closedStatus.getCode());
  }

  @Test
  void unaryHandlerOnStreamingMethodIsRejected() {
    FakeServerCall<String, String> call = new FakeServerCall<>(BIDI_METHOD);
    assertThrows(IllegalArgumentException.class, () -> unaryCall(call, (req, obs) -> {}));
  }

  /** Collects requests; answers with them joined by commas on completion. */
  private static final class CollectingObserver implements StreamObserver<String> {
    private final List<String> received;
    private final StreamObserver<String> responses;

    CollectingObserver(List<String> received, StreamObserver<String> responses) {
      this.received = received;
      this.responses = responses;
    }

    @Override
    public void onNext(String value) {
      received.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {
      responses.onNext(String.join(",", received));
      responses.onCompleted();
    }
  }
}
