package dev.tern.webtests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import dev.tern.Status;
import dev.tern.protobuf.StatusProto;
import dev.tern.stub.ServerCallStreamObserver;
import dev.tern.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The test service as Tern serves it: the same behaviour as the Node reference server
 * (src/test/js/reference-server.mjs), so one client script checks both. Thread-safe: each call
 * has its own observers and state; the record of ended calls is a concurrent map of semaphores.
 */
final class WebTestServiceImpl extends WebTestServiceTern.WebTestServiceImplBase {
  /** The google.rpc.ErrorInfo domain the Fail method reports. */
  static final String ERROR_DOMAIN = "webtest.tern.dev";

  /** Per request name, how many Hang and Watch calls the server saw end without an answer. */
  private final Map<String, Semaphore> ended = new ConcurrentHashMap<>();

  @Override
  public void greet(GreetRequest request, StreamObserver<GreetResponse> responseObserver) {
    if (request.getName().startsWith("gzip")) {
      // Compressed both ways: the client sent gzip and accepts it (ignored if it does not).
      ((ServerCallStreamObserver<GreetResponse>) responseObserver).setCompression("gzip");
    }
    responseObserver.onNext(greeting(request.getName()));
    responseObserver.onCompleted();
  }

  @Override
  public void lookup(GreetRequest request, StreamObserver<GreetResponse> responseObserver) {
    greet(request, responseObserver);
  }

  @Override
  public void count(CountRequest request, StreamObserver<CountResponse> responseObserver) {
    for (int i = 1; i <= request.getCount(); i++) {
      responseObserver.onNext(CountResponse.newBuilder().setNumber(i).build());
    }
    responseObserver.onCompleted();
  }

  @Override
  public void fail(GreetRequest request, StreamObserver<GreetResponse> responseObserver) {
    ErrorInfo info = ErrorInfo.newBuilder()
        .setReason("BAD_NAME")
        .setDomain(ERROR_DOMAIN)
        .putMetadata("name", request.getName())
        .build();
    responseObserver.onError(StatusProto.toStatusRuntimeException(
        StatusProto.of(Status.Code.INVALID_ARGUMENT, "bad name: " + request.getName(), info)));
  }

  @Override
  public void hang(GreetRequest request, StreamObserver<GreetResponse> responseObserver) {
    // Never answers: the client's deadline (or its cancellation) ends the call.
    recordEnd(request, responseObserver);
  }

  @Override
  public void watch(GreetRequest request, StreamObserver<GreetResponse> responseObserver) {
    recordEnd(request, responseObserver);
    responseObserver.onNext(greeting(request.getName()));
    // Held open: only the client's cancellation (or deadline) ends the call.
  }

  /**
   * Asserts that the server saw a Hang or Watch call for {@code name} end (its deadline passed,
   * its client cancelled), each seen end counted once.
   */
  void assertCallEnded(String name) throws InterruptedException {
    assertTrue(endedCalls(name).tryAcquire(30, TimeUnit.SECONDS),
        "the server saw no call for \"" + name + "\" end in 30 s");
  }

  private void recordEnd(GreetRequest request, StreamObserver<GreetResponse> responseObserver) {
    ((ServerCallStreamObserver<GreetResponse>) responseObserver)
        .setOnCancelHandler(() -> endedCalls(request.getName()).release());
  }

  private Semaphore endedCalls(String name) {
    return ended.computeIfAbsent(name, n -> new Semaphore(0));
  }

  @Override
  public StreamObserver<GreetRequest> greetAll(StreamObserver<GreetResponse> responseObserver) {
    List<String> names = new ArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(GreetRequest request) {
        names.add(request.getName());
      }

      @Override
      public void onError(Throwable t) {
        // Cancelled by the client: nothing to answer.
      }

      @Override
      public void onCompleted() {
        responseObserver.onNext(greeting(String.join(", ", names)));
        responseObserver.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<GreetRequest> chat(StreamObserver<GreetResponse> responseObserver) {
    return new StreamObserver<>() {
      @Override
      public void onNext(GreetRequest request) {
        responseObserver.onNext(greeting(request.getName()));
      }

      @Override
      public void onError(Throwable t) {
        // Cancelled by the client: nothing to answer.
      }

      @Override
      public void onCompleted() {
        responseObserver.onCompleted();
      }
    };
  }

  private static GreetResponse greeting(String name) {
    return GreetResponse.newBuilder().setGreeting("Hello, " + name + "!").build();
  }
}
