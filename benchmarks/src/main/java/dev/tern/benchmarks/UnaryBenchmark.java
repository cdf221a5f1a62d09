package dev.tern.benchmarks;

import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * Unary calls over one connection on 127.0.0.1: latency with one call in flight, throughput with
 * 64 in flight. {@code size} is both the request payload and the requested response payload.
 */
public class UnaryBenchmark {
  static final int IN_FLIGHT = 64;

  /** Per-trial request and the window of calls in flight. */
  @State(Scope.Benchmark)
  public static class Calls {
    @Param({"0", "1024"})
    public int size;

    SimpleRequest request;
    final Semaphore window = new Semaphore(IN_FLIGHT);
    volatile Throwable failure;
    Harness.Done release;

    @Setup(Level.Trial)
    public void setUp() {
      request = Payloads.request(size);
      release = ok -> {
        if (!ok) {
          failure = new IllegalStateException("a call failed");
        }
        window.release();
      };
    }

    @TearDown(Level.Iteration)
    public void drain() throws InterruptedException {
      // Let the calls of this iteration finish so that none straddles into the next.
      if (!window.tryAcquire(IN_FLIGHT, 30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("calls did not complete");
      }
      window.release(IN_FLIGHT);
      if (failure != null) {
        throw new IllegalStateException("unary call failed");
      }
    }
  }

  /** One call in flight: the time from sending the request to having the response. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public void latency(StackState stack, Calls calls) {
    stack.harness.unaryBlocking(calls.request);
  }

  /** 64 calls in flight on one connection: each operation starts a call once one completes. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void throughput64(StackState stack, Calls calls) throws InterruptedException {
    calls.window.acquire();
    stack.harness.unaryAsync(calls.request, calls.release);
  }
}
