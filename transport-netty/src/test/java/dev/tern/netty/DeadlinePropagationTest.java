package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A chain of Tern servers over real sockets, client → A → B → C, where A and B call the next hop
 * from their handler under the handler's {@link Context}: the client's deadline and cancellation
 * reach C. Isolated: it asserts a (generous) margin on when C hears of the deadline, and test
 * classes running beside it on a 2-core machine would only add scheduling noise to that.
 */
@Isolated
class DeadlinePropagationTest {
  static final MethodDescriptor<String, String> HOP = MethodDescriptor
      .newBuilder(TestMethods.STRING, TestMethods.STRING)
      .setFullMethodName("tern.test.Chain/Hop")
      .setType(MethodDescriptor.MethodType.UNARY)
      .build();

  /** What one hop's handler saw. */
  static final class Hop {
    final Context context;
    final long remainingNanosAtStart;
    final CompletableFuture<Long> contextCancelledAt = new CompletableFuture<>();
    final CompletableFuture<Status> downstreamStatus = new CompletableFuture<>();
    final CompletableFuture<Void> onCancel = new CompletableFuture<>();

    Hop(Context context) {
      this.context = context;
      Deadline d = context.getDeadline();
      this.remainingNanosAtStart = d == null ? Long.MAX_VALUE : d.timeRemaining(TimeUnit.NANOSECONDS);
      context.addListener(c -> contextCancelledAt.complete(System.nanoTime()), Runnable::run);
    }

    Status contextStatus() throws Exception {
      contextCancelledAt.get(10, TimeUnit.SECONDS);
      return Contexts.statusFromCancelled(context);
    }
  }

  private static final BlockingQueue<Hop> HOPS_A = new LinkedBlockingQueue<>();
  private static final BlockingQueue<Hop> HOPS_B = new LinkedBlockingQueue<>();
  private static final BlockingQueue<Hop> HOPS_C = new LinkedBlockingQueue<>();

  private static TernServer serverA;
  private static TernServer serverB;
  private static TernServer serverC;
  private static TernChannel toA;
  private static TernChannel toB;
  private static TernChannel toC;
  private static ScheduledExecutorService control;

  /** Forwards each request to {@code next} from the handler, under the handler's context. */
  static ServerCallHandler<String, String> forwardTo(Channel next, BlockingQueue<Hop> hops) {
    return (call, headers) -> {
      Hop hop = new Hop(Context.current());
      hops.add(hop);
      call.request(1);
      return new ServerCall.Listener<String>() {
        private String request;

        @Override
        public void onMessage(String message) {
          request = message;
        }

        @Override
        public void onHalfClose() {
          // Context.current() is this call's context: the downstream call inherits its deadline
          // and is cancelled with it.
          ClientCall<String, String> downstream = next.newCall(HOP, CallOptions.DEFAULT);
          downstream.start(new ClientCall.Listener<String>() {
            @Override
            public void onMessage(String message) {
              call.sendHeaders(new Metadata());
              call.sendMessage(message);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              hop.downstreamStatus.complete(status);
              call.close(status, new Metadata());
            }
          }, new Metadata());
          downstream.request(1);
          downstream.sendMessage(request);
          downstream.halfClose();
        }

        @Override
        public void onCancel() {
          hop.onCancel.complete(null);
        }
      };
    };
  }

  /** The last hop: records what it saw and never answers. */
  static ServerCallHandler<String, String> silent(BlockingQueue<Hop> hops) {
    return (call, headers) -> {
      Hop hop = new Hop(Context.current());
      hops.add(hop);
      call.request(1);
      return new ServerCall.Listener<String>() {
        @Override
        public void onCancel() {
          hop.onCancel.complete(null);
        }
      };
    };
  }

  static TernServer serve(ServerCallHandler<String, String> handler) throws Exception {
    return TernServer.builder().port(0)
        .addService(ServerServiceDefinition.builder("tern.test.Chain").addMethod(HOP, handler)
            .build())
        .build().start();
  }

  static TernChannel channelTo(TernServer server) {
    return TernChannel.builder().target("127.0.0.1:" + server.port()).build();
  }

