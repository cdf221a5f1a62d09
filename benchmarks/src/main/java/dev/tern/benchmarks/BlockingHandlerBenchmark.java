package dev.tern.benchmarks;

import dev.tern.StatusException;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.stub.ClientCallStreamObserver;
import dev.tern.stub.ClientResponseObserver;
import dev.tern.stub.MessageSink;
import io.grpc.benchmarks.proto.BenchmarkServiceTern;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Server handler styles on Tern, same client: blocking handlers on virtual threads
 * ({@code blocking-virtual}) against the async API on the event loop ({@code async-direct}) and
 * on the default pool ({@code async-pool}). Unary calls/s and server-streaming messages/s of
 * 1 KiB, over one connection on 127.0.0.1.
 *
 * <p>{@code blocking-virtual} needs a JDK 21+ fork:
 * {@code java -jar benchmarks/target/benchmarks.jar BlockingHandlerBenchmark
 * -jvm /usr/lib/jvm/temurin-25-jdk-amd64/bin/java} (docs/blocking.md); on 17 its setup fails
 * with the message of {@code useVirtualThreads()}.
 */
public class BlockingHandlerBenchmark {
  static final int MESSAGE = 1024;

  /** The blocking implementation: returns the response; streams until cancelled. */
  static final class BlockingBenchmarkService implements BenchmarkServiceTern.BlockingService {
    @Override
    public SimpleResponse unaryCall(SimpleRequest request) {
      return Payloads.response(request.getResponseSize());
    }

    @Override
    public void streamingFromServer(SimpleRequest request, MessageSink<SimpleResponse> responses)
        throws StatusException {
      SimpleResponse response = Payloads.response(request.getResponseSize());
      while (true) {
        responses.send(response); // blocks while not ready; throws CANCELLED at the end
      }
    }
  }

  /** A server in the chosen handler style and a Tern client on the default executor. */
  @State(Scope.Benchmark)
  public static class Stack {
    @Param({"blocking-virtual", "async-direct", "async-pool"})
    public String server;

    TernServer ternServer;
    TernChannel channel;
    BenchmarkServiceTern.BenchmarkServiceBlockingStub blocking;
    BenchmarkServiceTern.BenchmarkServiceStub async;

    @Setup(Level.Trial)
    public void start() throws Exception {
      TernServer.Builder b = TernServer.builder().port(0);
      switch (server) {
        case "blocking-virtual":
          b.useVirtualThreads().addService(
              BenchmarkServiceTern.bindService(new BlockingBenchmarkService()));
          break;
        case "async-direct":
          b.directExecutor().addService(new TernBenchmarkService().bindService());
          break;
        case "async-pool":
          b.addService(new TernBenchmarkService().bindService());
          break;
        default:
          throw new IllegalArgumentException("server: " + server);
      }
      ternServer = b.build().start();
      channel = TernChannel.builder().forAddress("127.0.0.1", ternServer.port()).build();
      blocking = BenchmarkServiceTern.newBlockingStub(channel);
      async = BenchmarkServiceTern.newStub(channel);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      channel.shutdownNow();
      ternServer.shutdownNow();
    }
  }

  /** One unary call of 1 KiB each way. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public SimpleResponse unary(Stack stack) {
    return stack.blocking.unaryCall(Payloads.request(MESSAGE));
  }

  /** One server-streaming call of 1 KiB responses, open for the whole trial. */
  @State(Scope.Benchmark)
  public static class ServerStream {
    final LongAdder received = new LongAdder();
    ClientCallStreamObserver<SimpleRequest> call;

    @Setup(Level.Trial)
    public void start(Stack stack) {
      stack.async.streamingFromServer(Payloads.request(MESSAGE),
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
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          });
    }

    @TearDown(Level.Trial)
    public void stop() {
      call.cancel("benchmark over", null);
    }
  }

  /** Takes what arrived in the last millisecond; read the {@code messages} counter. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void serverStreaming(ServerStream stream, StreamingBenchmark.Messages counter)
      throws InterruptedException {
    Thread.sleep(1);
    counter.messages += stream.received.sumThenReset();
  }
}
