package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Attributes;
import dev.tern.ConnectivityState;
import dev.tern.Endpoint;
import dev.tern.LoadBalancer;
import dev.tern.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * pick_first (gRFC A62) and round_robin (A61) state aggregation, deterministically: fake
 * subchannels whose states the test sets, and the Happy Eyeballs timer on an EmbeddedChannel's
 * mock clock. No sockets, no sleeps.
 */
class LoadBalancerPolicyTest {
  private final io.netty.util.concurrent.MockTicker ticker =
      io.netty.util.concurrent.Ticker.newMockTicker();
  private final io.netty.channel.embedded.EmbeddedChannel timers =
      io.netty.channel.embedded.EmbeddedChannel.builder().ticker(ticker).build();
  private final List<FakeSubchannel> subchannels = new ArrayList<>();
  private final List<ConnectivityState> states = new ArrayList<>();
  private LoadBalancer.SubchannelPicker picker;

  private final class FakeSubchannel extends LoadBalancer.Subchannel {
    final SocketAddress address;
    LoadBalancer.SubchannelStateListener listener;
    int connectRequests;
    boolean shutdown;

    FakeSubchannel(SocketAddress address) {
      this.address = address;
    }

    @Override
    public void start(LoadBalancer.SubchannelStateListener l) {
      listener = l;
    }

    @Override
    public void requestConnection() {
      connectRequests++;
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<SocketAddress> addresses() {
      return List.of(address);
    }

    void set(ConnectivityState s) {
      listener.onStateChange(s, s == ConnectivityState.TRANSIENT_FAILURE
          ? Status.UNAVAILABLE.withDescription(address + " refused") : Status.OK);
    }
  }

  private final LoadBalancer.Helper helper = new LoadBalancer.Helper() {
    @Override
    public LoadBalancer.Subchannel createSubchannel(LoadBalancer.CreateSubchannelArgs args) {
      FakeSubchannel s = new FakeSubchannel(args.addresses().get(0));
      subchannels.add(s);
      return s;
    }

    @Override
    public void updateBalancingState(ConnectivityState state,
        LoadBalancer.SubchannelPicker newPicker) {
      states.add(state);
      picker = newPicker;
    }

    @Override
    public void refreshNameResolution() {}

    @Override
    public ScheduledExecutorService scheduler() {
      return timers.eventLoop();
    }

    @Override
    public void execute(Runnable task) {
      task.run();
    }
  };

  @AfterEach
  void tearDown() {
    timers.finishAndReleaseAll();
  }

  private static SocketAddress v4(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  private static SocketAddress v6(int port) {
    return new InetSocketAddress("::1", port);
  }

  private static LoadBalancer.ResolvedAddresses addresses(SocketAddress... all) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (SocketAddress a : all) {
      endpoints.add(Endpoint.of(a));
    }
    return new LoadBalancer.ResolvedAddresses(endpoints, null, null, Attributes.EMPTY);
  }

  private LoadBalancer.Subchannel pick() {
    return picker.pick(null).subchannel();
  }

  private ConnectivityState last() {
    return states.get(states.size() - 1);
  }

  @Test
  void pickFirstConnectsToTheFirstAddressAndUsesIt() {
    LoadBalancer lb = new PickFirstLoadBalancer(helper);
    lb.acceptResolvedAddresses(addresses(v4(1), v4(2)));

    assertEquals(List.of(ConnectivityState.CONNECTING), states);
    assertEquals(1, subchannels.size(), "the second address waits for the first");
    subchannels.get(0).set(ConnectivityState.READY);

    assertEquals(ConnectivityState.READY, last());
    assertSame(subchannels.get(0), pick());
  }

  @Test
  void pickFirstTriesTheNextAddressAtOnceWhenOneFails() {
    LoadBalancer lb = new PickFirstLoadBalancer(helper);
    lb.acceptResolvedAddresses(addresses(v4(1), v4(2)));
    subchannels.get(0).set(ConnectivityState.TRANSIENT_FAILURE);

    assertEquals(2, subchannels.size());
    assertEquals(1, subchannels.get(1).connectRequests);
    assertEquals(ConnectivityState.CONNECTING, last(), "still connecting: one address left");
    subchannels.get(1).set(ConnectivityState.READY);

    assertSame(subchannels.get(1), pick());
    assertTrue(subchannels.get(0).shutdown, "the others are shut down once one is READY");
  }

  @Test
  void pickFirstStartsTheNextAddressAfterTheHappyEyeballsDelay() {
    LoadBalancer lb = new PickFirstLoadBalancer(helper);
    lb.acceptResolvedAddresses(addresses(v4(1), v4(2)));

    EmbeddedFixtures.advance(ticker, PickFirstLoadBalancer.HAPPY_EYEBALLS_DELAY_NANOS - 1,
        timers);
    assertEquals(1, subchannels.size());
    EmbeddedFixtures.advance(ticker, 1, timers);

    assertEquals(2, subchannels.size(), "250 ms without an answer: the next address starts");
    assertEquals(0, subchannels.get(0).shutdown ? 1 : 0, "the first keeps trying");
  }

