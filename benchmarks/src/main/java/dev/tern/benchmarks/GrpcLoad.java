package dev.tern.benchmarks;

import dev.tern.netty.internal.EventLoops;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.benchmarks.proto.BenchmarkServiceGrpc;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The outside load generator: grpc-java clients (one connection per channel, callbacks on the
 * event loop) driving a server in another process, so that every server under test meets the
 * same client. Closing it closes its channels and event loops. Thread-safe.
 */
// close() throws Exception, AutoCloseable's own signature: it waits for event loops to stop.
@SuppressWarnings("try")
final class GrpcLoad implements AutoCloseable {
  private final EventLoopGroup group;
  private final List<ManagedChannel> channels = new ArrayList<>();

  /** {@code connections} channels to 127.0.0.1:{@code port} on {@code threads} event loops. */
  GrpcLoad(int port, int connections, int threads) {
    group = EventLoops.newGroup(threads, "load-client");
    for (int i = 0; i < connections; i++) {
      channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port)
          .usePlaintext().channelType(EventLoops.channelType()).eventLoopGroup(group)
          .directExecutor().build());
    }
  }

  /** An async stub on the {@code i}-th connection. */
  BenchmarkServiceGrpc.BenchmarkServiceStub stub(int i) {
    return BenchmarkServiceGrpc.newStub(channels.get(i));
  }

  /** Starts {@code inFlight} unary calls on every connection, each replaced as it completes. */
  ClosedLoop closedLoop(SimpleRequest request, int inFlight) {
    ClosedLoop loop = new ClosedLoop(request);
    for (int i = 0; i < channels.size(); i++) {
      loop.start(stub(i), inFlight);
    }
    return loop;
  }

  /** Starts one StreamingFromServer call on the first connection and counts its messages. */
  ServerStream serverStream(SimpleRequest request) {
    return new ServerStream(stub(0), request);
  }

  @Override
  public void close() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
  }

  /**
   * Closed-loop unary load: a fixed number of calls in flight, each completion starting the next
   * call from the event loop until {@link #stop()}. Thread-safe.
   */
  static final class ClosedLoop {
    private final SimpleRequest request;
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final CountDownLatch drained = new CountDownLatch(1);
    private volatile boolean running = true;

    private ClosedLoop(SimpleRequest request) {
      this.request = request;
    }

    private void start(BenchmarkServiceGrpc.BenchmarkServiceStub stub, int inFlight) {
      outstanding.addAndGet(inFlight);
      for (int i = 0; i < inFlight; i++) {
        call(stub);
      }
    }

    private void call(BenchmarkServiceGrpc.BenchmarkServiceStub stub) {
      stub.unaryCall(request, new StreamObserver<SimpleResponse>() {
        @Override
        public void onNext(SimpleResponse value) {}

        @Override
        public void onError(Throwable t) {
          failed.increment();
          next(stub);
        }

        @Override
        public void onCompleted() {
          completed.increment();
          next(stub);
        }
      });
    }

    private void next(BenchmarkServiceGrpc.BenchmarkServiceStub stub) {
      if (running) {
        call(stub);
      } else if (outstanding.decrementAndGet() == 0) {
        drained.countDown();
      }
    }

    long completed() {
      return completed.sum();
    }

    long failed() {
      return failed.sum();
    }

    /** Lets the calls in flight finish and starts no more. */
    void stop() throws InterruptedException {
      running = false;
      if (!drained.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("calls in flight did not complete");
      }
    }
  }

  /** One StreamingFromServer call counting the messages it receives. Thread-safe. */
  static final class ServerStream implements AutoCloseable {
    private final LongAdder received = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile ClientCallStreamObserver<SimpleRequest> call;

    private ServerStream(BenchmarkServiceGrpc.BenchmarkServiceStub stub, SimpleRequest request) {
      stub.streamingFromServer(request,
          new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
              call = requestStream;
            }

            @Override
            public void onNext(SimpleResponse value) {
              received.increment();
            }

            @Override
            public void onError(Throwable t) {
              // Our own cancel at the end of the measurement ends the call as CANCELLED.
              if (Status.fromThrowable(t).getCode() != Status.Code.CANCELLED) {
                failed.increment();
              }
            }

            @Override
            public void onCompleted() {
              failed.increment(); // the server never ends this stream by itself
            }
          });
    }

    long received() {
      return received.sum();
    }

    long failed() {
      return failed.sum();
    }

    @Override
    public void close() {
      call.cancel("measurement over", null);
    }
  }
}
