package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.internal.ServiceConfig;
import org.junit.jupiter.api.Test;

/** gRFC A2's choice rules for {@code _grpc_config} TXT records, without DNS. */
class DnsServiceConfigTest {
  private static final String RR = "{\"loadBalancingConfig\":[{\"round_robin\":{}}]}";

  @Test
  void firstChoiceForJavaWins() {
    String txt = "[{\"clientLanguage\":[\"go\"],\"serviceConfig\":{\"methodConfig\":[]}},"
        + "{\"clientLanguage\":[\"JAVA\"],\"serviceConfig\":" + RR + "}]";

    String chosen = DnsServiceConfig.choose(txt, "client-1");

    assertEquals("round_robin",
        ServiceConfig.parse(chosen).loadBalancingConfigs().get(0).policyName());
  }

  @Test
  void choiceForAnotherHostIsSkipped() {
    String txt = "[{\"clientHostname\":[\"other\"],\"serviceConfig\":" + RR + "}]";
    assertNull(DnsServiceConfig.choose(txt, "client-1"));
  }

  @Test
  void zeroPercentNeverApplies() {
    String txt = "[{\"percentage\":0,\"serviceConfig\":" + RR + "}]";
    assertNull(DnsServiceConfig.choose(txt, "client-1"));
  }

  @Test
  void chosenConfigKeepsNumbersAndStrings() {
    String txt = "[{\"serviceConfig\":{\"retryThrottling\":{\"maxTokens\":10,\"tokenRatio\":0.5},"
        + "\"methodConfig\":[{\"name\":[{\"service\":\"a.B\"}],\"timeout\":\"1.5s\"}]}}]";

    ServiceConfig sc = ServiceConfig.parse(DnsServiceConfig.choose(txt, "h"));

    assertEquals(10, sc.retryThrottling().maxTokens());
    assertEquals(0.5, sc.retryThrottling().tokenRatio());
    assertEquals(java.time.Duration.ofMillis(1500), sc.methodConfig("a.B/m").timeout());
  }

  @Test
  void notAListIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DnsServiceConfig.choose("{\"serviceConfig\":{}}", "h"));
    assertTrue(e.getMessage().contains("list of choices"), e::getMessage);
  }
}
