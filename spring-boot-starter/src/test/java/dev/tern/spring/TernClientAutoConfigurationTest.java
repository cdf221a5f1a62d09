package dev.tern.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.Deadline;
import dev.tern.MethodDescriptor;
import dev.tern.examples.GreeterTern;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class TernClientAutoConfigurationTest {
  private final ApplicationContextRunner server = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TernServerAutoConfiguration.class))
      .withPropertyValues("tern.server.port=0")
      .withUserConfiguration(Greeters.Served.class);
  private final ApplicationContextRunner client = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TernServerAutoConfiguration.class,
          TernClientAutoConfiguration.class))
      .withPropertyValues("tern.server.enabled=false");

  @Configuration(proxyBeanMethods = false)
  static class RecordingClientInterceptor {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @Bean
    ClientInterceptor recording() {
      return new ClientInterceptor() {
        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
            MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
          SEEN.add(method.getFullMethodName() + " deadline=" + (callOptions.getDeadline() != null));
          return next.newCall(method, callOptions);
        }
      };
    }
  }

  @Test
  void channelsFromPropertiesCallTheServerThroughInterceptorBeans() {
    RecordingClientInterceptor.SEEN.clear();
    server.run(serverContext -> client
        .withUserConfiguration(RecordingClientInterceptor.class)
        .withPropertyValues("tern.client.greeter.target=127.0.0.1:" + Greeters.port(serverContext),
            "tern.client.greeter.plaintext=true")
        .run(context -> {
          TernChannels channels = context.getBean(TernChannels.class);
          assertEquals("Hello, Ada!", Greeters.sayHello(channels.get("greeter"), "Ada"));
          assertEquals(List.of("tern.examples.Greeter/SayHello deadline=false"),
              RecordingClientInterceptor.SEEN);
        }));
  }

  @Test
  void defaultDeadlineAppliesOnlyToCallsWithoutOne() {
    List<CallOptions> seen = new CopyOnWriteArrayList<>();
    Channel capture = new Channel() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions options) {
        seen.add(options);
        return null;
      }

      @Override
      public String authority() {
        return "test";
      }
    };
    ClientInterceptor interceptor = TernChannels.defaultDeadline(Duration.ofSeconds(30));
    Deadline own = Deadline.after(1, TimeUnit.HOURS);
    interceptor.interceptCall(GreeterTern.getSayHelloMethod(), CallOptions.DEFAULT, capture);
    interceptor.interceptCall(GreeterTern.getSayHelloMethod(),
        CallOptions.DEFAULT.withDeadline(own), capture);
    long remaining = seen.get(0).getDeadline().timeRemaining(TimeUnit.SECONDS);
    assertTrue(remaining > 0 && remaining <= 30, "remaining " + remaining);
    assertSame(own, seen.get(1).getDeadline());
  }

  @Test
  void channelsShutDownWithTheContext() {
    client.withPropertyValues("tern.client.a.target=127.0.0.1:1", "tern.client.a.plaintext=true")
        .run(context -> {
          TernChannels channels = context.getBean(TernChannels.class);
          context.close();
          assertTrue(channels.get("a").isShutdown());
        });
  }

  @Test
  void anUnknownChannelNameNamesTheConfiguredOnes() {
    client.withPropertyValues("tern.client.a.target=127.0.0.1:1", "tern.client.a.plaintext=true")
        .run(context -> {
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
              () -> context.getBean(TernChannels.class).get("b"));
          assertTrue(e.getMessage().contains("tern.client.b.target"), e.getMessage());
          assertTrue(e.getMessage().contains("[a]"), e.getMessage());
        });
  }

  @Test
  void aChannelWithoutATargetFailsStartup() {
    client.withPropertyValues("tern.client.a.plaintext=true").run(context ->
        assertTrue(TernServerAutoConfigurationTest.rootMessage(context.getStartupFailure())
            .contains("tern.client.a.target is required")));
  }
}
