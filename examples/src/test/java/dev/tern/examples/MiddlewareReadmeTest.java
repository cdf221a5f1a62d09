package dev.tern.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The README's "Interceptors, auth, metrics and retries" snippet, kept compiling and working: the
 * same builder calls, with an in-memory token verifier where the README shows JwtVerifier.
 */
class MiddlewareReadmeTest {
  @Test
  void readmeServerChainAndRetryingClientWork() throws Exception {
    TokenVerifier verifier = token -> token.equals("guest-token") ? Principal.of("ann", "guest")
        : null;
    AtomicReference<String> token = new AtomicReference<>("guest-token");

    // --- as in the README ---
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
