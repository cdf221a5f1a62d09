package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.Context;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.metrics.InMemoryMetrics;
import dev.tern.metrics.MetricsRecorder;
import dev.tern.metrics.MetricsInterceptors;
import dev.tern.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gRFC A6 retries against a real server that fails on purpose. */
class RetryTest {
  private static final MethodDescriptor<String, String> FLAKY = ShopService.method("Flaky");
  private static final MethodDescriptor<String, String> HEADERS_THEN_FAIL =
      ShopService.method("HeadersThenFail");
  private static final MethodDescriptor<String, String> LIST =
      MethodDescriptor.newBuilder(ShopService.STRING, ShopService.STRING)
          .setFullMethodName(ShopService.SERVICE + "/List")
          .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
          .build();
  private static final MethodDescriptor<String, String> COLLECT =
      MethodDescriptor.newBuilder(ShopService.STRING, ShopService.STRING)
          .setFullMethodName(ShopService.SERVICE + "/Collect")
          .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
          .build();

  /** Per request key: the grpc-previous-rpc-attempts header of each attempt ("-" if absent). */
  private final Map<String, List<String>> attempts = new ConcurrentHashMap<>();
  private TernServer server;
  private final List<TernChannel> channels = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = TernServer.builder().port(0).addService(flakyService()).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    for (TernChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private TernChannel.Builder channelBuilder() {
    return TernChannel.builder().target("127.0.0.1:" + server.port());
  }

  private TernChannel track(TernChannel c) {
    channels.add(c);
    return c;
  }

  private static RetryPolicy fast(int maxAttempts) {
    return RetryPolicy.builder().maxAttempts(maxAttempts)
        .initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(20)).jitter(0).build();
  }

  /**
   * Flaky's request is {@code key,failures,code[,pushback]}: the first {@code failures} attempts
   * for {@code key} fail with {@code code} (and the pushback trailer, if given), later ones
   * answer "ok".
   */
  private ServerServiceDefinition flakyService() {
    ServerCallHandler<String, String> collect = (call, headers) -> {
      List<String> seen = record("collect", headers);
      call.request(Integer.MAX_VALUE);
      return new ServerCall.Listener<String>() {
        final List<String> got = new ArrayList<>();

        @Override
        public void onMessage(String message) {
          got.add(message);
        }

        @Override
        public void onHalfClose() {
          if (seen.size() == 1) {
            call.close(Status.UNAVAILABLE.withDescription("first attempt fails"),
                new Metadata());
            return;
          }
          call.sendHeaders(new Metadata());
          call.sendMessage(String.join("+", got));
          call.close(Status.OK, new Metadata());
        }
      };
    };
    return ServerServiceDefinition.builder(ShopService.SERVICE)
        .addMethod(FLAKY, TestMethods.unary((request, headers, call) -> {
          String[] f = request.split(",");
          List<String> seen = record(f[0], headers);
          if (seen.size() <= Integer.parseInt(f[1])) {
            Metadata trailers = new Metadata();
            if (f.length > 3) {
              trailers.put(RetryPolicy.PUSHBACK, f[3]);
            }
            call.close(Status.Code.valueOf(f[2]).toStatus().withDescription("attempt "
                + seen.size()), trailers);
            return;
          }
          call.sendHeaders(new Metadata());
          call.sendMessage("ok after " + seen.size());
          call.close(Status.OK, new Metadata());
        }))
        .addMethod(HEADERS_THEN_FAIL, TestMethods.unary((request, headers, call) -> {
          record(request, headers);
          call.sendHeaders(new Metadata());
          call.close(Status.UNAVAILABLE, new Metadata());
        }))
        .addMethod(COLLECT, collect)
        .addMethod(LIST, TestMethods.unary((request, headers, call) -> {
          List<String> seen = record("list", headers);
          if (seen.size() == 1) {
            call.close(Status.UNAVAILABLE, new Metadata());
            return;
          }
          for (int i = 1; i <= 3; i++) {
            call.sendMessage(request + i);
          }
          call.close(Status.OK, new Metadata());
        }))
        .build();
  }

