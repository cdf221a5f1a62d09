package dev.tern.spring;

import dev.tern.ClientInterceptor;
import dev.tern.netty.TernChannel;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Channels as a {@link TernChannels} bean, one per {@code tern.client.NAME.target}, with the
 * {@link ClientInterceptor} beans (in {@code @Order}, the first outermost) on each.
 */
@AutoConfiguration
@ConditionalOnClass(TernChannel.class)
public class TernClientAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public TernChannels ternChannels(Environment environment,
      ObjectProvider<ClientInterceptor> interceptors,
      ObjectProvider<TernChannelCustomizer> customizers) {
    Map<String, TernChannelProperties> properties = Binder.get(environment)
        .bind("tern.client", Bindable.mapOf(String.class, TernChannelProperties.class))
        .orElse(Map.of());
    return TernChannels.build(properties, interceptors.orderedStream().toList(),
        customizers.orderedStream().toList());
  }
}
