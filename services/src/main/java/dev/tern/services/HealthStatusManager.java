package dev.tern.services;

import dev.tern.ServerServiceDefinition;
import dev.tern.services.health.v1.HealthCheckResponse.ServingStatus;
import dev.tern.services.health.v1.HealthTern;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The serving status of a server's services, published as the standard
 * {@code grpc.health.v1.Health} service (grpc doc/health-checking.md) that load balancers,
 * Kubernetes gRPC probes and {@code grpc_health_probe} query.
 *
 * <pre>{@code
 * HealthStatusManager health = new HealthStatusManager();
 * TernServer server = TernServer.builder().port(8080)
 *     .addService(greeter)
 *     .addService(health.getHealthService())
 *     .build().start();
 * health.setStatus("helloworld.Greeter", ServingStatus.SERVING);
 * // on SIGTERM: report NOT_SERVING first, so balancers stop sending, then drain
 * health.enterTerminalState();
 * server.shutdown();
 * }</pre>
 *
 * <p>The whole server is the service named {@code ""} ({@link #SERVICE_NAME_ALL_SERVICES}),
 * SERVING from the start. Thread-safe: every method may be called from any thread; watchers are
 * told of changes outside the manager's lock.
 */
public final class HealthStatusManager {
  /** The name under which the server as a whole reports its health. */
  public static final String SERVICE_NAME_ALL_SERVICES = "";

  private final Object lock = new Object();
  private final Map<String, ServingStatus> statuses = new HashMap<>();
  private final Map<String, Set<HealthWatcher>> watchers = new HashMap<>();
  private final ServerServiceDefinition service;
  /** Orders updates, so a watcher told of two changes out of order keeps the later one. */
  private long version;
  private boolean terminal;

  public HealthStatusManager() {
    statuses.put(SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    service = HealthTern.bindService(new HealthServiceImpl(this));
  }

  /** The {@code grpc.health.v1.Health} service to register on the server (the same each time). */
  public ServerServiceDefinition getHealthService() {
    return service;
  }

  /**
   * Sets a service's status; watchers of it are told. Ignored after
   * {@link #enterTerminalState()}.
   *
   * @param status SERVING, NOT_SERVING or UNKNOWN (SERVICE_UNKNOWN is what Watch reports for a
   *     service that has no status; use {@link #clearStatus} for that)
   */
  public void setStatus(String service, ServingStatus status) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(status, "status");
    if (status == ServingStatus.SERVICE_UNKNOWN || status == ServingStatus.UNRECOGNIZED) {
      throw new IllegalArgumentException(status + " is not a status a service can be set to");
    }
    update(service, status);
  }

  /**
   * Forgets a service: Check answers NOT_FOUND for it and watchers see SERVICE_UNKNOWN. Ignored
   * after {@link #enterTerminalState()}.
   */
  public void clearStatus(String service) {
    Objects.requireNonNull(service, "service");
    update(service, null);
  }

  /**
   * Marks every known service, the server included, NOT_SERVING for good: later
   * {@link #setStatus} and {@link #clearStatus} calls are ignored. Call it when the server starts
   * shutting down, before {@code shutdown()}, so that health-checking clients move away while the
   * calls in flight drain. Every Watch call gets its last status and then ends with OK (as does
   * any Watch started afterwards): a Watch never ends on its own, and an open one would hold the
   * graceful shutdown until its grace period ran out. Clients retry an ended Watch (grpc
   * doc/health-checking.md), by then on another server.
   */
  public void enterTerminalState() {
    List<Runnable> endings = new ArrayList<>();
    synchronized (lock) {
      if (terminal) {
        return;
      }
      terminal = true;
      statuses.replaceAll((service, status) -> ServingStatus.NOT_SERVING);
      long v = ++version;
      for (Map.Entry<String, Set<HealthWatcher>> e : watchers.entrySet()) {
        ServingStatus s = statuses.getOrDefault(e.getKey(), ServingStatus.SERVICE_UNKNOWN);
        for (HealthWatcher w : e.getValue()) {
          endings.add(() -> w.end(v, s));
        }
      }
      watchers.clear();
    }
    endings.forEach(Runnable::run);
  }

  private void update(String service, ServingStatus status) {
    List<Runnable> notifications = new ArrayList<>();
    synchronized (lock) {
      if (terminal) {
        return;
      }
      ServingStatus old = status == null ? statuses.remove(service) : statuses.put(service, status);
      if (old == status) {
        return;
      }
      collect(service, status == null ? ServingStatus.SERVICE_UNKNOWN : status, notifications);
    }
    notifications.forEach(Runnable::run);
  }

  /** Under the lock: stamps the change with the next version and queues its notifications. */
  private void collect(String service, ServingStatus status, List<Runnable> out) {
    long v = ++version;
    Set<HealthWatcher> set = watchers.get(service);
    if (set != null) {
      for (HealthWatcher w : set) {
        out.add(() -> w.offer(v, status));
      }
    }
  }

  /** The status Check reports: null for an unknown service. */
  ServingStatus status(String service) {
    synchronized (lock) {
      return statuses.get(service);
    }
  }

  /** A snapshot of every known service's status, sorted by name. */
  Map<String, ServingStatus> snapshot() {
    synchronized (lock) {
      return new TreeMap<>(statuses);
    }
  }

  /**
   * Registers a watcher and tells it the current status (SERVICE_UNKNOWN if none); in the
   * terminal state, tells it and ends it.
   */
  void addWatcher(String service, HealthWatcher watcher) {
    long v;
    ServingStatus current;
    boolean ended;
    synchronized (lock) {
      ended = terminal;
      if (!ended) {
        watchers.computeIfAbsent(service, k -> new LinkedHashSet<>()).add(watcher);
      }
      v = version;
      current = statuses.getOrDefault(service, ServingStatus.SERVICE_UNKNOWN);
    }
    if (ended) {
      watcher.end(v, current);
    } else {
      watcher.offer(v, current);
    }
  }

  void removeWatcher(String service, HealthWatcher watcher) {
    synchronized (lock) {
      Set<HealthWatcher> set = watchers.get(service);
      if (set != null && set.remove(watcher) && set.isEmpty()) {
        watchers.remove(service);
      }
    }
  }

  /** For tests: how many Watch calls are registered for {@code service}. */
  int watcherCount(String service) {
    synchronized (lock) {
      Set<HealthWatcher> set = watchers.get(service);
      return set == null ? 0 : set.size();
    }
  }
}
