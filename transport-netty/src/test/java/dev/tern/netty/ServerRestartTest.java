package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.Status;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A server restart under a steady load of wait-for-ready calls: the old server is stopped with
 * {@code shutdown()} (its calls in flight finish; GOAWAY tells the client what it never
 * processed) and a new one starts on the same port. The client drains, reconnects with backoff
 * and retries transparently: no call fails.
 */
class ServerRestartTest {
  private static final int CLIENT_THREADS = 4;

  @Test
  void restartUnderLoadFailsNoWaitForReadyCall() throws Exception {
    TernServer first = TernServer.builder().port(0).addService(TestMethods.echoService())
        .build().start();
    int port = first.port();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + port).build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<Status> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch warmedUp = new CountDownLatch(CLIENT_THREADS * 20);
    // Counts calls that succeed after the restart; replaced by a real latch just before it.
    java.util.concurrent.atomic.AtomicReference<CountDownLatch> resumed =
        new java.util.concurrent.atomic.AtomicReference<>(new CountDownLatch(0));
    Thread[] clients = new Thread[CLIENT_THREADS];
    for (int t = 0; t < CLIENT_THREADS; t++) {
      int id = t;
      clients[t] = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          String request = "c" + id + "-" + i;
          CallResult<String> r = new CallResult<>();
          ClientCall<String, String> call = channel.newCall(TestMethods.UNARY,
              CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(60, TimeUnit.SECONDS));
          call.start(r, new Metadata());
          call.request(2);
          call.sendMessage(request);
          call.halfClose();
          try {
            r.await();
          } catch (Exception e) {
            failures.add(Status.UNKNOWN.withDescription("no outcome: " + e));
            continue;
          }
          if (r.status.isOk() && List.of(request).equals(r.messages)) {
            ok.incrementAndGet();
            warmedUp.countDown();
            resumed.get().countDown();
          } else {
            failures.add(r.status);
          }
        }
      }, "restart-load-" + t);
      clients[t].start();
    }
    TernServer second = null;
    try {
      assertTrue(warmedUp.await(30, TimeUnit.SECONDS), "no steady load on the first server");
      first.shutdown();
      assertTrue(first.awaitTermination(30, TimeUnit.SECONDS), "first server did not drain");
      int beforeRestart = ok.get();
      CountDownLatch afterRestart = new CountDownLatch(CLIENT_THREADS * 20);
      resumed.set(afterRestart);
      second = TernServer.builder().port(port).addService(TestMethods.echoService())
          .build().start();
      // Calls keep succeeding on the new server.
      assertTrue(afterRestart.await(30, TimeUnit.SECONDS),
          "the load did not resume on the new server: " + ok.get() + " after " + beforeRestart);
    } finally {
      stop.set(true);
      for (Thread t : clients) {
        t.join(TimeUnit.SECONDS.toMillis(60));
      }
      channel.shutdownNow();
      if (second != null) {
        second.shutdownNow();
      }
      first.shutdownNow();
    }
    assertEquals(List.of(), List.copyOf(failures), "failed calls (of " + ok.get() + " ok)");
  }
}
