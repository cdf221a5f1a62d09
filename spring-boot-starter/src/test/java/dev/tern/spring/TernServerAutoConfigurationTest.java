package dev.tern.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.examples.GreeterService;
import dev.tern.netty.TernChannel;
import dev.tern.services.health.v1.HealthCheckRequest;
import dev.tern.services.health.v1.HealthCheckResponse.ServingStatus;
import dev.tern.services.health.v1.HealthTern;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

class TernServerAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TernServerAutoConfiguration.class,
          TernClientAutoConfiguration.class, TernHealthAutoConfiguration.class,
          TernMetricsAutoConfiguration.class))
      .withPropertyValues("tern.server.port=0", "tern.server.shutdown-grace-period=10s");

  @Configuration(proxyBeanMethods = false)
  static class GreeterDefinition {
    @Bean
    ServerServiceDefinition greeterDefinition() {
      return new GreeterService().bindService();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class RecordingInterceptors {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @Bean
    @Order(2)
    ServerInterceptor inner() {
      return recording("inner");
    }

    @Bean
    @Order(1)
    ServerInterceptor outer() {
      return recording("outer");
    }

    private static ServerInterceptor recording(String name) {
      return new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
            Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          SEEN.add(name);
          return next.startCall(call, headers);
        }
      };
    }
  }

  @Test
  void servesTernServiceBeansOnAFreePort() {
    runner.withUserConfiguration(Greeters.Served.class).run(context -> {
      assertTrue(Greeters.port(context) > 0);
      assertEquals("Hello, Ada!", Greeters.sayHello(context, "Ada"));
    });
  }

  @Test
  void servesServerServiceDefinitionBeans() {
    runner.withUserConfiguration(GreeterDefinition.class).run(context ->
        assertEquals("Hello, Ada!", Greeters.sayHello(context, "Ada")));
  }

  @Test
  void appliesServerInterceptorBeansInOrderFirstOutermost() {
    RecordingInterceptors.SEEN.clear();
    runner.withUserConfiguration(Greeters.Served.class, RecordingInterceptors.class)
        .run(context -> {
          Greeters.sayHello(context, "Ada");
          assertEquals(List.of("outer", "inner"), RecordingInterceptors.SEEN);
        });
  }

  @Test
  void servesHealthSERVINGByDefault() {
    runner.withUserConfiguration(Greeters.Served.class).run(context -> {
      assertEquals(ServingStatus.SERVING, check(context));
      HealthIndicator indicator = context.getBean("ternHealthIndicator", HealthIndicator.class);
      assertEquals("UP", indicator.health().getStatus().getCode());
    });
  }

  @Test
  void healthServiceCanBeTurnedOff() {
    runner.withUserConfiguration(Greeters.Served.class)
        .withPropertyValues("tern.server.health.enabled=false").run(context -> {
          StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
              () -> check(context));
          assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        });
  }

  @Test
  void readinessRefusingTrafficReportsNotServing() {
    runner.withUserConfiguration(Greeters.Served.class).run(context -> {
      HealthIndicator indicator = context.getBean("ternHealthIndicator", HealthIndicator.class);
      AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
      assertEquals(ServingStatus.NOT_SERVING, check(context));
      assertEquals("OUT_OF_SERVICE", indicator.health().getStatus().getCode());
      AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
      assertEquals(ServingStatus.SERVING, check(context));
      assertEquals("UP", indicator.health().getStatus().getCode());
    });
  }

  @Test
  void virtualThreadsOnAnOlderJdkFailStartupNamingJdk21() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() < 21,
        "this JDK has virtual threads");
    runner.withUserConfiguration(Greeters.Served.class)
        .withPropertyValues("tern.server.executor=virtual").run(context -> {
          Throwable failure = context.getStartupFailure();
          assertInstanceOf(Throwable.class, failure);
          assertTrue(rootMessage(failure).contains("21"), () -> rootMessage(failure));
        });
  }

  @Test
  void tlsWithoutAPrivateKeyFailsStartupNamingBoth() {
    runner.withUserConfiguration(Greeters.Served.class)
        .withPropertyValues("tern.server.tls.certificate-chain=/nonexistent.pem").run(context -> {
          Throwable failure = context.getStartupFailure();
          assertInstanceOf(Throwable.class, failure);
          assertTrue(rootMessage(failure).contains("private-key"), () -> rootMessage(failure));
        });
  }

  static ServingStatus check(ApplicationContext context) throws InterruptedException {
    TernChannel channel = Greeters.channelTo(context);
    try {
      return HealthTern.newBlockingStub(channel)
          .check(HealthCheckRequest.newBuilder().setService("").build()).getStatus();
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
