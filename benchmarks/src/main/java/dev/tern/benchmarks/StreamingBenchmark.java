package dev.tern.benchmarks;

import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Streaming over one connection: server-streaming messages/s, bidi ping-pong round trips/s. */
public class StreamingBenchmark {
  static final int MESSAGE = 1024;

  /** One StreamingFromServer call of 1 KiB responses, open for the whole trial. */
  @State(Scope.Benchmark)
  public static class ServerStream {
    final LongAdder received = new LongAdder();
    AutoCloseable call;

    @Setup(Level.Trial)
    public void start(StackState stack) {
      call = stack.harness.serverStream(Payloads.request(MESSAGE), received);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      call.close();
    }
  }

  /** Messages received, reported per second by JMH. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Messages {
    public long messages;

    @Setup(Level.Iteration)
    public void reset() {
      messages = 0;
    }
  }

  /**
   * The client takes the messages that arrived in the last millisecond; the score to read is the
   * {@code messages} counter (messages/s), not the invocation rate.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void serverStreaming(ServerStream stream, Messages counter) throws InterruptedException {
    Thread.sleep(1);
    counter.messages += stream.received.sumThenReset();
  }

  /** One StreamingCall for the whole trial; each operation is one 1 KiB round trip. */
  @State(Scope.Benchmark)
  public static class PingPongCall {
    Harness.PingPong call;

    @Setup(Level.Trial)
    public void start(StackState stack) {
      SimpleRequest request = Payloads.request(MESSAGE);
      call = stack.harness.pingPong(request);
    }

    @TearDown(Level.Trial)
    public void stop() {
      call.close();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void pingPong(PingPongCall call) throws InterruptedException {
    call.call.roundTrip();
  }
}