  private List<String> record(String key, Metadata headers) {
    List<String> seen = attempts.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
    String previous = headers.get(RetryPolicy.PREVIOUS_ATTEMPTS);
    seen.add(previous == null ? "-" : previous);
    return seen;
  }

  private static CallResult<String> unary(Channel ch, MethodDescriptor<String, String> m,
      String request, CallOptions options) throws Exception {
    CallResult<String> result = new CallResult<>();
    ClientCall<String, String> call = ch.newCall(m, options);
    call.start(result, new Metadata());
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    return result.await();
  }

  @Test
  void succeedsOnTheThirdAttemptAfterTwoUnavailable() throws Exception {
    InMemoryMetrics metrics = new InMemoryMetrics();
    TernChannel ch = track(channelBuilder().retryPolicy(fast(3))
        .intercept(MetricsInterceptors.client(metrics)).build());

    CallResult<String> r = unary(ch, FLAKY, "third,2,UNAVAILABLE", CallOptions.DEFAULT);

    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("ok after 3"), r.messages);
    assertEquals(List.of("-", "1", "2"), attempts.get("third"));
    InMemoryMetrics.MethodStats stats = metrics.client(FLAKY.getFullMethodName());
    assertEquals(3, stats.attempts());
    assertEquals(1, stats.count(Status.Code.OK));
    assertEquals(1, stats.ended());
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastStatus() throws Exception {
    TernChannel ch = track(channelBuilder().retryPolicy(fast(2)).build());
    CallResult<String> r = unary(ch, FLAKY, "twice,5,UNAVAILABLE", CallOptions.DEFAULT);
    assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
    assertEquals("attempt 2", r.status.getDescription());
    assertEquals(2, attempts.get("twice").size());
  }

  @Test
  void neverRetriesInvalidArgument() throws Exception {
    TernChannel ch = track(channelBuilder().retryPolicy(RetryPolicy.builder().maxAttempts(5)
        .initialBackoff(Duration.ofMillis(5)).retryableCodes(Status.Code.UNAVAILABLE,
            Status.Code.RESOURCE_EXHAUSTED).build()).build());
    CallResult<String> r = unary(ch, FLAKY, "invalid,3,INVALID_ARGUMENT", CallOptions.DEFAULT);
    assertEquals(Status.Code.INVALID_ARGUMENT, r.status.getCode());
    assertEquals(List.of("-"), attempts.get("invalid"));
  }

  /** Retries every 2 s; connected and warmed up, so a first attempt takes milliseconds. */
  private TernChannel slowRetryChannel() throws Exception {
    TernChannel ch = channelBuilder().retryPolicy(RetryPolicy.builder().maxAttempts(5)
        .initialBackoff(Duration.ofMillis(2000)).maxBackoff(Duration.ofMillis(2000))
        .jitter(0).build()).build();
    assertEquals(Status.Code.OK,
        unary(ch, FLAKY, "warm-up,0,UNAVAILABLE", CallOptions.DEFAULT).status.getCode());
    return ch;
  }

  /** One or two attempts fit before a 3 s deadline with 2 s backoff; never the third. */
  private static void assertAttemptsBeforeDeadline(int attempts, CallResult<String> r) {
    assertTrue(attempts >= 1 && attempts <= 2, () -> attempts + " attempts; " + r.status);
  }

