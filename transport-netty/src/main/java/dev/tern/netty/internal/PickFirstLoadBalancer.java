package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.ConnectivityState;
import dev.tern.Endpoint;
import dev.tern.LoadBalancer;
import dev.tern.LoadBalancerProvider;
import dev.tern.Status;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code pick_first} (gRFC A61/A62): one subchannel per address; tries the addresses in order
 * (endpoints shuffled first when {@code shuffleAddressList} is set, then the address families
 * interleaved), starting the next one {@link #HAPPY_EYEBALLS_DELAY_NANOS} after the last if it has
 * neither connected nor failed (Happy Eyeballs, RFC 8305), or at once when it fails. The first to
 * be READY is used for every call and the others are shut down. Once every address failed the
 * policy is TRANSIENT_FAILURE and stays so (sticky) while the subchannels keep reconnecting with
 * their backoff, until one is READY. When the used connection is lost the policy goes IDLE and
 * the next call starts over.
 *
 * <p>Thread rules: called only in the channel's serialized LB context (see {@link LoadBalancer}).
 */
final class PickFirstLoadBalancer extends LoadBalancer {
  /** gRFC A61: the Happy Eyeballs "connection attempt delay", 250 ms (RFC 8305 §8). */
  static final long HAPPY_EYEBALLS_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** Where the policy is; the state it reports follows from it. */
  private enum Phase {
    /** No addresses yet, or the used connection was lost: connect on request. */
    IDLE,
    /** Trying the addresses in order (the first pass). */
    CONNECTING,
    /** Every address failed once; waiting for any to connect (sticky TRANSIENT_FAILURE). */
    TRANSIENT_FAILURE,
    /** A subchannel is READY and in use. */
    READY,
    SHUTDOWN
  }

  /** One address's subchannel and what it last reported. */
  private static final class Entry {
    final Subchannel subchannel;
    ConnectivityState state = ConnectivityState.IDLE;

    Entry(Subchannel subchannel) {
      this.subchannel = subchannel;
    }
  }

  /** Parsed {@code pick_first} config. */
  record Config(boolean shuffleAddressList) {}

  private final Helper helper;
  private final Map<SocketAddress, Entry> entries = new LinkedHashMap<>();
  private List<SocketAddress> order = List.of();
  private Attributes attributes = Attributes.EMPTY;
  private String healthCheckServiceName;
  private Phase phase = Phase.IDLE;
  /** The next address to try in the CONNECTING pass. */
  private int next;
  private Entry selected;
  private ScheduledFuture<?> happyEyeballsTimer;
  private Status lastFailure = Status.UNAVAILABLE.withDescription("no addresses tried yet");

  PickFirstLoadBalancer(Helper helper) {
    this.helper = helper;
  }

  @Override
  public void acceptResolvedAddresses(ResolvedAddresses addresses) {
    if (phase == Phase.SHUTDOWN) {
      return;
    }
    List<Endpoint> endpoints = new ArrayList<>(addresses.endpoints());
    if (addresses.config() instanceof Config c && c.shuffleAddressList()) {
      Collections.shuffle(endpoints, ThreadLocalRandom.current());
    }
    List<SocketAddress> newOrder = interleave(endpoints);
    if (newOrder.isEmpty()) {
      handleNameResolutionError(Status.UNAVAILABLE.withDescription("resolver found no address"));
      return;
    }
    attributes = addresses.attributes();
    healthCheckServiceName = addresses.healthCheckServiceName();
    order = newOrder;
    // Subchannels of addresses no longer listed go, except the one in use.
    for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!newOrder.contains(e.getKey()) && e.getValue() != selected) {
        e.getValue().subchannel.shutdown();
        it.remove();
      }
    }
    if (selected != null) {
      if (newOrder.contains(selected.subchannel.addresses().get(0))) {
        return; // keep using it
      }
      // The address in use went away: start over on the new list.
      entries.values().remove(selected);
      selected.subchannel.shutdown();
      selected = null;
    }
    startPass();
  }

  /** RFC 8305 §4 via A61: alternate the families, starting with the first address's. */
  static List<SocketAddress> interleave(List<Endpoint> endpoints) {
    LinkedHashSet<SocketAddress> flat = new LinkedHashSet<>();
    for (Endpoint e : endpoints) {
      flat.addAll(e.addresses());
    }
    List<SocketAddress> first = new ArrayList<>();
    List<SocketAddress> second = new ArrayList<>();
    Boolean firstIsV6 = null;
    for (SocketAddress a : flat) {
      boolean v6 = a instanceof InetSocketAddress i && i.getAddress() instanceof Inet6Address;
      if (firstIsV6 == null) {
        firstIsV6 = v6;
      }
      (v6 == firstIsV6 ? first : second).add(a);
    }
    List<SocketAddress> out = new ArrayList<>(flat.size());
    for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
      if (i < first.size()) {
        out.add(first.get(i));
      }
      if (i < second.size()) {
        out.add(second.get(i));
      }
    }
    return out;
  }

  @Override
  public void handleNameResolutionError(Status error) {
    if (phase == Phase.READY || phase == Phase.SHUTDOWN) {
      return; // keep using the connection we have
    }
    if (entries.isEmpty()) {
      phase = Phase.TRANSIENT_FAILURE;
      helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, errorPicker(error));
    }
  }

  @Override
  public void requestConnection() {
    if (phase == Phase.IDLE && !order.isEmpty()) {
      startPass();
    }
  }

  private void startPass() {
    cancelTimer();
    next = 0;
    if (phase != Phase.TRANSIENT_FAILURE) {
      // Sticky: a policy in TRANSIENT_FAILURE stays there until something connects.
      phase = Phase.CONNECTING;
      helper.updateBalancingState(ConnectivityState.CONNECTING, args -> PickResult.withNoResult());
    }
    tryNext();
  }

  /** Starts the next address of the pass, or ends the pass if none is left. */
  private void tryNext() {
    cancelTimer();
    while (next < order.size()) {
      Entry e = entry(order.get(next++));
      if (e.state == ConnectivityState.READY) {
        select(e);
        return;
      }
      if (e.state == ConnectivityState.TRANSIENT_FAILURE) {
        continue; // failed already; its own backoff reconnects it
      }
      e.subchannel.requestConnection();
      if (next < order.size()) {
        happyEyeballsTimer = helper.scheduler().schedule(
            () -> helper.execute(this::happyEyeballsTimeout),
            HAPPY_EYEBALLS_DELAY_NANOS, TimeUnit.NANOSECONDS);
      }
      return;
    }
    passFailed();
  }

  private void happyEyeballsTimeout() {
    happyEyeballsTimer = null;
    if (phase == Phase.CONNECTING || phase == Phase.TRANSIENT_FAILURE) {
      tryNext();
    }
  }

  private void passFailed() {
    if ((phase != Phase.CONNECTING && phase != Phase.TRANSIENT_FAILURE)
        || next < order.size()) {
      return; // not in a pass, or addresses left to try
    }
    for (Entry e : entries.values()) {
      if (e.state != ConnectivityState.TRANSIENT_FAILURE) {
        return; // some attempt still running: its result decides
      }
    }
    phase = Phase.TRANSIENT_FAILURE;
    helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, errorPicker(lastFailure));
    helper.refreshNameResolution();
  }

  private Entry entry(SocketAddress address) {
    Entry e = entries.get(address);
    if (e == null) {
      Subchannel sc = helper.createSubchannel(
          new CreateSubchannelArgs(List.of(address), attributes, healthCheckServiceName));
      Entry created = new Entry(sc);
      entries.put(address, created);
      sc.start((state, status) -> onSubchannelState(created, state, status));
      e = created;
    }
    return e;
  }

  private void onSubchannelState(Entry e, ConnectivityState state, Status status) {
    if (phase == Phase.SHUTDOWN || entries.get(e.subchannel.addresses().get(0)) != e) {
      return; // shut down, or a stale report
    }
    e.state = state;
    if (state == ConnectivityState.TRANSIENT_FAILURE) {
      lastFailure = status;
    }
    if (e == selected) {
      if (state != ConnectivityState.READY) {
        // The connection in use was lost (GOAWAY, closed, or health): IDLE until the next call.
        selected = null;
        phase = Phase.IDLE;
        helper.refreshNameResolution();
        helper.updateBalancingState(ConnectivityState.IDLE, args -> {
          helper.execute(this::requestConnection);
          return PickResult.withNoResult();
        });
      }
      return;
    }
    switch (state) {
      case READY:
        if (phase == Phase.CONNECTING || phase == Phase.TRANSIENT_FAILURE || phase == Phase.IDLE) {
          select(e);
        }
        break;
      case TRANSIENT_FAILURE:
        if (phase == Phase.CONNECTING
            && next > 0 && order.get(next - 1).equals(e.subchannel.addresses().get(0))) {
          tryNext(); // the address being tried failed: the next one now
        } else {
          passFailed();
        }
        break;
      case IDLE:
        if (phase == Phase.TRANSIENT_FAILURE) {
          e.subchannel.requestConnection(); // keep trying every address while failing
        }
        break;
      default:
        break;
    }
  }

  private void select(Entry e) {
    cancelTimer();
    selected = e;
    phase = Phase.READY;
    for (var it = entries.values().iterator(); it.hasNext(); ) {
      Entry other = it.next();
      if (other != e) {
        other.subchannel.shutdown();
        it.remove();
      }
    }
    Subchannel sc = e.subchannel;
    PickResult result = PickResult.withSubchannel(sc);
    helper.updateBalancingState(ConnectivityState.READY, args -> result);
  }

  private static SubchannelPicker errorPicker(Status error) {
    PickResult result = PickResult.withError(error);
    return args -> result;
  }

  private void cancelTimer() {
    if (happyEyeballsTimer != null) {
      happyEyeballsTimer.cancel(false);
      happyEyeballsTimer = null;
    }
  }

  @Override
  public void shutdown() {
    phase = Phase.SHUTDOWN;
    cancelTimer();
    for (Entry e : entries.values()) {
      e.subchannel.shutdown();
    }
    entries.clear();
    selected = null;
  }

  /** Makes {@link PickFirstLoadBalancer}s; reads {@code shuffleAddressList}. */
  static final class Provider extends LoadBalancerProvider {
    @Override
    public String policyName() {
      return "pick_first";
    }

    @Override
    public Object parseConfig(Map<String, ?> raw) {
      Object shuffle = raw.get("shuffleAddressList");
      if (shuffle != null && !(shuffle instanceof Boolean)) {
        throw new IllegalArgumentException(
            "loadBalancingConfig.pick_first.shuffleAddressList: must be true or false");
      }
      return new Config(Boolean.TRUE.equals(shuffle));
    }

    @Override
    public LoadBalancer newLoadBalancer(Helper helper) {
      return new PickFirstLoadBalancer(helper);
    }
  }
}
