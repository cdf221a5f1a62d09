package dev.tern.spring;

import dev.tern.netty.TernChannel;

/**
 * A bean that adjusts each auto-configured channel's builder after its
 * {@code tern.client.NAME.*} properties are applied. Customizers run in {@code @Order}.
 */
@FunctionalInterface
public interface TernChannelCustomizer {
  void customize(String name, TernChannel.Builder builder);
}
