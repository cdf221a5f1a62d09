package dev.tern.spring;

import dev.tern.netty.TernServer;
import dev.tern.services.HealthStatusManager;
import dev.tern.services.health.v1.HealthCheckResponse.ServingStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;

/**
 * Starts the {@link TernServer} with the application context and drains it when the context
 * closes (SIGTERM included, through Spring Boot's shutdown hook): health goes NOT_SERVING first so
 * that health-checking clients move away, then the server sends GOAWAY and lets calls in flight
 * finish within the grace period, then cancels what is left. Tern's health also follows the
 * application's readiness (REFUSING_TRAFFIC reports NOT_SERVING).
 *
 * <p>Thread-safe: the context's thread starts and stops it, readiness events and health reads
 * come from any thread; the state is guarded by this object's monitor.
 */
public final class TernServerLifecycle
    implements SmartLifecycle, ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {
  /** The environment property holding the bound port (useful with {@code tern.server.port=0}). */
  public static final String LOCAL_PORT_PROPERTY = "local.tern.server.port";

  /**
   * Stopped before the default phase (higher phases stop first), like Spring Boot's own web
   * server graceful shutdown: the server drains while the beans its handlers use still run.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  /** The server's serving state; the one source of what health reports. */
  public enum State {
    /** Not started yet. */
    NEW,
    /** Started and accepting calls. */
    SERVING,
    /** Started, but the application refuses traffic (readiness): health says NOT_SERVING. */
    REFUSING,
    /** Shutting down or stopped: NOT_SERVING for good. */
    STOPPED
  }

  private final TernServer server;
  private final HealthStatusManager health;
  private final Duration gracePeriod;
  private final ConfigurableEnvironment environment;
  private State state = State.NEW;

  public TernServerLifecycle(TernServer server, HealthStatusManager health, Duration gracePeriod,
      ConfigurableEnvironment environment) {
    this.server = server;
    this.health = health;
    this.gracePeriod = gracePeriod;
    this.environment = environment;
  }

  @Override
  public synchronized void start() {
    if (state != State.NEW) {
      return;
    }
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Tern server failed to start: " + e.getMessage(), e);
    }
    state = State.SERVING;
    MutablePropertySources sources = environment.getPropertySources();
    sources.remove("tern.server.ports");
    sources.addFirst(new MapPropertySource("tern.server.ports",
        Map.of(LOCAL_PORT_PROPERTY, server.port())));
  }

  @Override
  public void stop() {
    synchronized (this) {
      if (state == State.NEW || state == State.STOPPED) {
        state = State.STOPPED;
        return;
      }
      state = State.STOPPED;
    }
    // NOT_SERVING before GOAWAY (grpc doc/health-checking.md): watchers learn it and their
    // Watch calls end, so they do not hold the drain open.
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(gracePeriod.toNanos(), TimeUnit.NANOSECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return state == State.SERVING || state == State.REFUSING;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
    ServingStatus status;
    synchronized (this) {
      if (state == State.NEW || state == State.STOPPED) {
        return;
      }
      state = event.getState() == ReadinessState.ACCEPTING_TRAFFIC
          ? State.SERVING : State.REFUSING;
      status = state == State.SERVING ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
  }

  /** The current state, for health indicators. */
  public synchronized State state() {
    return state;
  }

  /** The bound port; the server must be started. */
  public int port() {
    return server.port();
  }

  /** The server this lifecycle runs. */
  public TernServer server() {
    return server;
  }
}
