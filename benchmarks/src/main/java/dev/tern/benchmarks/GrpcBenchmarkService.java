package dev.tern.benchmarks;

import io.grpc.benchmarks.proto.BenchmarkServiceGrpc;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * {@code grpc.testing.BenchmarkService} on grpc-java, the same semantics and the same code shape
 * as {@link TernBenchmarkService} so that the two servers do the same work. Thread-safe.
 */
public final class GrpcBenchmarkService extends BenchmarkServiceGrpc.BenchmarkServiceImplBase {
  @Override
  public void unaryCall(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    responses.onNext(Payloads.response(request.getResponseSize()));
    responses.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> streamingCall(StreamObserver<SimpleResponse> responses) {
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleRequest request) {
        responses.onNext(Payloads.response(request.getResponseSize()));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<SimpleRequest> streamingFromClient(
      StreamObserver<SimpleResponse> responses) {
    return new StreamObserver<>() {
      private SimpleRequest last;

      @Override
      public void onNext(SimpleRequest request) {
        last = request;
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onNext(Payloads.response(last == null ? 0 : last.getResponseSize()));
        responses.onCompleted();
      }
    };
  }

  @Override
  public void streamingFromServer(SimpleRequest request,
      StreamObserver<SimpleResponse> responses) {
    ServerCallStreamObserver<SimpleResponse> observer =
        (ServerCallStreamObserver<SimpleResponse>) responses;
    Pump pump = new Pump(observer, Payloads.response(request.getResponseSize()));
    observer.setOnCancelHandler(() -> pump.done = true);
    observer.setOnReadyHandler(pump);
  }

  @Override
  public StreamObserver<SimpleRequest> streamingBothWays(
      StreamObserver<SimpleResponse> responses) {
    ServerCallStreamObserver<SimpleResponse> observer =
        (ServerCallStreamObserver<SimpleResponse>) responses;
    Pump pump = new Pump(observer, Payloads.response(0));
    observer.setOnCancelHandler(() -> pump.done = true);
    observer.setOnReadyHandler(pump);
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleRequest request) {
        pump.response = Payloads.response(request.getResponseSize());
      }

      @Override
      public void onError(Throwable t) {
        pump.done = true;
      }

      @Override
      public void onCompleted() {
        if (!pump.done) {
          pump.done = true;
          observer.onCompleted();
        }
      }
    };
  }

  /** Sends responses back to back while the call is ready. Runs on the call's executor. */
  private static final class Pump implements Runnable {
    final ServerCallStreamObserver<SimpleResponse> observer;
    volatile SimpleResponse response;
    volatile boolean done;

    Pump(ServerCallStreamObserver<SimpleResponse> observer, SimpleResponse response) {
      this.observer = observer;
      this.response = response;
    }

    @Override
    public void run() {
      while (!done && observer.isReady()) {
        observer.onNext(response);
      }
    }
  }
}