  @BeforeAll
  static void start() throws Exception {
    serverC = serve(silent(HOPS_C));
    toC = channelTo(serverC);
    serverB = serve(forwardTo(toC, HOPS_B));
    toB = channelTo(serverB);
    serverA = serve(forwardTo(toB, HOPS_A));
    toA = channelTo(serverA);
    control = Executors.newSingleThreadScheduledExecutor();
    // Warm up: class loading and JIT on the first call through the chain are not what the
    // margins below are about.
    CallResult<String> warmUp = new CallResult<>();
    ClientCall<String, String> warmUpCall = call(CallOptions.DEFAULT, warmUp);
    List<Hop> hops = List.of(next(HOPS_A, "A"), next(HOPS_B, "B"), next(HOPS_C, "C"));
    warmUpCall.cancel("warmed up", null);
    warmUp.await();
    for (Hop hop : hops) {
      hop.onCancel.get(10, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (TernChannel c : new TernChannel[] {toA, toB, toC}) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (TernServer s : new TernServer[] {serverA, serverB, serverC}) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    control.shutdownNow();
  }

  static Hop next(BlockingQueue<Hop> hops, String name) throws InterruptedException {
    Hop hop = hops.poll(10, TimeUnit.SECONDS);
    assertNotNull(hop, name + " was never called");
    return hop;
  }

  static ClientCall<String, String> call(CallOptions options, CallResult<String> result) {
    ClientCall<String, String> call = toA.newCall(HOP, options);
    call.start(result, new Metadata());
    call.request(1);
    call.sendMessage("hello");
    call.halfClose();
    return call;
  }

  @Test
  void clientDeadlineReachesEveryHopAndExpiresEverywhere() throws Exception {
    Deadline deadline = Deadline.after(300, TimeUnit.MILLISECONDS);
    long deadlineAt = System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
    // A plain timer for the same instant: how late this machine runs timers right now.
    ScheduledFuture<Long> controlFired = control.schedule(
        System::nanoTime, deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
    CallResult<String> result = new CallResult<>();
    call(CallOptions.DEFAULT.withDeadline(deadline), result);

    Hop a = next(HOPS_A, "A");
    Hop b = next(HOPS_B, "B");
    Hop c = next(HOPS_C, "C");
    assertTrue(c.remainingNanosAtStart > 0
        && c.remainingNanosAtStart < TimeUnit.MILLISECONDS.toNanos(300),
        "C's time left: " + c.remainingNanosAtStart);
    assertTrue(c.remainingNanosAtStart <= b.remainingNanosAtStart
        && b.remainingNanosAtStart <= a.remainingNanosAtStart,
        "time left shrinks hop by hop");

    result.await();
    assertEquals(Status.Code.DEADLINE_EXCEEDED, result.status.getCode(), result.status::toString);
    long cancelledAt = c.contextCancelledAt.get(10, TimeUnit.SECONDS);
    long afterDeadlineMillis = TimeUnit.NANOSECONDS.toMillis(cancelledAt - deadlineAt);
    assertTrue(afterDeadlineMillis >= -1, "C was cancelled before the deadline");
    // A margin, not a benchmark: C stops within 50 ms of the client's deadline. Time the machine
    // itself lost (a plain timer for the deadline that fired late: CPU starvation, a GC pause)
    // is not counted against the three hops.
    long reference = Math.max(deadlineAt, controlFired.get(10, TimeUnit.SECONDS));
    long lateMillis = TimeUnit.NANOSECONDS.toMillis(cancelledAt - reference);
    assertTrue(lateMillis < 50, "C's context was cancelled " + afterDeadlineMillis
        + " ms after the deadline, " + lateMillis + " ms after a plain timer for it fired");
    Status atC = c.contextStatus();
    assertEquals(Status.Code.DEADLINE_EXCEEDED, atC.getCode(), atC::toString);
    c.onCancel.get(10, TimeUnit.SECONDS);
    for (Hop hop : new Hop[] {a, b}) {
      // What the hop's downstream call ended with, and so what the hop answers if it still can.
      Status downstream = hop.downstreamStatus.get(10, TimeUnit.SECONDS);
      assertEquals(Status.Code.DEADLINE_EXCEEDED, downstream.getCode(), downstream::toString);
      // The hop's own context: cancelled by the deadline, or, when the downstream call's timer
      // won the race and the hop answered DEADLINE_EXCEEDED itself, closed with its call.
      Status context = hop.contextStatus();
      assertTrue(context.getCode() == Status.Code.DEADLINE_EXCEEDED
          || hop.context.cancellationCause() == null, context::toString);
    }
  }

  @Test
  void clientCancelCancelsEveryHop() throws Exception {
    CallResult<String> result = new CallResult<>();
    // A distant deadline: the cancel, not the deadline, ends the calls.
    ClientCall<String, String> call =
        call(CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.MINUTES), result);
    Hop a = next(HOPS_A, "A");
    Hop b = next(HOPS_B, "B");
    Hop c = next(HOPS_C, "C");

    call.cancel("user pressed stop", null);

    result.await();
    assertEquals(Status.Code.CANCELLED, result.status.getCode(), result.status::toString);
    for (Hop hop : new Hop[] {a, b, c}) {
      Status s = hop.contextStatus();
      assertEquals(Status.Code.CANCELLED, s.getCode(), s::toString);
      hop.onCancel.get(10, TimeUnit.SECONDS);
    }
    for (Hop hop : new Hop[] {a, b}) {
      Status s = hop.downstreamStatus.get(10, TimeUnit.SECONDS);
      assertEquals(Status.Code.CANCELLED, s.getCode(), s::toString);
    }
  }
}
