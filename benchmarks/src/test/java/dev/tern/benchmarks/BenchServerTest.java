package dev.tern.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.benchmarks.proto.BenchmarkServiceGrpc;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Tern BenchmarkService server that {@code bench-server.sh} runs, driven by a grpc-java
 * client for a few seconds per method: each method keeps grpc's QPS-worker semantics.
 */
class BenchServerTest {
  private static final long DRIVE_NANOS = TimeUnit.SECONDS.toNanos(2);

  private static BenchServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    server = BenchServer.start(Harness.Impl.TERN, 0, false);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private static boolean driving(long start) {
    return System.nanoTime() - start < DRIVE_NANOS;
  }

  @Test
  void unaryCallAnswersResponseSizeZeroBytes() {
    BenchmarkServiceGrpc.BenchmarkServiceBlockingStub stub =
        BenchmarkServiceGrpc.newBlockingStub(channel);
    long start = System.nanoTime();
    int calls = 0;
    while (driving(start)) {
      int size = (calls % 3) * 512;
      SimpleResponse response = stub.unaryCall(Payloads.request(size));
      assertEquals(size, response.getPayload().getBody().size());
      assertTrue(response.getPayload().getBody().toStringUtf8().chars().allMatch(c -> c == 0));
      calls++;
    }
    assertTrue(calls > 0);
  }

  @Test
  void streamingCallAnswersEachRequestWithOneResponse() throws Exception {
    Recorder responses = new Recorder();
    StreamObserver<SimpleRequest> requests =
        BenchmarkServiceGrpc.newStub(channel).streamingCall(responses);
    long start = System.nanoTime();
    int sent = 0;
    while (driving(start)) {
      requests.onNext(Payloads.request(100));
      sent++;
      // Ping-pong: the response to this request arrives before the next request goes out.
      responses.awaitCount(sent);
    }
    requests.onCompleted();
    responses.done.get(10, TimeUnit.SECONDS);
    assertEquals(sent, responses.count.get());
    assertEquals(100, responses.lastSize.get());
  }

  @Test
  void streamingFromServerSendsUntilTheClientCancels() throws Exception {
    Recorder responses = new Recorder();
    BenchmarkServiceGrpc.newStub(channel).streamingFromServer(Payloads.request(1024), responses);
    long start = System.nanoTime();
    while (driving(start)) {
      Thread.onSpinWait();
    }
    long beforeCancel = responses.count.get();
    responses.call.cancel("enough", null);
    Throwable failure = responses.failure.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.CANCELLED, Status.fromThrowable(failure).getCode());
    // Back to back while ready: far more than one response per request.
    assertTrue(beforeCancel > 100, "responses before cancel: " + beforeCancel);
    assertEquals(1024, responses.lastSize.get());
  }

  @Test
  void streamingFromClientAnswersOnceAfterHalfClose() throws Exception {
    Recorder responses = new Recorder();
    StreamObserver<SimpleRequest> requests =
        BenchmarkServiceGrpc.newStub(channel).streamingFromClient(responses);
    long start = System.nanoTime();
    int sent = 0;
    while (driving(start)) {
      requests.onNext(Payloads.request(sent % 2 == 0 ? 64 : 32));
      sent++;
      if (sent % 64 == 0) {
        assertEquals(0, responses.count.get(), "no response before half-close");
        responses.awaitReady();
      }
    }
    requests.onNext(Payloads.request(77));
    requests.onCompleted();
    responses.done.get(10, TimeUnit.SECONDS);
    assertEquals(1, responses.count.get());
    assertEquals(77, responses.lastSize.get(), "sized by the last request");
  }

  @Test
  void streamingBothWaysStreamsInBothDirections() throws Exception {
    Recorder responses = new Recorder();
    StreamObserver<SimpleRequest> requests =
        BenchmarkServiceGrpc.newStub(channel).streamingBothWays(responses);
    // One request, then wait: the server streams without waiting for more requests, so many
    // responses arrive for it (a one-per-request echo would stop at one). Counting, not timing.
    requests.onNext(Payloads.request(16));
    responses.awaitCount(1_000);
    requests.onNext(Payloads.request(16));
    requests.onCompleted();
    // The server stops at the half-close, but the client may still hold a large backlog: its
    // window grows with its bandwidth estimate (BDP), so megabytes can be in flight, delivered at
    // whatever rate a loaded machine allows. Wait while responses still arrive.
    responses.awaitDoneWhileArriving();
    assertTrue(responses.count.get() >= 1_000,
        "responses " + responses.count.get() + " for 2 requests");
  }

  @Test
  void unknownMethodsOfOtherServicesAreUnimplemented() {
    // The server serves the BenchmarkService only.
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
        StatusRuntimeException.class,
        () -> io.grpc.benchmarks.proto.WorkerServiceGrpc.newBlockingStub(channel)
            .coreCount(io.grpc.benchmarks.proto.Control.CoreRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
  }

  /** Records a call's responses; called on grpc-java's executor. */
  private static final class Recorder
      implements ClientResponseObserver<SimpleRequest, SimpleResponse> {
    final AtomicLong count = new AtomicLong();
    final AtomicInteger lastSize = new AtomicInteger(-1);
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final CompletableFuture<Throwable> failure = new CompletableFuture<>();
    volatile ClientCallStreamObserver<SimpleRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
      call = requestStream;
      requestStream.setOnReadyHandler(() -> {
        synchronized (this) {
          notifyAll();
        }
      });
    }

    @Override
    public void onNext(SimpleResponse value) {
      lastSize.set(value.getPayload().getBody().size());
      synchronized (this) {
        count.incrementAndGet();
        notifyAll();
      }
    }

    @Override
    public void onError(Throwable t) {
      failure.complete(t);
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
    }

    synchronized void awaitCount(long n) throws InterruptedException {
      while (count.get() < n && !done.isDone()) {
        wait(100);
      }
    }

    /**
     * Waits for the end of the call for as long as responses keep arriving; fails once 10 s
     * pass with none.
     */
    void awaitDoneWhileArriving() throws Exception {
      long seen = -1;
      while (!done.isDone()) {
        long now = count.get();
        if (now == seen) {
          throw new TimeoutException(
              "no response in 10 s and no end; " + now + " responses");
        }
        seen = now;
        try {
          done.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException stillArriving) {
          // checked against the count above
        }
      }
      done.get();
    }

    /** Waits until the request stream can take more (client-side flow control). */
    synchronized void awaitReady() throws InterruptedException {
      while (!call.isReady() && !done.isDone()) {
        wait(100); // woken by the on-ready handler; the timeout only rechecks done
      }
    }
  }
}
