package dev.tern.spring;

import dev.tern.metrics.MetricsInterceptors;
import dev.tern.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Records gRFC A66 call metrics ({@code grpc.server.call.*}, {@code grpc.client.*}) into the
 * application's {@link MeterRegistry} through tern-metrics-micrometer, when both are on the
 * classpath. The registry is looked up when the server and channels are built, so the order of
 * auto-configurations does not matter; without a registry bean nothing is recorded.
 */
@AutoConfiguration
@ConditionalOnClass({MeterRegistry.class, MicrometerMetrics.class})
public class TernMetricsAutoConfiguration {

  @Bean
  public TernServerCustomizer ternServerMetrics(ObjectProvider<MeterRegistry> registry) {
    return builder -> registry.ifUnique(r ->
        builder.addStreamTracerFactory(
            MetricsInterceptors.serverStreamTracerFactory(new MicrometerMetrics(r))));
  }

  @Bean
  public TernChannelCustomizer ternClientMetrics(ObjectProvider<MeterRegistry> registry) {
    return (name, builder) -> registry.ifUnique(r ->
        builder.intercept(MetricsInterceptors.client(new MicrometerMetrics(r))));
  }
}
