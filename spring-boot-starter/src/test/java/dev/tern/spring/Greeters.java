package dev.tern.spring;

import dev.tern.examples.GreeterService;
import dev.tern.examples.GreeterTern;
import dev.tern.examples.HelloReply;
import dev.tern.examples.HelloRequest;
import dev.tern.netty.TernChannel;
import java.util.concurrent.TimeUnit;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Test helpers: the Greeter as a bean, a plaintext channel to a context's server, and one call over it. */
final class Greeters {
  private Greeters() {}

  /** The example Greeter as a {@code @TernService} bean. */
  @Configuration(proxyBeanMethods = false)
  static class Served {
    @Bean
    @TernService
    GreeterService greeter() {
      return new GreeterService();
    }
  }

  static int port(ApplicationContext context) {
    return context.getEnvironment()
        .getRequiredProperty(TernServerLifecycle.LOCAL_PORT_PROPERTY, Integer.class);
  }

  static TernChannel channelTo(ApplicationContext context) {
    return TernChannel.builder().forAddress("127.0.0.1", port(context)).usePlaintext().build();
  }

  /** SayHello(name) over a fresh channel, which is shut down afterwards. */
  static String sayHello(ApplicationContext context, String name) throws InterruptedException {
    TernChannel channel = channelTo(context);
    try {
      return sayHello(channel, name);
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  static String sayHello(TernChannel channel, String name) {
    HelloReply reply = GreeterTern.newBlockingStub(channel)
        .sayHello(HelloRequest.newBuilder().setName(name).build());
    return reply.getMessage();
  }
}
