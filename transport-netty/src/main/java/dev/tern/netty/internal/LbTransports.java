package dev.tern.netty.internal;

import dev.tern.CallOptions;
import dev.tern.ConnectivityState;
import dev.tern.LoadBalancer;
import dev.tern.LoadBalancerProvider;
import dev.tern.MethodDescriptor;
import dev.tern.NameResolver;
import dev.tern.Status;
import dev.tern.internal.SerializingExecutor;
import dev.tern.internal.ServiceConfig;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A channel's calls over a name resolver and a load balancer: the resolver's endpoints and
 * service config go to the policy the config names (default {@code pick_first}); the policy's
 * {@link LoadBalancer.SubchannelPicker} chooses a subchannel (its own
 * {@link ClientConnectionManager}) for each attempt, so retries and transparent retries pick
 * again. A call whose pick finds nothing READY waits for the next picker; one that gets an error
 * fails with it unless it is wait-for-ready. The channel's state is the policy's
 * (grpc doc/connectivity-semantics-and-api.md).
 *
 * <p>Thread-safe: resolver results, subchannel state changes and every policy call run in one
 * serialized context ({@link #sync}); picks run on the calling thread against the current
 * picker; the waiting picks, state and watchers are guarded by {@link #lock}.
 */
public final class LbTransports implements ChannelTransports {
  private static final System.Logger LOG = System.getLogger(LbTransports.class.getName());

  /** Makes one subchannel's connection manager for one address. */
  public interface ConnectionFactory {
    ClientConnectionManager create(SocketAddress address);
  }

  /** A call waiting for a picker that can serve it. */
  private record Waiter(LoadBalancer.PickArgs args, CompletableFuture<ClientHandler> future) {}

  private final Executor sync = new SerializingExecutor(Runnable::run);
  private final NameResolver resolver;
  private final Map<String, LoadBalancerProvider> policies;
  private final ServiceConfig defaultConfig;
  private final boolean configFromResolver;
  private final ConnectionFactory connections;
  private final HealthChecks health;
  private final ScheduledExecutorService scheduler;
  private final Executor callbackExecutor;
  private final Object lock = new Object();
  private final CountDownLatch terminated = new CountDownLatch(1);

  // Guarded by lock.
  private final List<Waiter> waiters = new ArrayList<>();
  private List<Runnable> stateWatchers = new ArrayList<>();
  private ConnectivityState state = ConnectivityState.IDLE;
  private boolean started;
  private boolean shutdown;
  private final java.util.Set<ClientConnectionManager> managers = new java.util.HashSet<>();
  private volatile LoadBalancer.SubchannelPicker picker = args -> LoadBalancer.PickResult.withNoResult();

  // Only in the sync context.
  private LoadBalancer balancer;
  private String policyName;
  private volatile ServiceConfig serviceConfig;

  public LbTransports(NameResolver resolver, Map<String, LoadBalancerProvider> policies,
      ServiceConfig defaultConfig, boolean configFromResolver, ConnectionFactory connections,
      HealthChecks health, ScheduledExecutorService scheduler, Executor callbackExecutor) {
    this.resolver = resolver;
    this.policies = policies;
    this.defaultConfig = defaultConfig;
    this.serviceConfig = defaultConfig;
    this.configFromResolver = configFromResolver;
    this.connections = connections;
    this.health = health;
    this.scheduler = scheduler;
    this.callbackExecutor = callbackExecutor;
  }

  /** The service config in force: the resolver's (when enabled and valid) or the default. */
  public ServiceConfig serviceConfig() {
    return serviceConfig;
  }

  // ---------------------------------------------------------------- picking

  @Override
  public CompletableFuture<ClientHandler> transport(MethodDescriptor<?, ?> method,
      CallOptions options) {
    LoadBalancer.PickArgs args = new LoadBalancer.PickArgs(method.getFullMethodName(), options);
    while (true) {
      LoadBalancer.SubchannelPicker current = picker;
      CompletableFuture<ClientHandler> done = tryPick(current, args);
      if (done != null) {
        return done;
      }
      boolean exitIdle;
      CompletableFuture<ClientHandler> future;
      synchronized (lock) {
        if (shutdown) {
          return shutDownFuture();
        }
        if (current != picker) {
          continue; // a new picker arrived meanwhile: try it
        }
        if (waiters.size() >= 32) {
          waiters.removeIf(w -> w.future.isDone());
        }
        future = new CompletableFuture<>();
        waiters.add(new Waiter(args, future));
        exitIdle = !started;
        started = true;
      }
      if (exitIdle) {
        sync.execute(this::start);
      }
      return future;
    }
  }

  /** The call's transport by {@code p}, a failure, or null to wait for the next picker. */
  private static CompletableFuture<ClientHandler> tryPick(LoadBalancer.SubchannelPicker p,
      LoadBalancer.PickArgs args) {
    LoadBalancer.PickResult r = p.pick(args);
    if (r.subchannel() instanceof SubchannelImpl sc) {
      ClientHandler h = sc.readyTransport();
      return h != null ? CompletableFuture.completedFuture(h) : null;
    }
    if (!r.status().isOk() && !args.callOptions().isWaitForReady()) {
      return CompletableFuture.failedFuture(r.status().asRuntimeException());
    }
    return null;
  }

  private static CompletableFuture<ClientHandler> shutDownFuture() {
    return CompletableFuture.failedFuture(
        Status.UNAVAILABLE.withDescription("Channel shut down").asRuntimeException());
  }

  /** Publishes the policy's state and picker, and gives the waiting calls to the new picker. */
  private void update(ConnectivityState newState, LoadBalancer.SubchannelPicker newPicker) {
    List<Waiter> retry;
    List<Runnable> watchers = null;
    synchronized (lock) {
      if (shutdown) {
        return;
      }
      picker = newPicker;
      if (state != newState) {
        state = newState;
        if (!stateWatchers.isEmpty()) {
          watchers = stateWatchers;
          stateWatchers = new ArrayList<>();
        }
      }
      retry = new ArrayList<>(waiters);
      waiters.clear();
    }
    List<Waiter> still = new ArrayList<>();
    for (Waiter w : retry) {
      if (w.future.isDone()) {
        continue;
      }
      CompletableFuture<ClientHandler> r = tryPick(newPicker, w.args);
      if (r == null) {
        still.add(w);
      } else {
        r.whenComplete((h, t) -> {
          if (t != null) {
            w.future.completeExceptionally(t);
          } else {
            w.future.complete(h);
          }
        });
      }
    }
    synchronized (lock) {
      if (shutdown) {
        failAll(still);
      } else {
        waiters.addAll(still); // updates run one at a time: the next one re-picks them
      }
    }
    if (watchers != null) {
      for (Runnable r : watchers) {
        runCallback(r);
      }
    }
  }

  // ---------------------------------------------------------------- resolution

  private void start() {
    resolver.start(new NameResolver.Listener() {
      @Override
      public void onResult(NameResolver.Result result) {
        sync.execute(() -> handleResult(result));
      }

      @Override
      public void onError(Status error) {
        sync.execute(() -> handleError(error));
      }
    });
  }

  private void handleResult(NameResolver.Result result) {
    if (isShutdown()) {
      return;
    }
    if (result.endpoints().isEmpty()) {
      handleError(Status.UNAVAILABLE.withDescription("resolver found no address"));
      return;
    }
    ServiceConfig config = serviceConfig;
    if (configFromResolver) {
      if (result.serviceConfigJson() == null) {
        config = defaultConfig;
      } else {
        try {
          config = ServiceConfig.parse(result.serviceConfigJson());
        } catch (IllegalArgumentException e) {
          // gRFC A2: a bad config from the name system keeps the last good one.
          LOG.log(System.Logger.Level.WARNING, "Ignoring the resolver's service config: {0}",
              e.getMessage());
        }
      }
    }
    serviceConfig = config;
    ServiceConfig.LbConfig lb = config.selectLoadBalancingConfig(policies::containsKey);
    String name = lb == null ? "pick_first" : lb.policyName();
    LoadBalancerProvider provider = policies.get(name);
    Object parsed;
    try {
      parsed = provider.parseConfig(lb == null ? Map.of() : lb.config());
    } catch (IllegalArgumentException e) {
      LOG.log(System.Logger.Level.WARNING, "Bad {0} config, using defaults: {1}", name,
          e.getMessage());
      parsed = provider.parseConfig(Map.of());
    }
    if (balancer == null || !name.equals(policyName)) {
      if (balancer != null) {
        balancer.shutdown();
      }
      policyName = name;
      balancer = provider.newLoadBalancer(new Helper());
    }
    balancer.acceptResolvedAddresses(new LoadBalancer.ResolvedAddresses(result.endpoints(),
        parsed, config.healthCheckServiceName(), result.attributes()));
  }

  private void handleError(Status error) {
    if (isShutdown()) {
      return;
    }
    if (balancer != null) {
      balancer.handleNameResolutionError(error);
    } else {
      LoadBalancer.PickResult r = LoadBalancer.PickResult.withError(error);
      update(ConnectivityState.TRANSIENT_FAILURE, args -> r);
    }
  }

  /** The policy's view of the channel. */
  private final class Helper extends LoadBalancer.Helper {
    @Override
    public LoadBalancer.Subchannel createSubchannel(LoadBalancer.CreateSubchannelArgs args) {
      ClientConnectionManager manager = connections.create(args.addresses().get(0));
      synchronized (lock) {
        managers.add(manager);
      }
      manager.terminationFuture().whenComplete((v, t) -> subchannelTerminated(manager));
      return new SubchannelImpl(args.addresses(), manager, sync,
          args.healthCheckServiceName() == null ? null
              : health.newCheck(manager, args.healthCheckServiceName()));
    }

    @Override
    public void updateBalancingState(ConnectivityState newState,
        LoadBalancer.SubchannelPicker newPicker) {
      if (this.isCurrent()) {
        update(newState, newPicker);
      }
    }

    private boolean isCurrent() {
      return !isShutdown();
    }

    @Override
    public void refreshNameResolution() {
      resolver.refresh();
    }

    @Override
    public ScheduledExecutorService scheduler() {
      return scheduler;
    }

    @Override
    public void execute(Runnable task) {
      sync.execute(task);
    }
  }

  // ---------------------------------------------------------------- connectivity state API

  public ConnectivityState getState(boolean requestConnection) {
    boolean exitIdle = false;
    ConnectivityState s;
    synchronized (lock) {
      s = state;
      if (requestConnection && s == ConnectivityState.IDLE) {
        exitIdle = !started;
        started = true;
        if (!exitIdle) {
          sync.execute(() -> {
            if (balancer != null) {
              balancer.requestConnection();
            }
          });
        }
      }
    }
    if (exitIdle) {
      sync.execute(this::start);
    }
    return s;
  }

  public void notifyWhenStateChanged(ConnectivityState source, Runnable callback) {
    synchronized (lock) {
      if (state == source) {
        stateWatchers.add(callback);
        return;
      }
    }
    runCallback(callback);
  }

  // ---------------------------------------------------------------- shutdown

  public void shutdown(boolean now) {
    List<Waiter> failed;
    List<Runnable> watchers;
    synchronized (lock) {
      if (shutdown) {
        return;
      }
      shutdown = true;
      state = ConnectivityState.SHUTDOWN;
      watchers = stateWatchers;
      stateWatchers = new ArrayList<>();
      failed = new ArrayList<>(waiters);
      waiters.clear();
    }
    failAll(failed);
    sync.execute(() -> {
      resolver.shutdown();
      if (balancer != null) {
        balancer.shutdown(); // shuts its subchannels down gracefully
        balancer = null;
      }
      List<ClientConnectionManager> all;
      synchronized (lock) {
        all = new ArrayList<>(managers);
      }
      for (ClientConnectionManager m : all) {
        m.shutdown(now);
      }
      checkTerminated();
    });
    for (Runnable r : watchers) {
      runCallback(r);
    }
  }

  private static void failAll(List<Waiter> failed) {
    Status status = Status.UNAVAILABLE.withDescription("Channel shut down");
    for (Waiter w : failed) {
      w.future.completeExceptionally(status.asRuntimeException());
    }
  }

  private boolean isShutdown() {
    synchronized (lock) {
      return shutdown;
    }
  }

  private void subchannelTerminated(ClientConnectionManager manager) {
    synchronized (lock) {
      managers.remove(manager);
    }
    checkTerminated();
  }

  private void checkTerminated() {
    synchronized (lock) {
      if (shutdown && managers.isEmpty()) {
        terminated.countDown();
      }
    }
  }

  public boolean isTerminated() {
    return terminated.getCount() == 0;
  }

  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, unit);
  }

  private void runCallback(Runnable callback) {
    callbackExecutor.execute(() -> {
      try {
        callback.run();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "State listener threw", e);
      }
    });
  }
}
