package dev.tern.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.auth.BearerTokenInterceptor;
import dev.tern.auth.Principal;
import dev.tern.auth.RbacInterceptor;
import dev.tern.auth.TokenVerifier;
import dev.tern.interceptors.LoggingInterceptor;
import dev.tern.interceptors.RecoveryInterceptor;
import dev.tern.metrics.InMemoryMetrics;
import dev.tern.metrics.MetricsInterceptors;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The middleware snippet of docs/interceptors.md (once the README's "Interceptors, auth, metrics
 * and retries"), kept compiling and working: the same builder calls, with an in-memory token
 * verifier where the page shows JwtVerifier. {@link #docsShowTheseBuilderCalls} keeps the page
 * showing them.
 */
class MiddlewareReadmeTest {
  /**
   * The builder calls of the region marked "as in docs/interceptors.md" below, in order, as the
   * page's first Java block must show them (whitespace and end-of-line comments aside).
   */
  private static final List<String> SHOWN = List.of(
      "InMemoryMetrics metrics = new InMemoryMetrics();",
      ".addService(new GreeterService().bindService())",
      ".intercept(BearerTokenInterceptor.create(",
      ".intercept(RbacInterceptor.builder()",
      ".allowRole(\"admin\", \"*\")",
      ".allowRole(\"guest\", \"tern.examples.Greeter/SayHello\").build())",
      ".intercept(LoggingInterceptor.create())",
      ".intercept(MetricsInterceptors.server(metrics))",
      ".intercept(RecoveryInterceptor.create())",
      ".build().start();",
      ".intercept(BearerTokenInterceptor.client(",
      "MetricsInterceptors.client(metrics))",
      ".retryPolicy(RetryPolicy.builder().maxAttempts(4)",
      ".initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2)).build())",
      ".retryThrottling(10, 0.1)",
      ".withDeadlineAfter(2, TimeUnit.SECONDS)",
      ".sayHello(HelloRequest.newBuilder().setName(\"world\").build());");

  @Test
  void docsShowTheseBuilderCalls() {
    String snippet = Docs.firstCodeBlock(
        Docs.read(Docs.root().resolve("docs/interceptors.md")), "java");
    String code = snippet.replaceAll("//[^\n]*", "").replaceAll("\\s+", "");
    int from = 0;
    for (String call : SHOWN) {
      int at = code.indexOf(call.replaceAll("\\s+", ""), from);
      assertTrue(at >= 0, () -> "docs/interceptors.md no longer shows, after the calls before it: "
          + call + "\n" + snippet);
      from = at + 1;
    }
  }

  @Test
  void readmeServerChainAndRetryingClientWork() throws Exception {
    TokenVerifier verifier = token -> token.equals("guest-token") ? Principal.of("ann", "guest")
        : null;
    AtomicReference<String> token = new AtomicReference<>("guest-token");

    // --- as in docs/interceptors.md (SHOWN lists these calls) ---
    InMemoryMetrics metrics = new InMemoryMetrics();
    TernServer server = TernServer.builder().port(0)
        .addService(new GreeterService().bindService())
        .intercept(BearerTokenInterceptor.create(verifier))
        .intercept(RbacInterceptor.builder()
            .allowRole("admin", "*")
            .allowRole("guest", "tern.examples.Greeter/SayHello").build())
        .intercept(LoggingInterceptor.create())
        .intercept(MetricsInterceptors.server(metrics))
        .intercept(RecoveryInterceptor.create())
        .build().start();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .intercept(BearerTokenInterceptor.client(token::get), MetricsInterceptors.client(metrics))
        .retryPolicy(RetryPolicy.builder().maxAttempts(4)
            .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2)).build())
        .retryThrottling(10, 0.1)
        .build();
    // ---

    try {
      HelloReply reply = GreeterTern.newBlockingStub(channel)
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .sayHello(HelloRequest.newBuilder().setName("world").build());
      assertEquals("Hello, world!", reply.getMessage());
      assertEquals(1, metrics.server("tern.examples.Greeter/SayHello").count(Status.Code.OK));

      token.set("stolen");
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
          GreeterTern.newBlockingStub(channel)
              .sayHello(HelloRequest.newBuilder().setName("world").build()));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
