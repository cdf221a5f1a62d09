package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Context;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.retry.HedgingPolicy;
import dev.tern.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRFC A6 hedging against a real server. Attempts are told apart by their
 * {@code grpc-previous-rpc-attempts} header, never by arrival order or time: each test's hedging
 * delay is either zero (all hedges at once) or an hour (only a non-fatal failure starts the next).
 */
class HedgingTest {
  private static final MethodDescriptor<String, String> HEDGED = TestMethods.method("Hedged");
  private static final Duration NEVER = Duration.ofHours(1);

  /** Per request key: the grpc-previous-rpc-attempts header of each attempt ("-" if absent). */
  private final Map<String, List<String>> attempts = new ConcurrentHashMap<>();
  /** Counted down when the server context of a request's blocked attempt is cancelled. */
  private final Map<String, CountDownLatch> blockedCancelled = new ConcurrentHashMap<>();
  /** Counted down when a request's blocked attempt is in its handler. */
  private final Map<String, CountDownLatch> blockedStarted = new ConcurrentHashMap<>();
  private TernServer server;
  private final List<TernChannel> channels = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = TernServer.builder().port(0).addService(hedgedService()).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    for (TernChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /**
   * The request is {@code key,plan}: {@code plan} has one letter per attempt, by attempt number:
   * B blocks until cancelled, O answers "ok <n>", U fails UNAVAILABLE, P fails UNAVAILABLE with
   * pushback -1 (no more hedges), I fails INVALID_ARGUMENT. When the plan has a B, the other
   * attempts answer only once the blocked one is in its handler, so that it is there to be
   * cancelled.
   */
  private ServerServiceDefinition hedgedService() {
    return ServerServiceDefinition.builder("tern.test.Echo")
        .addMethod(HEDGED, TestMethods.unary((request, headers, call) -> {
          String[] f = request.split(",");
          String previous = headers.get(RetryPolicy.PREVIOUS_ATTEMPTS);
          int n = previous == null ? 0 : Integer.parseInt(previous);
          attempts.computeIfAbsent(f[0], k -> new CopyOnWriteArrayList<>())
              .add(previous == null ? "-" : previous);
          char step = f[1].charAt(n);
          CountDownLatch started = latch(blockedStarted, f[0], f[1]);
          if (step != 'B' && f[1].indexOf('B') >= 0) {
            awaitUninterruptibly(started);
          }
          switch (step) {
            case 'B':
              CountDownLatch cancelled = latch(blockedCancelled, f[0], f[1]);
              Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
              started.countDown();
              return; // never answers: only cancellation ends it
            case 'O':
              call.sendHeaders(new Metadata());
              call.sendMessage("ok " + n);
              call.close(Status.OK, new Metadata());
              return;
            case 'P':
              Metadata stop = new Metadata();
              stop.put(RetryPolicy.PUSHBACK, "-1");
              call.close(Status.UNAVAILABLE.withDescription("attempt " + n), stop);
              return;
            case 'I':
              call.close(Status.INVALID_ARGUMENT.withDescription("attempt " + n),
                  new Metadata());
              return;
            default:
              call.close(Status.UNAVAILABLE.withDescription("attempt " + n), new Metadata());
          }
        }))
        .build();
  }

  /** The latch of request {@code key}, counting one per blocked (B) attempt of its plan. */
  private static CountDownLatch latch(Map<String, CountDownLatch> latches, String key,
      String plan) {
    return latches.computeIfAbsent(key,
        k -> new CountDownLatch((int) plan.chars().filter(c -> c == 'B').count()));
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      assertTrue(latch.await(30, TimeUnit.SECONDS), "the blocked attempt reached its handler");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private TernChannel channel(HedgingPolicy policy, boolean throttled) {
    TernChannel.Builder b = TernChannel.builder().target("127.0.0.1:" + server.port())
        .hedgingPolicy(policy);
    if (throttled) {
      b.retryThrottling(4, 0.1);
    }
    TernChannel c = b.build();
    channels.add(c);
    return c;
  }

  private static HedgingPolicy policy(int maxAttempts, Duration delay) {
    return HedgingPolicy.builder().maxAttempts(maxAttempts).hedgingDelay(delay)
        .nonFatalStatusCodes(Status.Code.UNAVAILABLE).build();
  }

  private static CallResult<String> call(TernChannel ch, String request) throws Exception {
    CallResult<String> result = new CallResult<>();
    ClientCall<String, String> call = ch.newCall(HEDGED, CallOptions.DEFAULT);
    call.start(result, new Metadata());
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    return result.await();
  }

  private void awaitBlockedCancelled(String key, String plan) throws InterruptedException {
    assertTrue(latch(blockedCancelled, key, plan).await(30, TimeUnit.SECONDS),
        "the blocked attempts' contexts were cancelled");
  }

  @Test
  void slowAttemptIsCancelledWhenTheFastOneCommits() throws Exception {
    // Both attempts at once: the first blocks, the second answers and commits the call.
    CallResult<String> r = call(channel(policy(2, Duration.ZERO), false), "race,BO");
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("ok 1"), r.messages);
    awaitBlockedCancelled("race", "BO");
    assertEquals(2, attempts.get("race").size());
  }

  @Test
  void fatalCodeEndsTheCallAndCancelsTheOtherHedges() throws Exception {
    CallResult<String> r = call(channel(policy(2, Duration.ZERO), false), "fatal,BI");
    assertEquals(Status.Code.INVALID_ARGUMENT, r.status.getCode(), r.status::toString);
    assertEquals("attempt 1", r.status.getDescription());
    awaitBlockedCancelled("fatal", "BI");
  }

  @Test
  void nonFatalFailureStartsTheNextHedgeAtOnce() throws Exception {
    // An hour's hedging delay: only the non-fatal failures can bring the next attempts on.
    CallResult<String> r = call(channel(policy(3, NEVER), false), "next,UUO");
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("ok 2"), r.messages);
    assertEquals(List.of("-", "1", "2"), attempts.get("next"));
  }

