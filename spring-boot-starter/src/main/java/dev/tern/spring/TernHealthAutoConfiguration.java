package dev.tern.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Tern's serving status in Spring's health (the actuator's {@code /actuator/health} component
 * {@code tern}): UP while serving, OUT_OF_SERVICE while readiness refuses traffic, DOWN before
 * start and from shutdown on.
 */
@AutoConfiguration(after = TernServerAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(TernServerLifecycle.class)
public class TernHealthAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "ternHealthIndicator")
  public HealthIndicator ternHealthIndicator(TernServerLifecycle lifecycle) {
    return () -> switch (lifecycle.state()) {
      case SERVING -> Health.up().withDetail("port", lifecycle.port()).build();
      case REFUSING -> Health.outOfService().withDetail("port", lifecycle.port()).build();
      case NEW, STOPPED -> Health.down().build();
    };
  }
}