  @Test
  void pickFirstInterleavesAddressFamilies() {
    List<SocketAddress> order = PickFirstLoadBalancer.interleave(addresses(
        v6(1), v6(2), v4(3), v4(4)).endpoints());

    assertEquals(List.of(v6(1), v4(3), v6(2), v4(4)), order);
  }

  @Test
  void pickFirstTransientFailureIsStickyUntilAnAddressConnects() {
    LoadBalancer lb = new PickFirstLoadBalancer(helper);
    lb.acceptResolvedAddresses(addresses(v4(1), v4(2)));
    subchannels.get(0).set(ConnectivityState.TRANSIENT_FAILURE);
    subchannels.get(1).set(ConnectivityState.TRANSIENT_FAILURE);
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, last());
    assertEquals(Status.Code.UNAVAILABLE, picker.pick(null).status().getCode());

    subchannels.get(0).set(ConnectivityState.CONNECTING); // reconnecting after its backoff
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, last(), "sticky");
    subchannels.get(0).set(ConnectivityState.READY);

    assertEquals(ConnectivityState.READY, last());
    assertSame(subchannels.get(0), pick());
  }

  @Test
  void pickFirstGoesIdleWhenItsConnectionIsLostAndReconnectsOnThePickAfter() {
    LoadBalancer lb = new PickFirstLoadBalancer(helper);
    lb.acceptResolvedAddresses(addresses(v4(1)));
    subchannels.get(0).set(ConnectivityState.READY);
    subchannels.get(0).set(ConnectivityState.IDLE);

    assertEquals(ConnectivityState.IDLE, last());
    int before = subchannels.get(0).connectRequests;
    assertNull(pick(), "no subchannel while idle");
    assertEquals(before + 1, subchannels.get(0).connectRequests, "the pick exits idle");
    assertEquals(ConnectivityState.CONNECTING, last());
  }

  @Test
  void roundRobinIsReadyWhileAnyEndpointIsAndRotatesOverThem() {
    LoadBalancer lb = new RoundRobinLoadBalancer(helper);
    lb.acceptResolvedAddresses(addresses(v4(1), v4(2), v4(3)));
    assertEquals(3, subchannels.size(), "every endpoint connects at once");
    assertEquals(ConnectivityState.CONNECTING, last());

    subchannels.get(0).set(ConnectivityState.READY);
    subchannels.get(2).set(ConnectivityState.READY);
    assertEquals(ConnectivityState.READY, last());

    Set<LoadBalancer.Subchannel> picked = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      picked.add(pick());
    }
    assertEquals(Set.of(subchannels.get(0), subchannels.get(2)), picked);
  }

  @Test
  void roundRobinDropsAnEndpointThatFailsAndReconnectsOneThatGoesIdle() {
    LoadBalancer lb = new RoundRobinLoadBalancer(helper);
    lb.acceptResolvedAddresses(addresses(v4(1), v4(2)));
    subchannels.get(0).set(ConnectivityState.READY);
    subchannels.get(1).set(ConnectivityState.READY);

    subchannels.get(1).set(ConnectivityState.IDLE);
    assertEquals(2, subchannels.get(1).connectRequests, "IDLE: connects again at once");
    for (int i = 0; i < 4; i++) {
      assertSame(subchannels.get(0), pick());
    }
  }

  @Test
  void roundRobinIsTransientFailureOnlyWhenEveryEndpointFailedAndStaysSo() {
    LoadBalancer lb = new RoundRobinLoadBalancer(helper);
    lb.acceptResolvedAddresses(addresses(v4(1), v4(2)));
    subchannels.get(0).set(ConnectivityState.TRANSIENT_FAILURE);
    assertEquals(ConnectivityState.CONNECTING, last());
    subchannels.get(1).set(ConnectivityState.TRANSIENT_FAILURE);
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, last());

    subchannels.get(1).set(ConnectivityState.CONNECTING);
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, last(), "sticky");
    subchannels.get(1).set(ConnectivityState.READY);
    assertEquals(ConnectivityState.READY, last());
  }

  @Test
  void roundRobinShutsDownEndpointsTheResolverNoLongerLists() {
    LoadBalancer lb = new RoundRobinLoadBalancer(helper);
    lb.acceptResolvedAddresses(addresses(v4(1), v4(2)));
    lb.acceptResolvedAddresses(addresses(v4(2), v4(3)));

    assertTrue(subchannels.get(0).shutdown);
    assertEquals(3, subchannels.size(), "v4(2) kept, v4(3) added");
    assertEquals(false, subchannels.get(1).shutdown);
  }
}
