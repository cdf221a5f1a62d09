package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Context;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.testing.LeakDetectorExtension;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Thousands of calls with short deadlines leave nothing behind: no threads, no timers on the event
 * loops, no server calls or contexts reachable, no leaked buffers. Isolated so that other test
 * classes do not change the JVM's thread count or the shared client loops while it measures.
 *
 * <p>Each wave of calls uses its own connection: every call that times out is reset by the client,
 * and a server's rapid-reset protection (CVE-2023-44487) rightly closes a connection that sends
 * resets by the thousand; here we measure deadlines, not that limit.
 */
@Isolated
class DeadlineLoadTest {
  static final MethodDescriptor<String, String> SILENT = DeadlineTest.method("Silent");
  static final MethodDescriptor<String, String> ECHO = DeadlineTest.method("Echo");

  private static final int WAVES = 30;
  private static final int CALLS_PER_WAVE = 100;

  private static final AtomicReference<EventExecutor> SERVER_LOOP = new AtomicReference<>();
  private static final Set<EventExecutor> CLIENT_LOOPS = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger SERVER_STARTS = new AtomicInteger();
  private static final AtomicInteger SERVER_CANCELS = new AtomicInteger();
  private static final Queue<WeakReference<Object>> SERVER_OBJECTS = new ConcurrentLinkedQueue<>();

