package dev.tern.benchmarks;

import dev.tern.MethodDescriptor;
import dev.tern.ServerCallStreamObserver;
import dev.tern.ServerCalls;
import dev.tern.ServerServiceDefinition;
import dev.tern.StreamObserver;
import dev.tern.protobuf.ProtoMarshaller;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;

/**
 * {@code grpc.testing.BenchmarkService} on Tern, with the semantics of grpc's QPS worker: each
 * response carries {@code response_size} zero bytes. Method descriptors are written by hand
 * until Tern's code generator lands. Thread-safe.
 */
public final class TernBenchmarkService {
  public static final String SERVICE = "grpc.testing.BenchmarkService";

  private static final ProtoMarshaller<SimpleRequest> REQUEST =
      ProtoMarshaller.of(SimpleRequest.getDefaultInstance());
  private static final ProtoMarshaller<SimpleResponse> RESPONSE =
      ProtoMarshaller.of(SimpleResponse.getDefaultInstance());

  public static final MethodDescriptor<SimpleRequest, SimpleResponse> UNARY =
      method("UnaryCall", MethodDescriptor.MethodType.UNARY);
  public static final MethodDescriptor<SimpleRequest, SimpleResponse> STREAMING =
      method("StreamingCall", MethodDescriptor.MethodType.BIDI_STREAMING);
  public static final MethodDescriptor<SimpleRequest, SimpleResponse> FROM_CLIENT =
      method("StreamingFromClient", MethodDescriptor.MethodType.CLIENT_STREAMING);
  public static final MethodDescriptor<SimpleRequest, SimpleResponse> FROM_SERVER =
      method("StreamingFromServer", MethodDescriptor.MethodType.SERVER_STREAMING);
  public static final MethodDescriptor<SimpleRequest, SimpleResponse> BOTH_WAYS =
      method("StreamingBothWays", MethodDescriptor.MethodType.BIDI_STREAMING);

  private TernBenchmarkService() {}

  private static MethodDescriptor<SimpleRequest, SimpleResponse> method(
      String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.newBuilder(REQUEST, RESPONSE)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setType(type)
        .build();
  }

  /** The service definition to add to a {@link dev.tern.netty.TernServer}. */
  public static ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(UNARY, ServerCalls.asyncUnaryCall(TernBenchmarkService::unaryCall))
        .addMethod(STREAMING, ServerCalls.asyncBidiStreamingCall(TernBenchmarkService::streamingCall))
        .addMethod(FROM_CLIENT,
            ServerCalls.asyncClientStreamingCall(TernBenchmarkService::streamingFromClient))
        .addMethod(FROM_SERVER,
            ServerCalls.asyncServerStreamingCall(TernBenchmarkService::streamingFromServer))
        .addMethod(BOTH_WAYS,
            ServerCalls.asyncBidiStreamingCall(TernBenchmarkService::streamingBothWays))
        .build();
  }

  static void unaryCall(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    responses.onNext(Payloads.response(request.getResponseSize()));
    responses.onCompleted();
  }

  static StreamObserver<SimpleRequest> streamingCall(StreamObserver<SimpleResponse> responses) {
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

  static StreamObserver<SimpleRequest> streamingFromClient(
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

  static void streamingFromServer(SimpleRequest request,
      StreamObserver<SimpleResponse> responses) {
    Pump pump = new Pump((ServerCallStreamObserver<SimpleResponse>) responses,
        Payloads.response(request.getResponseSize()));
    pump.observer.setOnCancelHandler(() -> pump.done = true);
    pump.observer.setOnReadyHandler(pump);
  }

  static StreamObserver<SimpleRequest> streamingBothWays(
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
