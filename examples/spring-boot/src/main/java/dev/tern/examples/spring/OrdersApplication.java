package dev.tern.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The orders application: {@link OrderLookupService} over gRPC on {@code tern.server.port}, the
 * same orders as JSON ({@link OrdersController}) and the actuator over HTTP on
 * {@code server.port}. Configuration is in {@code application.properties}.
 */
@SpringBootApplication
public class OrdersApplication {
  /** Runs until SIGTERM (or Ctrl-C), which drains both servers before the JVM exits. */
  public static void main(String[] args) {
    SpringApplication.run(OrdersApplication.class, args);
  }
}
