package dev.tern.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class TernMetricsAutoConfigurationTest {
  private static final String METHOD = "tern.examples.Greeter/SayHello";

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TernServerAutoConfiguration.class,
          TernClientAutoConfiguration.class, TernMetricsAutoConfiguration.class))
      .withUserConfiguration(Registry.class);

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    SimpleMeterRegistry registry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void serverAndClientCallsAreRecordedInTheMeterRegistry() {
    runner.withUserConfiguration(Greeters.Served.class).withPropertyValues("tern.server.port=0")
        .run(server -> runner
            .withPropertyValues("tern.server.enabled=false",
                "tern.client.greeter.target=127.0.0.1:" + Greeters.port(server),
                "tern.client.greeter.plaintext=true")
            .run(client -> {
              Greeters.sayHello(client.getBean(TernChannels.class).get("greeter"), "Ada");

              // The client records the call before its listener (the blocking stub) hears of
              // the end; the server counts a call as started before its handler runs.
              Timer clientDuration = client.getBean(SimpleMeterRegistry.class)
                  .find("grpc.client.call.duration").tag("grpc.method", METHOD).timer();
              assertNotNull(clientDuration,
                  () -> client.getBean(SimpleMeterRegistry.class).getMetersAsString());
              assertEquals(1, clientDuration.count());
              Counter serverStarted = server.getBean(SimpleMeterRegistry.class)
                  .find("grpc.server.call.started").tag("grpc.method", METHOD).counter();
              assertNotNull(serverStarted,
                  () -> server.getBean(SimpleMeterRegistry.class).getMetersAsString());
              assertEquals(1.0, serverStarted.count());
            }));
  }
}
