package dev.tern.benchmarks;

import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.stub.ClientCallStreamObserver;
import dev.tern.stub.ClientResponseObserver;
import dev.tern.stub.StreamObserver;
import io.grpc.benchmarks.proto.BenchmarkServiceTern;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** Tern client and Tern server. Thread-safe. */
// close() throws Exception, AutoCloseable's own signature: it waits for event loops to stop.
@SuppressWarnings("try")
final class TernHarness extends Harness {
  private final TernServer server;
  private final TernChannel channel;
  private final BenchmarkServiceTern.BenchmarkServiceBlockingStub blocking;
  private final BenchmarkServiceTern.BenchmarkServiceStub async;

  TernHarness(boolean direct) throws Exception {
    TernServer.Builder sb = TernServer.builder().port(0)
        .addService(new TernBenchmarkService().bindService());
    TernChannel.Builder cb = TernChannel.builder();
    if (direct) {
      sb.directExecutor();
      cb.directExecutor();
    }
    server = sb.build().start();
    channel = cb.forAddress("127.0.0.1", server.port()).build();
    blocking = BenchmarkServiceTern.newBlockingStub(channel);
    async = BenchmarkServiceTern.newStub(channel);
  }

  @Override
  public void unaryBlocking(SimpleRequest request) {
    blocking.unaryCall(request);
  }

  @Override
  public void unaryAsync(SimpleRequest request, Done done) {
    async.unaryCall(request, new StreamObserver<SimpleResponse>() {
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
    async.streamingFromServer(request, new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
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
    StreamObserver<SimpleRequest> requests = async.streamingCall(
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
