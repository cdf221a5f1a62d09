package dev.tern.webtests;

import com.google.rpc.ErrorInfo;
import dev.tern.Status;
import dev.tern.protobuf.StatusProto;
import dev.tern.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * The test service as Tern serves it: the same behaviour as the Node reference server
 * (src/test/js/reference-server.mjs), so one client script checks both. Thread-safe: each call
 * has its own observers and state.
 */
final class WebTestServiceImpl extends WebTestServiceTern.WebTestServiceImplBase {
  /** The google.rpc.ErrorInfo domain the Fail method reports. */
  static final String ERROR_DOMAIN = "webtest.tern.dev";

  @Override
  public void greet(GreetRequest request, StreamObserver<GreetResponse> responseObserver) {
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