  private static TernServer server;
  private static final List<TernChannel> CHANNELS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Deadline")
        .addMethod(SILENT, (call, headers) -> {
          SERVER_STARTS.incrementAndGet();
          SERVER_OBJECTS.add(new WeakReference<>(call));
          SERVER_OBJECTS.add(new WeakReference<>(Context.current()));
          call.request(1);
          return new ServerCall.Listener<String>() {
            @Override
            public void onCancel() {
              SERVER_CANCELS.incrementAndGet();
            }
          };
        })
        .addMethod(ECHO, TestMethods.unary((request, headers, call) -> {
          SERVER_LOOP.compareAndSet(null, ThreadExecutorMap.currentExecutor());
          call.sendHeaders(new Metadata());
          call.sendMessage(request);
          call.close(Status.OK, new Metadata());
        }))
        .build();
    // Handlers on the event loop (they never block), so the loop is the only server thread.
    server = TernServer.builder().port(0).addService(service).directExecutor().workerThreads(1)
        .build().start();
    for (int i = 0; i < WAVES + 1; i++) {
      TernChannel channel =
          TernChannel.builder().target("127.0.0.1:" + server.port()).directExecutor().build();
      CHANNELS.add(channel);
      run(channel, ECHO, 1, 0); // connects, and notes the client loop it landed on
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (TernChannel channel : CHANNELS) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /**
   * Runs {@code count} concurrent calls on {@code channel}, each with a deadline
   * {@code deadlineMillis} after it starts (0 for none), and returns their statuses.
   */
  static List<Status> run(TernChannel channel, MethodDescriptor<String, String> method, int count,
      long deadlineMillis) throws Exception {
    List<CompletableFuture<Status>> calls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      CompletableFuture<Status> closed = new CompletableFuture<>();
      CallOptions options = deadlineMillis == 0 ? CallOptions.DEFAULT
          : CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
      ClientCall<String, String> call = channel.newCall(method, options);
      call.start(new ClientCall.Listener<String>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          CLIENT_LOOPS.add(ThreadExecutorMap.currentExecutor());
          closed.complete(status);
        }
      }, new Metadata());
      call.request(1);
      call.sendMessage("m");
      call.halfClose();
      calls.add(closed);
    }
    List<Status> statuses = new ArrayList<>();
    for (CompletableFuture<Status> f : calls) {
      statuses.add(f.get(30, TimeUnit.SECONDS));
    }
    return statuses;
  }

  /** Timers waiting in {@code loop}'s queue, counted on the loop itself. */
  static int scheduledTasks(EventExecutor loop) throws Exception {
    Field queue = AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
    queue.setAccessible(true);
    return loop.submit(() -> {
      Queue<?> q = (Queue<?>) queue.get(loop);
      return q == null ? 0 : q.size();
    }).get(10, TimeUnit.SECONDS);
  }

  static Map<EventExecutor, Integer> timers() throws Exception {
    Map<EventExecutor, Integer> timers = new LinkedHashMap<>();
    timers.put(SERVER_LOOP.get(), scheduledTasks(SERVER_LOOP.get()));
    for (EventExecutor loop : CLIENT_LOOPS) {
      timers.put(loop, scheduledTasks(loop));
    }
    return timers;
  }

  /** No loop has more timers than before (timers other classes left may have fired since). */
  static void assertNoTimersAdded(Map<EventExecutor, Integer> before) throws Exception {
    Map<EventExecutor, Integer> after = timers();
    for (Map.Entry<EventExecutor, Integer> e : before.entrySet()) {
      assertTrue(after.get(e.getKey()) <= e.getValue(),
          "timers left on an event loop: before " + before.values() + ", after " + after.values());
    }
  }

  static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  @Test
  void serverUnderThousandsOfTimedOutCallsKeepsNoThreadsTimersOrCalls() throws Exception {
    run(CHANNELS.get(WAVES), SILENT, CALLS_PER_WAVE, 20); // warm up the timed-out path
    assertEveryStartedHandlerWasCancelled(CHANNELS.get(WAVES));
    assertNotNull(SERVER_LOOP.get());
    int threadsBefore = threads();
    Map<EventExecutor, Integer> timersBefore = timers();
    int startsBefore = SERVER_STARTS.get();

    for (int w = 0; w < WAVES; w++) {
      for (Status s : run(CHANNELS.get(w), SILENT, CALLS_PER_WAVE, 20)) {
        assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getCode(), s::toString);
      }
      assertEveryStartedHandlerWasCancelled(CHANNELS.get(w));
    }

    // On a loaded machine some calls time out before their stream opens; the rest must be enough
    // to exercise the server.
    int started = SERVER_STARTS.get() - startsBefore;
    assertTrue(started >= CALLS_PER_WAVE, "calls that reached the server: " + started);
    assertTrue(threads() <= threadsBefore + 2,
        "threads before " + threadsBefore + ", after " + threads());
    assertNoTimersAdded(timersBefore);
    assertAllCollected();
    String leaks = LeakDetectorExtension.collectLeaks();
    assertTrue(leaks == null, () -> "leaked buffers:\n" + leaks);
  }

  @Test
  void callsThatFinishBeforeTheirDeadlineCancelTheirTimers() throws Exception {
    long tenMinutes = TimeUnit.MINUTES.toMillis(10);
    TernChannel channel = CHANNELS.get(0);
    run(channel, ECHO, CALLS_PER_WAVE, tenMinutes);
    Map<EventExecutor, Integer> timersBefore = timers();

    for (int w = 0; w < 20; w++) {
      for (Status s : run(channel, ECHO, CALLS_PER_WAVE, tenMinutes)) {
        assertEquals(Status.Code.OK, s.getCode(), s::toString);
      }
    }

    // Client timers are cancelled as calls end; server contexts are closed with their calls,
    // taking their deadline timers with them.
    assertNoTimersAdded(timersBefore);
  }

  /**
   * A call whose deadline passed before its stream could be opened never reaches the server; every
   * one that did must have been cancelled. An echo round trip on the same connection first: the
   * server handles a connection's frames in order and, with direct executors, runs onCancel as it
   * reads the reset, so once the echo is back every earlier call is accounted for.
   */
  private static void assertEveryStartedHandlerWasCancelled(TernChannel channel)
      throws Exception {
    run(channel, ECHO, 1, 0);
    assertEquals(SERVER_STARTS.get(), SERVER_CANCELS.get(), "handlers told of cancellation");
  }

  private static void assertAllCollected() throws InterruptedException {
    int alive = 0;
    for (int attempt = 0; attempt < 20; attempt++) {
      System.gc();
      alive = 0;
      for (WeakReference<Object> ref : SERVER_OBJECTS) {
        if (ref.get() != null) {
          alive++;
        }
      }
      if (alive == 0) {
        return;
      }
      Thread.sleep(50); // nothing to await: collection happens when it happens
    }
    assertEquals(0, alive, "server calls and contexts still reachable after the calls ended");
  }
}
