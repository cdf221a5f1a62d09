package dev.tern.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.examples.GreeterTern;
import dev.tern.examples.HelloReply;
import dev.tern.examples.HelloRequest;
import dev.tern.netty.TernChannel;
import dev.tern.services.health.v1.HealthCheckRequest;
import dev.tern.services.health.v1.HealthCheckResponse;
import dev.tern.services.health.v1.HealthCheckResponse.ServingStatus;
import dev.tern.services.health.v1.HealthTern;
import dev.tern.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Closing the context (what SIGTERM does) reports NOT_SERVING, then drains calls in flight. */
class TernServerDrainTest {
  /** A greeter whose SayHello answers only once the test releases it. */
  static final class HeldGreeter extends GreeterTern.GreeterImplBase {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void sayHello(HelloRequest request, StreamObserver<HelloReply> responseObserver) {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      responseObserver.onNext(HelloReply.newBuilder().setMessage("late " + request.getName())
          .build());
      responseObserver.onCompleted();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Held {
    @Bean
    @TernService
    HeldGreeter greeter() {
      return new HeldGreeter();
    }
  }

  @Test
  void closeReportsNotServingWhileTheCallInFlightFinishes() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TernServerAutoConfiguration.class,
            TernHealthAutoConfiguration.class))
        .withPropertyValues("tern.server.port=0", "tern.server.shutdown-grace-period=60s")
        .withUserConfiguration(Held.class)
        .run(context -> {
          HeldGreeter greeter = context.getBean(HeldGreeter.class);
          TernServerLifecycle lifecycle = context.getBean(TernServerLifecycle.class);
          HealthIndicator indicator =
              context.getBean("ternHealthIndicator", HealthIndicator.class);
          TernChannel channel = Greeters.channelTo(context);
          try {
            BlockingQueue<Object> watched = new LinkedBlockingQueue<>();
            HealthTern.newStub(channel).watch(
                HealthCheckRequest.newBuilder().setService("").build(), queueing(watched));
            assertEquals(ServingStatus.SERVING, take(watched));

            CompletableFuture<HelloReply> inFlight = GreeterTern.newFutureStub(channel)
                .sayHello(HelloRequest.newBuilder().setName("Ada").build());
            assertTrue(greeter.entered.await(30, TimeUnit.SECONDS));

            CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
            assertEquals(ServingStatus.NOT_SERVING, take(watched));
            assertEquals("completed", take(watched));
            assertEquals("DOWN", indicator.health().getStatus().getCode());

            greeter.release.countDown();
            assertEquals("late Ada", inFlight.get(30, TimeUnit.SECONDS).getMessage());
            closed.get(30, TimeUnit.SECONDS);
            assertTrue(lifecycle.server().isTerminated());
          } finally {
            greeter.release.countDown();
            channel.shutdownNow();
            channel.awaitTermination(10, TimeUnit.SECONDS);
          }
        });
  }

  private static StreamObserver<HealthCheckResponse> queueing(BlockingQueue<Object> queue) {
    return new StreamObserver<>() {
      @Override
      public void onNext(HealthCheckResponse value) {
        queue.add(value.getStatus());
      }

      @Override
      public void onError(Throwable t) {
        queue.add(t);
      }

      @Override
      public void onCompleted() {
        queue.add("completed");
      }
    };
  }

  private static Object take(BlockingQueue<Object> queue) throws InterruptedException {
    Object next = queue.poll(30, TimeUnit.SECONDS);
    if (next == null) {
      throw new AssertionError("nothing arrived in 30 s");
    }
    return next;
  }
}
