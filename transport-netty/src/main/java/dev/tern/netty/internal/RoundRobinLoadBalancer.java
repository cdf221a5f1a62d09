package dev.tern.netty.internal;

import dev.tern.ConnectivityState;
import dev.tern.Endpoint;
import dev.tern.LoadBalancer;
import dev.tern.LoadBalancerProvider;
import dev.tern.Status;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code round_robin} (gRFC A61): one {@code pick_first} child per endpoint, each with its own
 * connection; calls rotate over the children that are READY. A child that goes IDLE reconnects at
 * once. The policy is READY while any child is; otherwise CONNECTING while any child is still
 * trying; otherwise TRANSIENT_FAILURE, which is sticky until a child is READY. With the service
 * config's {@code healthCheckConfig} (gRFC A17), subchannels check their server's health and a
 * NOT_SERVING one counts as TRANSIENT_FAILURE: it leaves the rotation.
 *
 * <p>Thread rules: called only in the channel's serialized LB context (see {@link LoadBalancer}).
 */
final class RoundRobinLoadBalancer extends LoadBalancer {
  /** One endpoint's pick_first and what it last reported. */
  private final class Child extends Helper {
    final LoadBalancer policy;
    ConnectivityState state = ConnectivityState.CONNECTING;
    SubchannelPicker picker = args -> PickResult.withNoResult();
    Status failure = Status.UNAVAILABLE;
    boolean removed;

    Child() {
      this.policy = new PickFirstLoadBalancer(this);
    }

    @Override
    public Subchannel createSubchannel(CreateSubchannelArgs args) {
      return helper.createSubchannel(args);
    }

    @Override
    public void updateBalancingState(ConnectivityState newState, SubchannelPicker newPicker) {
      if (removed) {
        return;
      }
      state = newState;
      picker = newPicker;
      if (newState == ConnectivityState.TRANSIENT_FAILURE) {
        failure = newPicker.pick(null).status();
      }
      if (newState == ConnectivityState.IDLE) {
        helper.execute(() -> {
          if (!removed) {
            policy.requestConnection();
          }
        });
      }
      if (!updating) {
        publish();
      }
    }

    @Override
    public void refreshNameResolution() {
      helper.refreshNameResolution();
    }

    @Override
    public ScheduledExecutorService scheduler() {
      return helper.scheduler();
    }

    @Override
    public void execute(Runnable task) {
      helper.execute(task);
    }
  }

  private final Helper helper;
  private final Map<List<SocketAddress>, Child> children = new LinkedHashMap<>();
  private ConnectivityState reported;
  /** True while a resolution is being applied: children's updates are published once after. */
  private boolean updating;

  RoundRobinLoadBalancer(Helper helper) {
    this.helper = helper;
  }

  @Override
  public void acceptResolvedAddresses(ResolvedAddresses addresses) {
    if (addresses.endpoints().isEmpty()) {
      handleNameResolutionError(Status.UNAVAILABLE.withDescription("resolver found no address"));
      return;
    }
    updating = true;
    try {
      Set<List<SocketAddress>> keys = new HashSet<>();
      for (Endpoint endpoint : addresses.endpoints()) {
        List<SocketAddress> key = endpoint.addresses();
        if (!keys.add(key)) {
          continue;
        }
        Child child = children.computeIfAbsent(key, k -> new Child());
        child.policy.acceptResolvedAddresses(new ResolvedAddresses(List.of(endpoint), null,
            addresses.healthCheckServiceName(), addresses.attributes()));
      }
      for (var it = children.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        if (!keys.contains(e.getKey())) {
          e.getValue().removed = true;
          e.getValue().policy.shutdown();
          it.remove();
        }
      }
    } finally {
      updating = false;
    }
    publish();
  }

  @Override
  public void handleNameResolutionError(Status error) {
    if (children.isEmpty()) {
      reported = ConnectivityState.TRANSIENT_FAILURE;
      PickResult result = PickResult.withError(error);
      helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, args -> result);
    }
  }

  @Override
  public void requestConnection() {
    for (Child c : children.values()) {
      c.policy.requestConnection();
    }
  }

  /** Aggregates the children's states (A61) and publishes a picker over the READY ones. */
  private void publish() {
    List<SubchannelPicker> ready = new ArrayList<>();
    boolean connecting = false;
    Status failure = null;
    for (Child c : children.values()) {
      switch (c.state) {
        case READY -> ready.add(c.picker);
        case CONNECTING, IDLE -> connecting = true;
        default -> failure = c.failure;
      }
    }
    if (!ready.isEmpty()) {
      reported = ConnectivityState.READY;
      helper.updateBalancingState(ConnectivityState.READY, new Picker(ready));
    } else if (connecting && reported != ConnectivityState.TRANSIENT_FAILURE) {
      reported = ConnectivityState.CONNECTING;
      helper.updateBalancingState(ConnectivityState.CONNECTING,
          args -> PickResult.withNoResult());
    } else {
      reported = ConnectivityState.TRANSIENT_FAILURE;
      PickResult result = PickResult.withError(failure != null ? failure
          : Status.UNAVAILABLE.withDescription("no endpoint is reachable"));
      helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, args -> result);
    }
  }

  @Override
  public void shutdown() {
    for (Child c : children.values()) {
      c.removed = true;
      c.policy.shutdown();
    }
    children.clear();
  }

  /** Rotates over the READY children's pickers, from a random start. Thread-safe. */
  private static final class Picker implements SubchannelPicker {
    private final List<SubchannelPicker> ready;
    private final AtomicInteger index;

    Picker(List<SubchannelPicker> ready) {
      this.ready = List.copyOf(ready);
      this.index = new AtomicInteger(ThreadLocalRandom.current().nextInt(ready.size()));
    }

    @Override
    public PickResult pick(PickArgs args) {
      int i = Math.floorMod(index.getAndIncrement(), ready.size());
      return ready.get(i).pick(args);
    }
  }

  /** Makes {@link RoundRobinLoadBalancer}s. */
  static final class Provider extends LoadBalancerProvider {
    @Override
    public String policyName() {
      return "round_robin";
    }

    @Override
    public LoadBalancer newLoadBalancer(Helper helper) {
      return new RoundRobinLoadBalancer(helper);
    }
  }
}
