package dev.tern.benchmarks;

import dev.tern.netty.internal.EventLoops;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.benchmarks.proto.BenchmarkServiceGrpc;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * grpc-java client and grpc-java server on the same Netty, transport (epoll or NIO) and
 * event-loop thread counts as Tern's. Thread-safe.
 */
// close() throws Exception, AutoCloseable's own signature: it waits for event loops to stop.
@SuppressWarnings("try")
final class GrpcHarness extends Harness {
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final EventLoopGroup clientGroup;
  private final Server server;
  private final ManagedChannel channel;
  private final BenchmarkServiceGrpc.BenchmarkServiceBlockingStub blocking;
  private final BenchmarkServiceGrpc.BenchmarkServiceStub async;

  GrpcHarness(boolean direct) throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    boss = EventLoops.newGroup(1, "grpc-server-boss");
    workers = EventLoops.newGroup(threads, "grpc-server-worker");
    clientGroup = EventLoops.newGroup(threads, "grpc-client-worker");
    server = newServer(0, direct, boss, workers).start();
    NettyChannelBuilder cb = NettyChannelBuilder
        .forAddress("127.0.0.1", server.getPort())
        .usePlaintext()
        .channelType(EventLoops.channelType())
        .eventLoopGroup(clientGroup);
    if (direct) {
      cb.directExecutor();
    }
    channel = cb.build();
    blocking = BenchmarkServiceGrpc.newBlockingStub(channel);
    async = BenchmarkServiceGrpc.newStub(channel);
  }

  /** A grpc-java BenchmarkService server on 127.0.0.1:{@code port}, not yet started. */
  static Server newServer(int port, boolean direct, EventLoopGroup boss, EventLoopGroup workers) {
    NettyServerBuilder sb = NettyServerBuilder
        .forAddress(new InetSocketAddress("127.0.0.1", port))
        .channelType(EventLoops.serverChannelType())
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .addService(new GrpcBenchmarkService());
    if (direct) {
      sb.directExecutor();
    }
    return sb.build();
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
    async.streamingFromServer(request,
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
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
