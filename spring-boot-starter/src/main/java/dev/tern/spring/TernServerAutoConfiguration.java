package dev.tern.spring;

import dev.tern.ServerInterceptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.netty.TernServer;
import dev.tern.services.HealthStatusManager;
import dev.tern.services.ProtoReflectionService;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Serves the application's gRPC services on a {@link TernServer} configured from
 * {@code tern.server.*}: {@link TernService} beans and {@link ServerServiceDefinition} beans,
 * with the {@link ServerInterceptor} beans as server-wide interceptors (in {@code @Order}, the
 * first outermost), plus the health and reflection services unless disabled.
 */
@AutoConfiguration
@ConditionalOnClass(TernServer.class)
@ConditionalOnProperty(prefix = "tern.server", name = "enabled", havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(TernServerProperties.class)
public class TernServerAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  public HealthStatusManager ternHealthStatusManager() {
    return new HealthStatusManager();
  }

  @Bean
  @ConditionalOnMissingBean
  public TernServerLifecycle ternServerLifecycle(TernServerProperties properties,
      ApplicationContext context, HealthStatusManager health,
      ObjectProvider<ServerServiceDefinition> definitions,
      ObjectProvider<ServerInterceptor> interceptors,
      ObjectProvider<TernServerCustomizer> customizers, ConfigurableEnvironment environment) {
    TernServer.Builder builder = TernServer.builder();
    applyProperties(properties, builder);
    definitions.orderedStream().forEach(builder::addService);
    for (Object bean : context.getBeansWithAnnotation(TernService.class).values()) {
      builder.addService(bind(bean));
    }
    if (properties.health().enabled()) {
      builder.addService(health.getHealthService());
    }
    ProtoReflectionService reflection = null;
    if (properties.reflection().enabled()) {
      reflection = ProtoReflectionService.create();
      builder.addService(reflection.v1()).addService(reflection.v1alpha());
    }
    interceptors.orderedStream().forEach(builder::intercept);
    customizers.orderedStream().forEach(c -> c.customize(builder));
    TernServer server = builder.build();
    if (reflection != null) {
      reflection.bindTo(server::getServices);
    }
    return new TernServerLifecycle(server, health, properties.shutdownGracePeriod(),
        environment);
  }

  static void applyProperties(TernServerProperties p, TernServer.Builder builder) {
    if (p.address() != null) {
      builder.address(new InetSocketAddress(p.address(), p.port()));
    } else {
      builder.port(p.port());
    }
    if (p.maxInboundMessageSize() != null) {
      builder.maxInboundMessageSize(Math.toIntExact(p.maxInboundMessageSize().toBytes()));
    }
    if (p.maxConcurrentStreams() != null) {
      builder.maxConcurrentStreams(p.maxConcurrentStreams());
    }
    if (p.keepaliveTime() != null) {
      builder.keepAliveTime(p.keepaliveTime().toNanos(), TimeUnit.NANOSECONDS);
    }
    if (p.keepaliveTimeout() != null) {
      builder.keepAliveTimeout(p.keepaliveTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    if (p.maxConnectionAge() != null) {
      builder.maxConnectionAge(p.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS);
    }
    if (p.maxConnectionIdle() != null) {
      builder.maxConnectionIdle(p.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS);
    }
    TernServerProperties.Tls tls = p.tls();
    if (tls != null && (tls.certificateChain() != null || tls.privateKey() != null)) {
      if (tls.certificateChain() == null || tls.privateKey() == null) {
        throw new IllegalArgumentException("tern.server.tls needs both certificate-chain and"
            + " private-key (PEM files)");
      }
      builder.useTransportSecurity(tls.certificateChain().toFile(), tls.privateKey().toFile());
    }
    switch (p.executor()) {
      case DIRECT -> builder.directExecutor();
      case VIRTUAL -> builder.useVirtualThreads();
      case POOL -> { }
      default -> throw new AssertionError(p.executor());
    }
  }

  /** The definition a {@link TernService} bean binds through its {@code bindService()}. */
  static ServerServiceDefinition bind(Object bean) {
    Method method;
    try {
      method = bean.getClass().getMethod("bindService");
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("@TernService " + bean.getClass().getName()
          + " has no public bindService() method: extend a generated ImplBase class", e);
    }
    if (!ServerServiceDefinition.class.isAssignableFrom(method.getReturnType())) {
      throw new IllegalStateException("@TernService " + bean.getClass().getName()
          + ": bindService() does not return a ServerServiceDefinition");
    }
    try {
      return (ServerServiceDefinition) method.invoke(bean);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("@TernService " + bean.getClass().getName()
          + ": bindService() failed", e);
    }
  }
}
