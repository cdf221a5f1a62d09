package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Status;
import dev.tern.internal.ServiceConfig.HedgingConfig;
import dev.tern.internal.ServiceConfig.MethodConfig;
import dev.tern.internal.ServiceConfig.Name;
import dev.tern.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceConfigTest {

  /** gRFC A2's example, with A6's retry policy and throttling examples folded in. */
  private static final String A2_A6_EXAMPLE = """
      {
        "loadBalancingConfig": [ { "round_robin": {} } ],
        "methodConfig": [
          {
            "name": [
              { "service": "foo", "method": "bar" },
              { "service": "baz" }
            ],
            "timeout": "1.000000001s",
            "waitForReady": true,
            "maxRequestMessageBytes": 1024,
            "maxResponseMessageBytes": "2048",
            "retryPolicy": {
              "maxAttempts": 4,
              "initialBackoff": "0.1s",
              "maxBackoff": "1s",
              "backoffMultiplier": 2,
              "retryableStatusCodes": [ "UNAVAILABLE", 10 ]
            }
          },
          {
            "name": [ { "service": "foo" } ],
            "hedgingPolicy": {
              "maxAttempts": 4,
              "hedgingDelay": "0.5s",
              "nonFatalStatusCodes": [ "UNAVAILABLE", "INTERNAL", "ABORTED" ]
            }
          },
          { "name": [ {} ], "timeout": "30s" }
        ],
        "retryThrottling": { "maxTokens": 10, "tokenRatio": 0.1 },
        "healthCheckConfig": { "serviceName": "foo" },
        "someFutureField": { "ignored": [1, 2, 3] }
      }
      """;

  @Test
  void parsesTheSpecExamples() {
    ServiceConfig sc = ServiceConfig.parse(A2_A6_EXAMPLE);
    assertEquals(1, sc.loadBalancingConfigs().size());
    assertEquals("round_robin", sc.loadBalancingConfigs().get(0).policyName());
    assertEquals(Map.of(), sc.loadBalancingConfigs().get(0).config());
    assertEquals(3, sc.methodConfigs().size());

    MethodConfig first = sc.methodConfigs().get(0);
    assertEquals(List.of(new Name("foo", "bar"), new Name("baz", "")), first.names());
    assertEquals(Duration.ofSeconds(1, 1), first.timeout());
    assertEquals(Boolean.TRUE, first.waitForReady());
    assertEquals(1024, first.maxRequestMessageBytes());
    assertEquals(2048, first.maxResponseMessageBytes());
    RetryPolicy rp = first.retryPolicy();
    assertEquals(4, rp.maxAttempts());
    assertEquals(Duration.ofMillis(100), rp.initialBackoff());
    assertEquals(Duration.ofSeconds(1), rp.maxBackoff());
    assertEquals(2.0, rp.backoffMultiplier());
    assertEquals(1.0, rp.jitter()); // A6's full jitter
    assertEquals(Set.of(Status.Code.UNAVAILABLE, Status.Code.ABORTED), rp.retryableCodes());
    assertNull(first.hedgingPolicy());

    HedgingConfig hp = sc.methodConfigs().get(1).hedgingPolicy();
    assertEquals(4, hp.maxAttempts());
    assertEquals(Duration.ofMillis(500), hp.hedgingDelay());
    assertEquals(Set.of(Status.Code.UNAVAILABLE, Status.Code.INTERNAL, Status.Code.ABORTED),
        hp.nonFatalStatusCodes());

    assertEquals(new ServiceConfig.RetryThrottling(10, 0.1), sc.retryThrottling());
    assertEquals(10.0, sc.retryThrottling().newThrottle().tokens());
    assertEquals("foo", sc.healthCheckServiceName());
  }

  @Test
  void lookupFollowsA2Precedence() {
    ServiceConfig sc = ServiceConfig.parse(A2_A6_EXAMPLE);
    MethodConfig exact = sc.methodConfigs().get(0);
    MethodConfig fooService = sc.methodConfigs().get(1);
    MethodConfig dflt = sc.methodConfigs().get(2);
    assertSame(exact, sc.methodConfig("foo/bar"));
    assertSame(exact, sc.methodConfig("/foo/bar"));
    assertSame(fooService, sc.methodConfig("foo/other"));
    assertSame(exact, sc.methodConfig("baz/anything"));
    assertSame(dflt, sc.methodConfig("qux/Method"));
    assertSame(dflt, sc.methodConfig("foo.bar/x")); // a service is matched whole, not by prefix

    ServiceConfig noDefault = ServiceConfig.parse(
        "{\"methodConfig\":[{\"name\":[{\"service\":\"a.S\"}],\"timeout\":\"1s\"}]}");
    assertNull(noDefault.methodConfig("b.S/M"));
    assertEquals(Duration.ofSeconds(1), noDefault.methodConfig("a.S/M").timeout());
    // An empty-string service also names the default.
    ServiceConfig emptyService = ServiceConfig.parse(
        "{\"methodConfig\":[{\"name\":[{\"service\":\"\"}],\"waitForReady\":false}]}");
    assertEquals(Boolean.FALSE, emptyService.methodConfig("x.Y/Z").waitForReady());
  }

  @Test
  void emptyAndMinimalConfigs() {
    ServiceConfig sc = ServiceConfig.parse("{}");
    assertTrue(sc.methodConfigs().isEmpty());
    assertTrue(sc.loadBalancingConfigs().isEmpty());
    assertNull(sc.retryThrottling());
    assertNull(sc.healthCheckServiceName());
    assertNull(sc.methodConfig("a/b"));
    assertNull(ServiceConfig.EMPTY.methodConfig("a/b"));
    // null counts as absent, as in protobuf's JSON mapping.
    ServiceConfig nulls = ServiceConfig.parse(
        "{\"methodConfig\":null,\"retryThrottling\":null,\"loadBalancingConfig\":null}");
    assertTrue(nulls.methodConfigs().isEmpty());
  }

  @Test
  void loadBalancingFirstSupportedWins() {
    ServiceConfig sc = ServiceConfig.parse("{\"loadBalancingConfig\":["
        + "{\"xds_experimental\":{\"a\":1}},{\"weighted\":{\"w\":[1,2]}},{\"pick_first\":"
        + "{\"shuffleAddressList\":true}}]}");
    assertEquals(3, sc.loadBalancingConfigs().size());
    ServiceConfig.LbConfig chosen =
        sc.selectLoadBalancingConfig(Set.of("pick_first", "weighted")::contains);
    assertEquals("weighted", chosen.policyName());
    assertEquals(Map.of("w", List.of(1.0, 2.0)), chosen.config());
    assertEquals(Map.of("shuffleAddressList", true),
        sc.selectLoadBalancingConfig("pick_first"::equals).config());
    assertNull(sc.selectLoadBalancingConfig("round_robin"::equals));
  }

  @Test
  void deprecatedLoadBalancingPolicyIsAFallback() {
    ServiceConfig sc = ServiceConfig.parse("{\"loadBalancingPolicy\":\"ROUND_ROBIN\"}");
    assertEquals("round_robin", sc.loadBalancingConfigs().get(0).policyName());
    ServiceConfig both = ServiceConfig.parse("{\"loadBalancingPolicy\":\"round_robin\","
        + "\"loadBalancingConfig\":[{\"pick_first\":{}}]}");
    assertEquals(1, both.loadBalancingConfigs().size());
    assertEquals("pick_first", both.loadBalancingConfigs().get(0).policyName());
  }

  @Test
  void maxAttemptsAboveFiveIsReadAsFive() {
    ServiceConfig sc = ServiceConfig.parse(method("\"retryPolicy\":{\"maxAttempts\":9,"
        + "\"initialBackoff\":\"1s\",\"maxBackoff\":\"2s\",\"backoffMultiplier\":1.5,"
        + "\"retryableStatusCodes\":[\"UNAVAILABLE\"]}"));
    assertEquals(5, sc.methodConfig("s/m").retryPolicy().maxAttempts());
    ServiceConfig hedge = ServiceConfig.parse(method("\"hedgingPolicy\":{\"maxAttempts\":7}"));
    HedgingConfig hp = hedge.methodConfig("s/m").hedgingPolicy();
    assertEquals(5, hp.maxAttempts());
    assertEquals(Duration.ZERO, hp.hedgingDelay());
    assertEquals(Set.of(), hp.nonFatalStatusCodes());
  }

  @Test
  void hedgingConfigBecomesTheRetryEnginesHedgingPolicy() {
    ServiceConfig sc = ServiceConfig.parse(method("\"hedgingPolicy\":{\"maxAttempts\":3,"
        + "\"hedgingDelay\":\"0.25s\",\"nonFatalStatusCodes\":[\"UNAVAILABLE\"]}"));
    dev.tern.retry.HedgingPolicy policy = sc.methodConfig("s/m").hedgingPolicy().toPolicy();
    assertEquals(3, policy.maxAttempts());
    assertEquals(Duration.ofMillis(250), policy.hedgingDelay());
    assertEquals(Set.of(Status.Code.UNAVAILABLE), policy.nonFatalStatusCodes());
  }

  @Test
  void durationsFollowProtobufJson() {
    assertEquals(Duration.ofMillis(1500), ServiceConfig.duration("1.5s", "t"));
    assertEquals(Duration.ZERO, ServiceConfig.duration("0s", "t"));
    assertEquals(Duration.ofNanos(1), ServiceConfig.duration("0.000000001s", "t"));
    assertEquals(Duration.ofSeconds(-3, 0), ServiceConfig.duration("-3s", "t"));
    assertEquals(Duration.ofSeconds(315_576_000_000L),
        ServiceConfig.duration("315576000000s", "t"));
    for (String bad : new String[] {"1", "1.s", ".5s", "1.0000000001s", "1m", "1.5S", " 1s",
        "+1s", "315576000001s", "99999999999999999999s", "1e3s", ""}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ServiceConfig.duration(bad, "x.timeout"), bad);
      assertTrue(e.getMessage().startsWith("x.timeout: "), e.getMessage());
    }
  }

  @Test
  void retryThrottlingKeepsThreeDecimalPlaces() {
    ServiceConfig sc = ServiceConfig.parse(
        "{\"retryThrottling\":{\"maxTokens\":1000,\"tokenRatio\":0.12345}}");
    assertEquals(new ServiceConfig.RetryThrottling(1000, 0.123), sc.retryThrottling());
  }

  @Test
  void rejectsInvalidJson() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServiceConfig.parse("{\"methodConfig\":[],}"));
    assertTrue(e.getMessage().startsWith("service config is not valid JSON: trailing comma"),
        e.getMessage());
  }

  private static final String RETRY_OK = "\"maxAttempts\":3,\"initialBackoff\":\"0.1s\","
      + "\"maxBackoff\":\"1s\",\"backoffMultiplier\":2,\"retryableStatusCodes\":[\"UNAVAILABLE\"]";

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      []                                                       | serviceConfig: must be an object
      {"methodConfig":{}}                                      | methodConfig: must be an array
      {"methodConfig":[1]}                                     | methodConfig[0]: must be an object
      {"methodConfig":[{}]}                                    | methodConfig[0].name: must list at least one name
      {"methodConfig":[{"name":[]}]}                           | methodConfig[0].name: must list at least one name
      {"methodConfig":[{"name":[{"method":"m"}]}]}             | methodConfig[0].name[0].method: must be empty when service is empty
      {"methodConfig":[{"name":[{"service":1}]}]}              | methodConfig[0].name[0].service: must be a string
      {"methodConfig":[{"name":[{"service":"a/b"}]}]}          | methodConfig[0].name[0].service: must not contain '/'
      {"methodConfig":[{"name":[{"service":"s"}]},{"name":[{"service":"t"},{"service":"s"}]}]} | methodConfig[1].name[1]: duplicate name s
      {"methodConfig":[{"name":[{}]},{"name":[{}]}]}           | methodConfig[1].name[0]: duplicate name {}
      {"methodConfig":[{"name":[{}],"timeout":1}]}             | methodConfig[0].timeout: must be a duration string such as "1.5s"
      {"methodConfig":[{"name":[{}],"timeout":"-1s"}]}         | methodConfig[0].timeout: must not be negative
      {"methodConfig":[{"name":[{}],"timeout":"1ms"}]}         | methodConfig[0].timeout: must be a duration string such as "1.5s", got "1ms"
      {"methodConfig":[{"name":[{}],"waitForReady":"true"}]}   | methodConfig[0].waitForReady: must be true or false
      {"methodConfig":[{"name":[{}],"maxRequestMessageBytes":-1}]}  | methodConfig[0].maxRequestMessageBytes: must not be negative
      {"methodConfig":[{"name":[{}],"maxResponseMessageBytes":1.5}]} | methodConfig[0].maxResponseMessageBytes: must be an integer
      {"methodConfig":[{"name":[{}],"retryPolicy":[]}]}        | methodConfig[0].retryPolicy: must be an object
      {"methodConfig":[{"name":[{}],"retryPolicy":{}}]}        | methodConfig[0].retryPolicy.maxAttempts: is required
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":1}}]}   | methodConfig[0].retryPolicy.maxAttempts: must be at least 2
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2.5}}]} | methodConfig[0].retryPolicy.maxAttempts: must be an integer
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2}}]}   | methodConfig[0].retryPolicy.initialBackoff: is required
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"0s"}}]} | methodConfig[0].retryPolicy.initialBackoff: must be greater than 0
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"1s"}}]} | methodConfig[0].retryPolicy.maxBackoff: is required
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"-1s"}}]} | methodConfig[0].retryPolicy.maxBackoff: must be greater than 0
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"2s","maxBackoff":"1s"}}]} | methodConfig[0].retryPolicy.maxBackoff: must not be below initialBackoff
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"1s"}}]} | methodConfig[0].retryPolicy.backoffMultiplier: is required
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":0}}]} | methodConfig[0].retryPolicy.backoffMultiplier: must be greater than 0
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":1}}]} | methodConfig[0].retryPolicy.retryableStatusCodes: must list at least one code
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":1,"retryableStatusCodes":[]}}]} | methodConfig[0].retryPolicy.retryableStatusCodes: must list at least one code
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":1,"retryableStatusCodes":["unavailable"]}}]} | methodConfig[0].retryPolicy.retryableStatusCodes[0]: unknown status code "unavailable"
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":1,"retryableStatusCodes":[14,17]}}]} | methodConfig[0].retryPolicy.retryableStatusCodes[1]: unknown status code 17.0
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":1,"retryableStatusCodes":[true]}}]} | methodConfig[0].retryPolicy.retryableStatusCodes[0]: must be a status code name or number
      {"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":1,"retryableStatusCodes":["INVALID_ARGUMENT"]}}]} | methodConfig[0].retryPolicy.retryableStatusCodes: INVALID_ARGUMENT is never retryable
      {"methodConfig":[{"name":[{}],"hedgingPolicy":{"maxAttempts":1}}]} | methodConfig[0].hedgingPolicy.maxAttempts: must be at least 2
      {"methodConfig":[{"name":[{}],"hedgingPolicy":{"maxAttempts":2,"hedgingDelay":"-0.5s"}}]} | methodConfig[0].hedgingPolicy.hedgingDelay: must not be negative
      {"methodConfig":[{"name":[{}],"hedgingPolicy":{"maxAttempts":2,"nonFatalStatusCodes":["NOPE"]}}]} | methodConfig[0].hedgingPolicy.nonFatalStatusCodes[0]: unknown status code "NOPE"
      {"retryThrottling":{}}                                   | retryThrottling.maxTokens: is required
      {"retryThrottling":{"maxTokens":0,"tokenRatio":1}}       | retryThrottling.maxTokens: must be in (0, 1000]
      {"retryThrottling":{"maxTokens":1001,"tokenRatio":1}}    | retryThrottling.maxTokens: must be in (0, 1000]
      {"retryThrottling":{"maxTokens":10}}                     | retryThrottling.tokenRatio: is required
      {"retryThrottling":{"maxTokens":10,"tokenRatio":0}}      | retryThrottling.tokenRatio: must be greater than 0
      {"retryThrottling":{"maxTokens":10,"tokenRatio":0.0001}} | retryThrottling.tokenRatio: must be at least 0.001
      {"retryThrottling":{"maxTokens":10,"tokenRatio":"1"}}    | retryThrottling.tokenRatio: must be a number
      {"loadBalancingConfig":{}}                               | loadBalancingConfig: must be an array
      {"loadBalancingConfig":[{}]}                             | loadBalancingConfig[0]: must have exactly one policy name, has 0
      {"loadBalancingConfig":[{"a":{},"b":{}}]}                | loadBalancingConfig[0]: must have exactly one policy name, has 2
      {"loadBalancingConfig":[{"round_robin":[]}]}             | loadBalancingConfig[0].round_robin: must be an object
      {"loadBalancingPolicy":1}                                | loadBalancingPolicy: must be a string
      {"healthCheckConfig":{"serviceName":false}}              | healthCheckConfig.serviceName: must be a string
      """)
  void rejectsWithTheFieldPath(String json, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServiceConfig.parse(json));
    assertEquals(message, e.getMessage());
  }

  @Test
  void rejectsRetryAndHedgingTogether() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServiceConfig.parse("{\"methodConfig\":[{\"name\":[{}],\"retryPolicy\":{"
            + RETRY_OK + "},\"hedgingPolicy\":{\"maxAttempts\":2}}]}"));
    assertEquals("methodConfig[0]: must not have both retryPolicy and hedgingPolicy",
        e.getMessage());
  }

  private static String method(String fields) {
    return "{\"methodConfig\":[{\"name\":[{\"service\":\"s\"}]," + fields + "}]}";
  }
}
