package dev.tern.netty.internal;

import java.util.concurrent.ScheduledExecutorService;

/** Makes a channel's {@link HealthCheck}s. Immutable. */
public final class HealthChecks {
  private final ClientSettings settings;
  private final ScheduledExecutorService scheduler;

  public HealthChecks(ClientSettings settings, ScheduledExecutorService scheduler) {
    this.settings = settings;
    this.scheduler = scheduler;
  }

  HealthCheck newCheck(ClientConnectionManager manager, String service) {
    return new HealthCheck(manager, service, settings, scheduler);
  }
}
