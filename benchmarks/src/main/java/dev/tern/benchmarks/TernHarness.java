package dev.tern.benchmarks;

import dev.tern.CallOptions;
import dev.tern.ClientCallStreamObserver;
import dev.tern.ClientCalls;
import dev.tern.ClientResponseObserver;
import dev.tern.StreamObserver;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** Tern client and Tern server. Thread-safe. */
final class TernHarness extends Harness {
  private final TernServer server;
  private final TernChannel channel;

  TernHarness(boolean direct) throws Exception {
    TernServer.Builder sb = TernServer.builder().port(0)
        .addService(TernBenchmarkService.bindService());
    TernChannel.Builder cb = TernChannel.builder();
    if (direct) {
      sb.directExecutor();
      cb.directExecutor();
    }
    server = sb.build().start();
    channel = cb.forAddress("127.0.0.1", server.port()).build();
  }

  @Override
  public void unaryBlocking(SimpleRequest request) {
    ClientCalls.blockingUnaryCall(channel, TernBenchmarkService.UNARY, CallOptions.DEFAULT,
        request);
  }

  @Override
  public void unaryAsync(SimpleRequest request, Done done) {
    ClientCalls.asyncUnaryCall(channel.newCall(TernBenchmarkService.UNARY, CallOptions.DEFAULT),
        request, new StreamObserver<SimpleResponse>() {
          @Override
          public void onNext(SimpleResponse value) {}

          @Override
          public void onError(Throwable t) {
            done.done(false);
          }

          @Override
          public void onCompleted() {
            done.done(true);
          }
        });
  }

  @Override
  public AutoCloseable serverStream(SimpleRequest request, LongAdder received) {
    ClientCallStreamObserver<?>[] handle = new ClientCallStreamObserver<?>[1];
    ClientCalls.asyncServerStreamingCall(
        channel.newCall(TernBenchmarkService.FROM_SERVER, CallOptions.DEFAULT), request,
        new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
            handle[0] = requestStream;
          }

          @Override
          public void onNext(SimpleResponse value) {
            received.increment();
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    return () -> handle[0].cancel("benchmark over", null);
  }

  @Override
  public PingPong pingPong(SimpleRequest request) {
    Handoff handoff = new Handoff();
    StreamObserver<SimpleRequest> requests = ClientCalls.asyncBidiStreamingCall(
        channel.newCall(TernBenchmarkService.STREAMING, CallOptions.DEFAULT),
        new StreamObserver<SimpleResponse>() {
          @Override
          public void onNext(SimpleResponse value) {
            handoff.signal();
          }

          @Override
          public void onError(Throwable t) {
            handoff.fail(t);
          }

          @Override
          public void onCompleted() {}
        });
    return new PingPong() {
      @Override
      public void roundTrip() throws InterruptedException {
        requests.onNext(request);
        handoff.await();
      }

      @Override
      public void close() {
        requests.onCompleted();
      }
    };
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