  @Test
  void lastNonFatalFailureIsTheCallsStatus() throws Exception {
    CallResult<String> r = call(channel(policy(2, NEVER), false), "all,UU");
    assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
    assertEquals("attempt 1", r.status.getDescription());
    assertEquals(2, attempts.get("all").size());
  }

  @Test
  void negativePushbackStopsHedging() throws Exception {
    CallResult<String> r = call(channel(policy(5, NEVER), false), "pushed,PO");
    assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
    assertEquals(List.of("-"), attempts.get("pushed"));
  }

  @Test
  void throttlingStopsHedgesWhenTokensFallToHalf() throws Exception {
    // 4 tokens, threshold 2: the first call's two failures leave 2 tokens (no third hedge);
    // the second call's failure leaves 1, so it gets no hedge at all.
    TernChannel ch = channel(policy(5, NEVER), true);
    CallResult<String> first = call(ch, "t1,UUUUU");
    CallResult<String> second = call(ch, "t2,UUUUU");
    assertEquals(Status.Code.UNAVAILABLE, first.status.getCode());
    assertEquals(Status.Code.UNAVAILABLE, second.status.getCode());
    assertEquals(2, attempts.get("t1").size());
    assertEquals(1, attempts.get("t2").size());
    assertEquals(1.0, ch.retryThrottle().tokens());
  }

  @Test
  void cancellingTheCallCancelsEveryHedge() throws Exception {
    TernChannel ch = channel(policy(2, Duration.ZERO), false);
    CallResult<String> result = new CallResult<>();
    ClientCall<String, String> call = ch.newCall(HEDGED, CallOptions.DEFAULT);
    call.start(result, new Metadata());
    call.request(1);
    call.sendMessage("both,BB");
    call.halfClose();
    assertTrue(latch(blockedStarted, "both", "BB").await(30, TimeUnit.SECONDS),
        "both hedges reached their handlers");
    call.cancel("enough", null);
    result.await();
    assertEquals(Status.Code.CANCELLED, result.status.getCode(), result.status::toString);
    awaitBlockedCancelled("both", "BB");
  }

  @Test
  void perCallRetryPolicyTurnsHedgingOff() throws Exception {
    TernChannel ch = channel(policy(3, Duration.ZERO), false);
    CallResult<String> result = new CallResult<>();
    ClientCall<String, String> call = ch.newCall(HEDGED,
        CallOptions.DEFAULT.withOption(RetryPolicy.CALL_OPTION, RetryPolicy.NONE));
    call.start(result, new Metadata());
    call.request(1);
    call.sendMessage("off,UOO");
    call.halfClose();
    result.await();
    assertEquals(Status.Code.UNAVAILABLE, result.status.getCode());
    assertEquals(List.of("-"), attempts.get("off"));
  }
}
