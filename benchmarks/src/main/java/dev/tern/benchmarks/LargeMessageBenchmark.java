package dev.tern.benchmarks;

import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** 1 MiB unary echo, one call in flight: operations/s equal MiB/s in each direction. */
public class LargeMessageBenchmark {
  /** The 1 MiB request. */
  @State(Scope.Benchmark)
  public static class Request {
    SimpleRequest request;

    @Setup(Level.Trial)
    public void build() {
      request = Payloads.request(1024 * 1024);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void mebibyte(StackState stack, Request request) {
    stack.harness.unaryBlocking(request.request);
  }
}