  @Test
  void stopsRetryingAtTheCallOptionsDeadline() throws Exception {
    // Attempts at 0 and ~2 s; the third would start at ~4 s, after the 3 s deadline. (Wide
    // margins: a first attempt slower than 1 s on a loaded machine would make this flaky.)
    TernChannel ch = track(slowRetryChannel());
    long start = System.nanoTime();
    CallResult<String> r = unary(ch, FLAKY, "deadline,9,UNAVAILABLE",
        CallOptions.DEFAULT.withDeadlineAfter(3000, TimeUnit.MILLISECONDS));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // Without the deadline stop there would be 5 attempts over ~8 s. On a starved machine the
    // second attempt may itself run into the deadline, so 1 or 2 attempts are both correct.
    assertTrue(r.status.getCode() == Status.Code.UNAVAILABLE
        || r.status.getCode() == Status.Code.DEADLINE_EXCEEDED, r.status::toString);
    assertAttemptsBeforeDeadline(attempts.get("deadline").size(), r);
    assertTrue(ms < 10_000, "took " + ms + " ms");
  }

  @Test
  void stopsRetryingAtTheDeadlineOfTheCurrentContextByDefault() throws Exception {
    TernChannel ch = track(slowRetryChannel());
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (Context.CancellableContext ctx =
        Context.current().withDeadlineAfter(3000, TimeUnit.MILLISECONDS, timer)) {
      CallResult<String> r = ctx.call(() ->
          unary(ch, FLAKY, "context,9,UNAVAILABLE", CallOptions.DEFAULT));
      assertTrue(r.status.getCode() == Status.Code.UNAVAILABLE
          || r.status.getCode() == Status.Code.DEADLINE_EXCEEDED, r.status::toString);
      assertAttemptsBeforeDeadline(attempts.get("context").size(), r);
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void throttlingStopsRetriesWhenTokensFallToHalf() throws Exception {
    // 4 tokens, threshold 2: the first call's two failures leave 2 tokens (no third attempt);
    // the second call's failure leaves 1, so it is not retried at all.
    TernChannel ch = track(channelBuilder().retryPolicy(fast(5)).retryThrottling(4, 0.1)
        .build());
    CallResult<String> first = unary(ch, FLAKY, "t1,9,UNAVAILABLE", CallOptions.DEFAULT);
    CallResult<String> second = unary(ch, FLAKY, "t2,9,UNAVAILABLE", CallOptions.DEFAULT);
    assertEquals(Status.Code.UNAVAILABLE, first.status.getCode());
    assertEquals(Status.Code.UNAVAILABLE, second.status.getCode());
    assertEquals(2, attempts.get("t1").size());
    assertEquals(1, attempts.get("t2").size());
    assertEquals(1.0, ch.retryThrottle().tokens());
  }

  @Test
  void negativePushbackStopsRetriesAndValidPushbackIsHonoured() throws Exception {
    TernChannel ch = track(channelBuilder().retryPolicy(fast(4)).build());
    CallResult<String> refused = unary(ch, FLAKY, "refused,3,UNAVAILABLE,-1", CallOptions.DEFAULT);
    assertEquals(Status.Code.UNAVAILABLE, refused.status.getCode());
    assertEquals(1, attempts.get("refused").size());

    CallResult<String> pushed = unary(ch, FLAKY, "pushed,1,UNAVAILABLE,10", CallOptions.DEFAULT);
    assertEquals(Status.Code.OK, pushed.status.getCode(), pushed.status::toString);
    assertEquals(List.of("-", "1"), attempts.get("pushed"));
  }

  @Test
  void responseHeadersCommitTheCall() throws Exception {
    TernChannel ch = track(channelBuilder().retryPolicy(fast(4)).build());
    CallResult<String> r = unary(ch, HEADERS_THEN_FAIL, "committed", CallOptions.DEFAULT);
    assertEquals(Status.Code.UNAVAILABLE, r.status.getCode());
    assertEquals(1, attempts.get("committed").size());
  }

  @Test
  void clientStreamingRetryReplaysEveryBufferedMessage() throws Exception {
    TernChannel ch = track(channelBuilder().retryPolicy(fast(3)).build());
    CallResult<String> result = new CallResult<>();
    ClientCall<String, String> call = ch.newCall(COLLECT, CallOptions.DEFAULT);
    call.start(result, new Metadata());
    call.request(1);
    call.sendMessage("a");
    call.sendMessage("b");
    call.sendMessage("c");
    call.halfClose();
    result.await();
    assertEquals(Status.Code.OK, result.status.getCode(), result.status::toString);
    assertEquals(List.of("a+b+c"), result.messages);
    assertEquals(List.of("-", "1"), attempts.get("collect"));
  }

  @Test
  void serverStreamingCallIsRetriedBeforeItsFirstMessage() throws Exception {
    TernChannel ch = track(channelBuilder().retryPolicy(fast(3)).build());
    CallResult<String> result = new CallResult<>();
    ClientCall<String, String> call = ch.newCall(LIST, CallOptions.DEFAULT);
    call.start(result, new Metadata());
    call.request(10);
    call.sendMessage("item");
    call.halfClose();
    result.await();
    assertEquals(Status.Code.OK, result.status.getCode(), result.status::toString);
    assertEquals(List.of("item1", "item2", "item3"), result.messages);
    assertEquals(List.of("-", "1"), attempts.get("list"));
  }

  @Test
  void cancellingDuringBackoffEndsTheCallAtOnceWithoutAnotherAttempt() throws Exception {
    CountDownLatch firstAttemptFailed = new CountDownLatch(1);
    MetricsRecorder attemptEnds = new MetricsRecorder() {
      @Override
      public void clientAttemptEnded(String method, String target, Status.Code code,
          long durationNanos, long sentBytes, long receivedBytes) {
        firstAttemptFailed.countDown();
      }
    };
    TernChannel ch = track(channelBuilder().retryPolicy(RetryPolicy.builder().maxAttempts(3)
        .initialBackoff(Duration.ofSeconds(20)).maxBackoff(Duration.ofSeconds(20)).jitter(0)
        .build()).intercept(MetricsInterceptors.client(attemptEnds)).build());
    CallResult<String> result = new CallResult<>();
    ClientCall<String, String> call = ch.newCall(FLAKY, CallOptions.DEFAULT);
    call.start(result, new Metadata());
    call.request(1);
    call.sendMessage("cancel,9,UNAVAILABLE");
    call.halfClose();
    assertTrue(firstAttemptFailed.await(30, TimeUnit.SECONDS));
    long start = System.nanoTime();
    call.cancel("user gave up", null);
    result.await();
    // Almost always CANCELLED (cancelled in the 20 s backoff); UNAVAILABLE if the cancel won the
    // race with the attempt's own close by microseconds. Either way: at once, and no retry.
    assertTrue(result.status.getCode() == Status.Code.CANCELLED
        || result.status.getCode() == Status.Code.UNAVAILABLE, result.status::toString);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    assertEquals(1, attempts.get("cancel").size());
  }

  @Test
  void exceedingTheBufferLimitCommitsTheCall() throws Exception {
    TernChannel ch = track(channelBuilder().retryPolicy(fast(3)).retryBufferLimit(2).build());
    CallResult<String> result = new CallResult<>();
    ClientCall<String, String> call = ch.newCall(COLLECT, CallOptions.DEFAULT);
    call.start(result, new Metadata());
    call.request(1);
    call.sendMessage("abc"); // 3 bytes > 2: committed, so the failure is final
    call.halfClose();
    result.await();
    assertEquals(Status.Code.UNAVAILABLE, result.status.getCode());
    assertEquals(1, attempts.get("collect").size());
  }

  @Test
  void perCallPolicyOverridesTheChannels() throws Exception {
    TernChannel ch = track(channelBuilder().retryPolicy(fast(3)).build());
    CallResult<String> r = unary(ch, FLAKY, "none,1,UNAVAILABLE",
        CallOptions.DEFAULT.withOption(RetryPolicy.CALL_OPTION, RetryPolicy.NONE));
    assertEquals(Status.Code.UNAVAILABLE, r.status.getCode());
    assertEquals(1, attempts.get("none").size());
    assertNull(r.headers);
  }
}
