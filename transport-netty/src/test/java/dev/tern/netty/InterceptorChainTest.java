package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptors;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;
import dev.tern.auth.BearerTokenInterceptor;
import dev.tern.auth.Principal;
import dev.tern.auth.RbacInterceptor;
import dev.tern.interceptors.LoggingInterceptor;
import dev.tern.interceptors.RecoveryInterceptor;
import dev.tern.metrics.InMemoryMetrics;
import dev.tern.metrics.MetricsInterceptors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The production chain auth → RBAC → logging → metrics → recovery, over a real socket. */
class InterceptorChainTest {
  private static final Map<String, Principal> TOKENS = Map.of(
      "alice-token", Principal.of("alice", "reader"),
      "root-token", Principal.of("root", "admin"));

  private final ShopService shop = new ShopService();
  private final AtomicInteger rbacCalls = new AtomicInteger();
  private final CapturingLogger log = new CapturingLogger();
  private final InMemoryMetrics metrics = new InMemoryMetrics();
  private TernServer server;
  private TernChannel channel;

  @BeforeEach
  void start() throws Exception {
    RbacInterceptor rbac = RbacInterceptor.builder()
        .allowRole("admin", "*")
        .allowRole("reader", "tern.test.Shop/Get", "tern.test.Shop/Slow", "tern.test.Shop/Throw*")
        .build();
    ServerInterceptor countingRbac = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        rbacCalls.incrementAndGet();
        return rbac.interceptCall(call, headers, next);
      }
    };
    server = TernServer.builder().port(0)
        .addService(shop.definition())
        .intercept(BearerTokenInterceptor.create(token -> {
          Principal p = TOKENS.get(token);
          if (p == null) {
            throw new IllegalArgumentException("unknown token");
          }
          return p;
        }))
        .intercept(countingRbac)
        .intercept(LoggingInterceptor.create(log, System.Logger.Level.INFO))
        .intercept(MetricsInterceptors.server(metrics))
        .intercept(RecoveryInterceptor.create())
        .build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private Channel as(String token) {
    return ClientInterceptors.intercept(channel, BearerTokenInterceptor.client(() -> token));
  }

  private static CallResult<String> call(Channel ch, dev.tern.MethodDescriptor<String, String> m,
      String request) throws Exception {
    return CallResult.unary(ch, m, request, new Metadata());
  }

  @Test
  void unauthenticatedCallNeverReachesRbacOrTheHandler() throws Exception {
    CallResult<String> none = call(channel, ShopService.GET, "x");
    CallResult<String> bad = call(as("forged-token"), ShopService.GET, "x");

    assertEquals(Status.Code.UNAUTHENTICATED, none.status.getCode(), none.status::toString);
    assertEquals(Status.Code.UNAUTHENTICATED, bad.status.getCode(), bad.status::toString);
    assertEquals("Invalid bearer token", bad.status.getDescription());
    assertEquals(0, rbacCalls.get());
    assertEquals(0, shop.handled.get());
    assertTrue(log.lines.isEmpty(), log.lines::toString);
    assertTrue(metrics.serverMethods().isEmpty());
  }

  @Test
  void authorizedCallReachesHandlerWithPrincipalAndIsLoggedAndCounted() throws Exception {
    CallResult<String> r = call(as("alice-token"), ShopService.GET, "book");

    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("got book"), r.messages);
    assertEquals(List.of(TOKENS.get("alice-token")), shop.principals);
    assertEquals(1, log.lines.size(), log.lines::toString);
    String line = log.lines.get(0);
    assertTrue(line.startsWith("rpc method=tern.test.Shop/Get peer=127.0.0.1:"), line);
    assertTrue(line.contains(" principal=alice status=OK duration_ms="), line);
    assertTrue(line.endsWith(" bytes_in=4 bytes_out=8"), line);
    InMemoryMetrics.MethodStats stats = metrics.server("tern.test.Shop/Get");
    assertEquals(1, stats.started());
    assertEquals(1, stats.count(Status.Code.OK));
    assertEquals(1, Arrays.stream(stats.latencyBucketCounts()).sum());
  }

  @Test
  void forbiddenMethodIsPermissionDeniedBeforeTheHandler() throws Exception {
    CallResult<String> r = call(as("alice-token"), ShopService.DELETE, "x");

    assertEquals(Status.Code.PERMISSION_DENIED, r.status.getCode(), r.status::toString);
    assertEquals(1, rbacCalls.get());
    assertEquals(0, shop.handled.get());
    assertTrue(log.lines.isEmpty(), "rejected before logging: " + log.lines);

    CallResult<String> admin = call(as("root-token"), ShopService.DELETE, "x");
    assertEquals(Status.Code.OK, admin.status.getCode(), admin.status::toString);
  }

  @Test
  void throwingHandlerIsInternalAndOtherCallsOnTheConnectionAreUnharmed() throws Exception {
    Channel alice = as("alice-token");
    CallResult<String> slow = new CallResult<>();
    ClientCall<String, String> slowCall = alice.newCall(ShopService.SLOW, CallOptions.DEFAULT);
    slowCall.start(slow, new Metadata());
    slowCall.request(1);
    slowCall.sendMessage("first");
    slowCall.halfClose();
    assertTrue(shop.slowStarted.await(30, TimeUnit.SECONDS));

    CallResult<String> thrown = call(alice, ShopService.THROW, "boom");
    shop.release.countDown();

    assertEquals(Status.Code.INTERNAL, thrown.status.getCode(), thrown.status::toString);
    assertEquals(RecoveryInterceptor.GENERIC_MESSAGE, thrown.status.getDescription());
    assertFalse(thrown.status.toString().contains("secret"));
    slow.await();
    assertEquals(Status.Code.OK, slow.status.getCode(), slow.status::toString);
    assertEquals(List.of("slow first"), slow.messages);
    assertEquals(Status.Code.OK, call(alice, ShopService.GET, "after").status.getCode());

    assertEquals(1, metrics.server("tern.test.Shop/Throw").count(Status.Code.INTERNAL));
    assertTrue(log.lines.stream().anyMatch(l -> l.contains("method=tern.test.Shop/Throw")
        && l.contains("status=INTERNAL")
        && l.contains("message=\"" + RecoveryInterceptor.GENERIC_MESSAGE + "\"")),
        log.lines::toString);
  }

  @Test
  void thrownStatusExceptionKeepsItsStatusAndTrailersThroughRecovery() throws Exception {
    CallResult<String> r = call(as("alice-token"), ShopService.THROW_STATUS, "x");
    assertEquals(Status.Code.FAILED_PRECONDITION, r.status.getCode(), r.status::toString);
    assertEquals("out of stock", r.status.getDescription());
    // The transport's last-resort handling would drop these trailers; the interceptor keeps them.
    assertEquals("stock", r.trailers.get(ShopService.REASON));
    assertEquals(1, metrics.server("tern.test.Shop/ThrowStatus")
        .count(Status.Code.FAILED_PRECONDITION));
  }

  @Test
  void malformedAuthorizationHeaderIsUnauthenticated() throws Exception {
    Metadata headers = new Metadata();
    headers.put(BearerTokenInterceptor.AUTHORIZATION, "Basic YWxpY2U6c2VjcmV0");
    CallResult<String> r = CallResult.unary(channel, ShopService.GET, "x", headers);
    assertEquals(Status.Code.UNAUTHENTICATED, r.status.getCode());
    assertNull(r.headers);
    assertEquals(0, shop.handled.get());
  }
}
