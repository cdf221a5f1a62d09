package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.NameResolver;
import dev.tern.Status;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dns resolver: every address of the name, and refreshes at most once per 30 s (a refresh
 * asked sooner waits for its timer). Lookups run on a queue the test drains; no DNS server (the
 * names are literals and localhost).
 */
class DnsNameResolverTest {
  private final List<Runnable> lookups = new ArrayList<>();
  private final io.netty.util.concurrent.MockTicker ticker =
      io.netty.util.concurrent.Ticker.newMockTicker();
  private final EmbeddedChannel timers = EmbeddedChannel.builder().ticker(ticker).build();
  private final List<NameResolver.Result> results = new ArrayList<>();

  @AfterEach
  void tearDown() {
    timers.finishAndReleaseAll();
  }

  private NameResolver resolver(String target) {
    return new DnsNameResolverProvider().newNameResolver(ChannelTargets.schemeTarget(target),
        new NameResolver.Args(443, false, lookups::add, timers.eventLoop()));
  }

  private final NameResolver.Listener listener = new NameResolver.Listener() {
    @Override
    public void onResult(NameResolver.Result result) {
      results.add(result);
    }

    @Override
    public void onError(Status error) {
      throw new AssertionError(error.toString());
    }
  };

  private void runLookups() {
    while (!lookups.isEmpty()) {
      lookups.remove(0).run();
    }
  }

  @Test
  void resolvesTheLiteralWithTheDefaultPort() {
    NameResolver r = resolver("dns:///127.0.0.1");
    r.start(listener);
    runLookups();

    assertEquals(new InetSocketAddress("127.0.0.1", 443),
        results.get(0).endpoints().get(0).addresses().get(0));
    assertEquals("127.0.0.1", r.serviceAuthority());
  }

  @Test
  void refreshSoonerThanThirtySecondsIsDeferred() {
    NameResolver r = resolver("dns:///localhost:8080");
    r.start(listener);
    runLookups();
    assertEquals(1, results.size());

    r.refresh();
    r.refresh();

    assertTrue(lookups.isEmpty(), "no lookup before 30 s have passed");
    EmbeddedFixtures.advance(ticker, DnsNameResolver.MIN_REFRESH_INTERVAL_NANOS, timers);
    assertEquals(1, lookups.size(), "both refreshes became one lookup, 30 s after the last");
    runLookups();
    assertEquals(2, results.size());
    r.shutdown();
  }

  @Test
  void ipv6LiteralInBracketsWithPort() {
    NameResolver r = resolver("dns:///[::1]:9000");
    r.start(listener);
    runLookups();

    InetSocketAddress a = (InetSocketAddress) results.get(0).endpoints().get(0).addresses().get(0);
    assertEquals(9000, a.getPort());
    assertTrue(a.getAddress() instanceof java.net.Inet6Address);
  }
}
