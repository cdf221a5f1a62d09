package dev.tern.spring;

import dev.tern.netty.TernServer;

/**
 * A bean that adjusts the auto-configured server's builder after the {@code tern.server.*}
 * properties are applied (for options the properties do not cover). Customizers run in
 * {@code @Order}.
 */
@FunctionalInterface
public interface TernServerCustomizer {
  void customize(TernServer.Builder builder);
}
