package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the builder reads targets (grpc doc/naming.md) and the errors it gives. */
class TargetParsingTest {
  private static String authorityOf(String target) throws Exception {
    TernChannel ch = TernChannel.builder().target(target).build();
    try {
      return ch.authority();
    } finally {
      ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void hostPortKeepsItsAuthority() throws Exception {
    assertEquals("localhost:8080", authorityOf("localhost:8080"));
  }

  @Test
  void dnsTargetAuthorityIsHostPort() throws Exception {
    assertEquals("example.test:443", authorityOf("dns:///example.test:443"));
  }

  @Test
  void ipv6ListWithBracketsAndPorts() throws Exception {
    assertEquals("[::1]:8080", authorityOf("ipv6:[::1]:8080,[::1]:8081"));
  }

  @Test
  void ipv4ListAuthorityIsTheFirstAddress() throws Exception {
    assertEquals("127.0.0.1:1", authorityOf("ipv4:127.0.0.1:1,127.0.0.2:2"));
  }

  @Test
  void dnsTargetNamingADnsServerIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TernChannel.builder().target("dns://8.8.8.8/example.test:443").build());
    assertTrue(e.getMessage().contains("names a DNS server"), e::getMessage);
  }

  @Test
  void ipv4TargetWithAHostNameIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TernChannel.builder().target("ipv4:example.test:80").build());
    assertTrue(e.getMessage().contains("not an ipv4 address"), e::getMessage);
  }

  @Test
  void unknownSchemeIsRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TernChannel.builder().target("consul:///billing").build());
    assertTrue(e.getMessage().contains("no name resolver for scheme \"consul\""), e::getMessage);
  }
}
