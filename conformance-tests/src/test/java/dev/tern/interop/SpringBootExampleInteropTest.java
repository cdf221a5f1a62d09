package dev.tern.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.tern.examples.spring.InMemoryOrderRepository;
import dev.tern.examples.spring.OrderRepository;
import dev.tern.examples.spring.OrdersApplication;
import dev.tern.examples.spring.v1.GetOrderRequest;
import dev.tern.examples.spring.v1.Order;
import dev.tern.spring.TernServerLifecycle;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * The Spring Boot example (examples/spring-boot) started in this JVM on free ports, called by
 * grpc-java's client and drained as SIGTERM would (closing its context on another thread).
 */
class SpringBootExampleInteropTest {
  /** GetOrder over grpc-java, with the example's protobuf messages and grpc-java's marshaller. */
  private static final MethodDescriptor<GetOrderRequest, Order> GET_ORDER =
      MethodDescriptor.<GetOrderRequest, Order>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(
              "tern.examples.spring.v1.OrderService", "GetOrder"))
          .setRequestMarshaller(ProtoUtils.marshaller(GetOrderRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(Order.getDefaultInstance()))
          .build();

  /** The order id whose lookup waits until the test releases it; other ids are the example's. */
  static final String HELD_ID = "HELD-1";

  /** Replaces the example's repository, as a user's test would: a {@code @Primary} bean. */
  static final class HeldRepository implements OrderRepository {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final OrderRepository orders = new InMemoryOrderRepository();

    @Override
    public Optional<Order> find(String id) {
      if (!id.equals(HELD_ID)) {
        return orders.find(id);
      }
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Optional.of(Order.newBuilder().setId(id).setItem("held").setQuantity(1).build());
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class HeldOrders {
    @Bean
    @Primary
    HeldRepository heldRepository() {
      return new HeldRepository();
    }
  }

  static {
    // Spring Boot would otherwise reconfigure java.util.logging for the whole JVM (resetting
    // handlers that tests running in parallel rely on); leave logging as the other tests have it.
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
  }

  @Test
  void closingTheContextReportsNotServingRefusesNewCallsAndFinishesTheCallInFlight()
      throws Exception {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(OrdersApplication.class, HeldOrders.class)
            // Command-line arguments, which override application.properties (properties(...)
            // would only be defaults, below it).
            .run("--tern.server.port=0", "--server.port=0", "--spring.main.banner-mode=off",
                "--tern.server.shutdown-grace-period=60s",
                "--spring.lifecycle.timeout-per-shutdown-phase=60s",
                "--spring.main.register-shutdown-hook=false");
    HeldRepository repository = context.getBean(HeldRepository.class);
    TernServerLifecycle lifecycle = context.getBean(TernServerLifecycle.class);
    int port = context.getEnvironment()
        .getRequiredProperty(TernServerLifecycle.LOCAL_PORT_PROPERTY, Integer.class);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      assertEquals("burr grinder", getOrder(channel, "A-1002").get(30, TimeUnit.SECONDS)
          .getItem());

      Iterator<HealthCheckResponse> watch = HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(60, TimeUnit.SECONDS)
          .watch(HealthCheckRequest.newBuilder().setService("").build());
      assertEquals(ServingStatus.SERVING, watch.next().getStatus());

      ListenableFuture<Order> inFlight = getOrder(channel, HELD_ID);
      assertTrue(repository.entered.await(30, TimeUnit.SECONDS));

      CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);

      // 1. Health-checking clients hear NOT_SERVING, and the Watch ends, while the call is held.
      assertEquals(ServingStatus.NOT_SERVING, watch.next().getStatus());
      assertFalse(watch.hasNext()); // the Watch ended OK (a failure would throw here)
      assertFalse(inFlight.isDone());

      // 2. The GOAWAY reaches grpc-java (its channel leaves READY); a new call then finds no
      // listener on the port and fails fast.
      awaitNotReady(channel);
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
          () -> ClientCalls.blockingUnaryCall(channel, GET_ORDER,
              CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
              GetOrderRequest.newBuilder().setId("A-1001").build()));
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
      assertFalse(inFlight.isDone());

      // 3. The held call still completes OK once released, and then the context finishes.
      repository.release.countDown();
      assertEquals("held", inFlight.get(30, TimeUnit.SECONDS).getItem());
      closed.get(60, TimeUnit.SECONDS);
      assertTrue(lifecycle.server().isTerminated());
      assertFalse(context.isActive());
    } finally {
      repository.release.countDown();
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      context.close();
    }
  }

  private static ListenableFuture<Order> getOrder(ManagedChannel channel, String id) {
    return ClientCalls.futureUnaryCall(
        channel.newCall(GET_ORDER, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)),
        GetOrderRequest.newBuilder().setId(id).build());
  }

  /** Waits, on the channel's state-change signal, until it is no longer READY. */
  private static void awaitNotReady(ManagedChannel channel) throws InterruptedException {
    ConnectivityState state = channel.getState(false);
    while (state == ConnectivityState.READY) {
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      assertTrue(changed.await(30, TimeUnit.SECONDS), "the channel stayed READY after GOAWAY");
      state = channel.getState(false);
    }
  }
}
