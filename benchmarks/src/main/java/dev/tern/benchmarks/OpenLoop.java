package dev.tern.benchmarks;

import io.grpc.benchmarks.proto.BenchmarkServiceGrpc;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Open-loop unary load at a fixed rate: call {@code n} is due at {@code start + n / rate}
 * whether or not earlier calls have answered, and its latency is counted from that intended
 * time, not from when it was actually sent — the coordinated-omission correction (a stalled
 * server or sender shows as latency instead of as fewer, faster samples). Calls in flight are
 * capped; a sender held back by the cap falls behind schedule, which again shows as latency.
 * {@link #run} is called by one thread at a time; completions arrive on the client's event loop.
 */
final class OpenLoop {
  /** The cap on calls in flight: a bound on what a slow server makes the client hold. */
  static final int MAX_IN_FLIGHT = 10_000;

  private final BenchmarkServiceGrpc.BenchmarkServiceStub stub;
  private final SimpleRequest request;
  private final double callsPerSecond;
  private final Recorder recorder = new Recorder(3);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder failed = new LongAdder();

  OpenLoop(BenchmarkServiceGrpc.BenchmarkServiceStub stub, SimpleRequest request,
      double callsPerSecond) {
    this.stub = stub;
    this.request = request;
    this.callsPerSecond = callsPerSecond;
  }

  /**
   * Sends at the fixed rate for {@code nanos}, waits for the calls in flight, and returns the
   * latencies (ns from intended send to response) recorded since the previous run.
   */
  Histogram run(long nanos) throws InterruptedException {
    double period = 1e9 / callsPerSecond;
    long start = System.nanoTime();
    for (long n = 0; ; ) {
      long intended = start + (long) (n * period);
      if (intended - start >= nanos) {
        break;
      }
      long now = System.nanoTime();
      if (now < intended) {
        // parkNanos oversleeps by tens of microseconds: every call due by then goes out at once.
        LockSupport.parkNanos(intended - now);
      } else if (inFlight.get() >= MAX_IN_FLIGHT) {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
      } else {
        inFlight.incrementAndGet();
        send(intended);
        n++;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (inFlight.get() > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(inFlight.get() + " calls still in flight after 30 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return recorder.getIntervalHistogram();
  }

  long failed() {
    return failed.sum();
  }

  private void send(long intended) {
    stub.unaryCall(request, new StreamObserver<SimpleResponse>() {
      @Override
      public void onNext(SimpleResponse value) {}

      @Override
      public void onError(Throwable t) {
        failed.increment();
        inFlight.decrementAndGet();
      }

      @Override
      public void onCompleted() {
        recorder.recordValue(System.nanoTime() - intended);
        inFlight.decrementAndGet();
      }
    });
  }
}
