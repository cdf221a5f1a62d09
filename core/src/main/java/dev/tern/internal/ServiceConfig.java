package dev.tern.internal;

import dev.tern.Status;
import dev.tern.retry.HedgingPolicy;
import dev.tern.retry.RetryPolicy;
import dev.tern.retry.RetryThrottle;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed, validated gRPC service config (gRFC A2, with A6's retry and hedging policies). Built
 * by {@link #parse(String)} from JSON; a malformed config is an {@link IllegalArgumentException}
 * whose message starts with the path of the bad field, e.g.
 * {@code methodConfig[0].retryPolicy.maxAttempts: must be at least 2}. Unknown fields are ignored
 * (A2: configs must stay readable by older clients) and a JSON {@code null} counts as absent, as
 * in protobuf's JSON mapping.
 *
 * <p>Not wired into the channel yet: this is the parsing and lookup half. Immutable and
 * thread-safe.
 */
public final class ServiceConfig {
  /** The empty config: no method configs, no policies. */
  public static final ServiceConfig EMPTY = new ServiceConfig(List.of(), List.of(), null, null);

  /** A6: more attempts than this are treated as this many, for retries and hedging alike. */
  static final int MAX_ATTEMPTS_LIMIT = RetryPolicy.MAX_ATTEMPTS_LIMIT;

  /** A6 retryThrottling.maxTokens is in (0, 1000]. */
  static final int MAX_THROTTLING_TOKENS = 1000;

  /** protobuf's Duration range, +-10,000 years (google/protobuf/duration.proto). */
  private static final long MAX_DURATION_SECONDS = 315_576_000_000L;

  /** protobuf JSON Duration: decimal seconds, up to nine fractional digits, then "s". */
  private static final Pattern DURATION = Pattern.compile("(-)?([0-9]+)(?:\\.([0-9]{1,9}))?s");

  private final List<LbConfig> loadBalancingConfigs;
  private final List<MethodConfig> methodConfigs;
  private final RetryThrottling retryThrottling;
  private final String healthCheckServiceName;
  // A2 lookup tables: "service/method", "service", and the default (name with empty service).
  private final Map<String, MethodConfig> byMethod = new HashMap<>();
  private final Map<String, MethodConfig> byService = new HashMap<>();
  private final MethodConfig defaultMethodConfig;

  private ServiceConfig(List<LbConfig> loadBalancingConfigs, List<MethodConfig> methodConfigs,
      RetryThrottling retryThrottling, String healthCheckServiceName) {
    this.loadBalancingConfigs = List.copyOf(loadBalancingConfigs);
    this.methodConfigs = List.copyOf(methodConfigs);
    this.retryThrottling = retryThrottling;
    this.healthCheckServiceName = healthCheckServiceName;
    MethodConfig dflt = null;
    for (MethodConfig mc : methodConfigs) {
      for (Name n : mc.names()) {
        if (n.isDefault()) {
          dflt = mc;
        } else if (n.method().isEmpty()) {
          byService.put(n.service(), mc);
        } else {
          byMethod.put(n.service() + "/" + n.method(), mc);
        }
      }
    }
    this.defaultMethodConfig = dflt;
  }

  /**
   * Parses and validates a service config.
   *
   * @throws IllegalArgumentException if {@code json} is not JSON, not an object, or breaks a rule
   *     of A2/A6; the message names the field
   */
  public static ServiceConfig parse(String json) {
    Objects.requireNonNull(json, "json");
    Object root;
    try {
      root = JsonParser.parse(json);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("service config is not valid JSON: " + e.getMessage(), e);
    }
    return fromJson(root);
  }

  /** Validates an already-parsed config (as {@link JsonParser} produces it). */
  public static ServiceConfig fromJson(Object root) {
    Map<String, Object> top = object(root, "serviceConfig");
    List<LbConfig> lb = loadBalancing(top);
    List<MethodConfig> methods = new ArrayList<>();
    Set<Name> seen = new LinkedHashSet<>();
    List<Object> mcs = list(top.get("methodConfig"), "methodConfig");
    if (mcs != null) {
      for (int i = 0; i < mcs.size(); i++) {
        MethodConfig mc = methodConfig(mcs.get(i), "methodConfig[" + i + "]");
        for (int j = 0; j < mc.names().size(); j++) {
          if (!seen.add(mc.names().get(j))) {
            throw fail("methodConfig[" + i + "].name[" + j + "]",
                "duplicate name " + mc.names().get(j));
          }
        }
        methods.add(mc);
      }
    }
    RetryThrottling throttling = retryThrottling(top.get("retryThrottling"), "retryThrottling");
    String healthService = null;
    Map<String, Object> hc = optionalObject(top.get("healthCheckConfig"), "healthCheckConfig");
    if (hc != null) {
      healthService = string(hc.get("serviceName"), "healthCheckConfig.serviceName");
    }
    return new ServiceConfig(lb, methods, throttling, healthService);
  }

  /**
   * The method config for {@code fullMethodName} ({@code package.Service/Method}, a leading slash
   * allowed) by A2's precedence: the exact method, else its service, else the default; null if
   * none applies.
   */
  public MethodConfig methodConfig(String fullMethodName) {
    String name = fullMethodName.startsWith("/") ? fullMethodName.substring(1) : fullMethodName;
    MethodConfig mc = byMethod.get(name);
    if (mc != null) {
      return mc;
    }
    int slash = name.lastIndexOf('/');
    if (slash >= 0) {
      mc = byService.get(name.substring(0, slash));
      if (mc != null) {
        return mc;
      }
    }
    return defaultMethodConfig;
  }

  /** Every method config, in the order of the text. */
  public List<MethodConfig> methodConfigs() {
    return methodConfigs;
  }

  /**
   * The load-balancing configs in order of preference: {@code loadBalancingConfig}, or, when it
   * is absent, the deprecated {@code loadBalancingPolicy} name (lower-cased) with an empty config.
   */
  public List<LbConfig> loadBalancingConfigs() {
    return loadBalancingConfigs;
  }

  /** A2: the first config whose policy is {@code supported}; null if none (use the default). */
  public LbConfig selectLoadBalancingConfig(Predicate<String> supported) {
    for (LbConfig c : loadBalancingConfigs) {
      if (supported.test(c.policyName())) {
        return c;
      }
    }
    return null;
  }

  /** The retry throttling, or null if none is configured. */
  public RetryThrottling retryThrottling() {
    return retryThrottling;
  }

  /** {@code healthCheckConfig.serviceName} (gRFC A17), or null if absent. */
  public String healthCheckServiceName() {
    return healthCheckServiceName;
  }

  @Override
  public String toString() {
    return "ServiceConfig{loadBalancingConfigs=" + loadBalancingConfigs + ", methodConfigs="
        + methodConfigs + ", retryThrottling=" + retryThrottling + ", healthCheckServiceName="
        + healthCheckServiceName + "}";
  }

  /**
   * One A2 {@code name} entry: a service and method, a whole service ({@code method} empty), or
   * the default for every method ({@code service} and {@code method} empty).
   */
  public record Name(String service, String method) {
    public Name {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(method, "method");
      if (service.isEmpty() && !method.isEmpty()) {
        throw new IllegalArgumentException("a method name needs a service");
      }
    }

    public boolean isDefault() {
      return service.isEmpty();
    }

    @Override
    public String toString() {
      return isDefault() ? "{}" : method.isEmpty() ? service : service + "/" + method;
    }
  }

  /**
   * One {@code methodConfig} entry. Nullable components are null when the field is absent.
   *
   * @param names the methods it applies to, at least one
   * @param timeout the call deadline, or null
   * @param waitForReady or null
   * @param maxRequestMessageBytes or null
   * @param maxResponseMessageBytes or null
   * @param retryPolicy or null; never both this and {@code hedgingPolicy}
   * @param hedgingPolicy or null
   */
  public record MethodConfig(List<Name> names, Duration timeout, Boolean waitForReady,
      Integer maxRequestMessageBytes, Integer maxResponseMessageBytes, RetryPolicy retryPolicy,
      HedgingConfig hedgingPolicy) {
    public MethodConfig {
      names = List.copyOf(names);
      if (retryPolicy != null && hedgingPolicy != null) {
        throw new IllegalArgumentException("both retryPolicy and hedgingPolicy");
      }
    }
  }

  /**
   * A6 {@code hedgingPolicy}; {@link #toPolicy()} is the engine's {@link HedgingPolicy}.
   *
   * @param maxAttempts 2 to 5 (more is read as 5)
   * @param hedgingDelay between sending attempts; zero sends them all at once
   * @param nonFatalStatusCodes codes after which the other attempts carry on
   */
  public record HedgingConfig(int maxAttempts, Duration hedgingDelay,
      Set<Status.Code> nonFatalStatusCodes) {
    public HedgingConfig {
      nonFatalStatusCodes = nonFatalStatusCodes.isEmpty()
          ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(nonFatalStatusCodes));
    }

    /** The same policy as the retry engine takes it. */
    public HedgingPolicy toPolicy() {
      return HedgingPolicy.builder().maxAttempts(maxAttempts).hedgingDelay(hedgingDelay)
          .nonFatalStatusCodes(nonFatalStatusCodes.toArray(new Status.Code[0])).build();
    }
  }

  /**
   * A6 {@code retryThrottling}.
   *
   * @param maxTokens 1 to 1000
   * @param tokenRatio above 0, at most three decimal places (more are dropped, as A6 says)
   */
  public record RetryThrottling(int maxTokens, double tokenRatio) {
    /** A fresh token bucket for one channel. */
    public RetryThrottle newThrottle() {
      return new RetryThrottle(maxTokens, tokenRatio);
    }
  }

  /** One entry of {@code loadBalancingConfig}: the policy name and its raw JSON config. */
  public record LbConfig(String policyName, Map<String, Object> config) {
    public LbConfig {
      Objects.requireNonNull(policyName, "policyName");
      config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }
  }

  // ---- parsing ----

  private static List<LbConfig> loadBalancing(Map<String, Object> top) {
    List<LbConfig> out = new ArrayList<>();
    List<Object> configs = list(top.get("loadBalancingConfig"), "loadBalancingConfig");
    if (configs != null) {
      for (int i = 0; i < configs.size(); i++) {
        String path = "loadBalancingConfig[" + i + "]";
        Map<String, Object> entry = object(configs.get(i), path);
        if (entry.size() != 1) {
          throw fail(path, "must have exactly one policy name, has " + entry.size());
        }
        Map.Entry<String, Object> e = entry.entrySet().iterator().next();
        Map<String, Object> config = optionalObject(e.getValue(), path + "." + e.getKey());
        out.add(new LbConfig(e.getKey(), config == null ? Map.of() : config));
      }
      return out;
    }
    String legacy = string(top.get("loadBalancingPolicy"), "loadBalancingPolicy");
    if (legacy != null) {
      // A2: the deprecated field's names are case-insensitive ("ROUND_ROBIN").
      out.add(new LbConfig(legacy.toLowerCase(Locale.ROOT), Map.of()));
    }
    return out;
  }

  private static MethodConfig methodConfig(Object value, String path) {
    Map<String, Object> mc = object(value, path);
    List<Object> rawNames = list(mc.get("name"), path + ".name");
    if (rawNames == null || rawNames.isEmpty()) {
      throw fail(path + ".name", "must list at least one name");
    }
    List<Name> names = new ArrayList<>();
    for (int i = 0; i < rawNames.size(); i++) {
      names.add(name(rawNames.get(i), path + ".name[" + i + "]"));
    }
    Duration timeout = duration(mc.get("timeout"), path + ".timeout");
    if (timeout != null && timeout.isNegative()) {
      throw fail(path + ".timeout", "must not be negative");
    }
    Boolean waitForReady = bool(mc.get("waitForReady"), path + ".waitForReady");
    Integer maxRequest = messageSize(mc.get("maxRequestMessageBytes"),
        path + ".maxRequestMessageBytes");
    Integer maxResponse = messageSize(mc.get("maxResponseMessageBytes"),
        path + ".maxResponseMessageBytes");
    RetryPolicy retry = retryPolicy(mc.get("retryPolicy"), path + ".retryPolicy");
    HedgingConfig hedging = hedgingPolicy(mc.get("hedgingPolicy"), path + ".hedgingPolicy");
    if (retry != null && hedging != null) {
      // A6: "a method may have a retry policy or a hedging policy, but not both".
      throw fail(path, "must not have both retryPolicy and hedgingPolicy");
    }
    return new MethodConfig(names, timeout, waitForReady, maxRequest, maxResponse, retry, hedging);
  }

  private static Name name(Object value, String path) {
    Map<String, Object> n = object(value, path);
    String service = string(n.get("service"), path + ".service");
    String method = string(n.get("method"), path + ".method");
    service = service == null ? "" : service;
    method = method == null ? "" : method;
    if (service.isEmpty() && !method.isEmpty()) {
      // A2: an empty service must come with an empty method (the default config).
      throw fail(path + ".method", "must be empty when service is empty");
    }
    if (service.indexOf('/') >= 0) {
      throw fail(path + ".service", "must not contain '/'");
    }
    if (method.indexOf('/') >= 0) {
      throw fail(path + ".method", "must not contain '/'");
    }
    return new Name(service, method);
  }

  private static RetryPolicy retryPolicy(Object value, String path) {
    Map<String, Object> rp = optionalObject(value, path);
    if (rp == null) {
      return null;
    }
    int maxAttempts = maxAttempts(rp, path);
    Duration initial = requiredPositive(rp, "initialBackoff", path);
    Duration max = requiredPositive(rp, "maxBackoff", path);
    if (max.compareTo(initial) < 0) {
      // Tern's RetryPolicy refuses a ceiling below the starting point (A6 leaves it open).
      throw fail(path + ".maxBackoff", "must not be below initialBackoff");
    }
    Double multiplier = number(rp.get("backoffMultiplier"), path + ".backoffMultiplier");
    if (multiplier == null) {
      throw fail(path + ".backoffMultiplier", "is required");
    }
    if (!(multiplier > 0)) {
      throw fail(path + ".backoffMultiplier", "must be greater than 0");
    }
    Set<Status.Code> codes = codes(rp.get("retryableStatusCodes"),
        path + ".retryableStatusCodes");
    if (codes == null || codes.isEmpty()) {
      throw fail(path + ".retryableStatusCodes", "must list at least one code");
    }
    for (Status.Code c : codes) {
      if (c == Status.Code.OK || c == Status.Code.INVALID_ARGUMENT
          || c == Status.Code.PERMISSION_DENIED || c == Status.Code.UNAUTHENTICATED) {
        // dev.tern.retry.RetryPolicy: the same request cannot succeed by being sent again.
        throw fail(path + ".retryableStatusCodes", c + " is never retryable");
      }
    }
    return RetryPolicy.builder()
        .maxAttempts(maxAttempts)
        .initialBackoff(initial)
        .maxBackoff(max)
        .backoffMultiplier(multiplier)
        .retryableCodes(codes.toArray(new Status.Code[0]))
        .build();
  }

  private static HedgingConfig hedgingPolicy(Object value, String path) {
    Map<String, Object> hp = optionalObject(value, path);
    if (hp == null) {
      return null;
    }
    int maxAttempts = maxAttempts(hp, path);
    Duration delay = duration(hp.get("hedgingDelay"), path + ".hedgingDelay");
    if (delay == null) {
      delay = Duration.ZERO;
    } else if (delay.isNegative()) {
      throw fail(path + ".hedgingDelay", "must not be negative");
    }
    Set<Status.Code> codes = codes(hp.get("nonFatalStatusCodes"), path + ".nonFatalStatusCodes");
    return new HedgingConfig(maxAttempts, delay, codes == null ? Set.of() : codes);
  }

  /** A6: required, at least 2; above 5 is read as 5. */
  private static int maxAttempts(Map<String, Object> policy, String path) {
    Long n = integer(policy.get("maxAttempts"), path + ".maxAttempts");
    if (n == null) {
      throw fail(path + ".maxAttempts", "is required");
    }
    if (n < 2) {
      throw fail(path + ".maxAttempts", "must be at least 2");
    }
    return (int) Math.min(n, MAX_ATTEMPTS_LIMIT);
  }

  private static Duration requiredPositive(Map<String, Object> policy, String field, String path) {
    Duration d = duration(policy.get(field), path + "." + field);
    if (d == null) {
      throw fail(path + "." + field, "is required");
    }
    if (d.isNegative() || d.isZero()) {
      throw fail(path + "." + field, "must be greater than 0");
    }
    return d;
  }

  private static RetryThrottling retryThrottling(Object value, String path) {
    Map<String, Object> rt = optionalObject(value, path);
    if (rt == null) {
      return null;
    }
    Long maxTokens = integer(rt.get("maxTokens"), path + ".maxTokens");
    if (maxTokens == null) {
      throw fail(path + ".maxTokens", "is required");
    }
    if (maxTokens <= 0 || maxTokens > MAX_THROTTLING_TOKENS) {
      throw fail(path + ".maxTokens", "must be in (0, 1000]");
    }
    Double ratio = number(rt.get("tokenRatio"), path + ".tokenRatio");
    if (ratio == null) {
      throw fail(path + ".tokenRatio", "is required");
    }
    if (!(ratio > 0)) {
      throw fail(path + ".tokenRatio", "must be greater than 0");
    }
    // A6: "up to 3 decimal places are supported"; further ones are dropped.
    double truncated = BigDecimal.valueOf(ratio).setScale(3, java.math.RoundingMode.DOWN)
        .doubleValue();
    if (truncated <= 0) {
      throw fail(path + ".tokenRatio", "must be at least 0.001");
    }
    return new RetryThrottling(maxTokens.intValue(), truncated);
  }

  /** uint32 in the proto; values past Integer.MAX_VALUE are read as Integer.MAX_VALUE. */
  private static Integer messageSize(Object value, String path) {
    Long n = integer(value, path);
    if (n == null) {
      return null;
    }
    if (n < 0) {
      throw fail(path, "must not be negative");
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  /** Status codes as their canonical names ("UNAVAILABLE") or numbers (14), as A6 allows. */
  private static Set<Status.Code> codes(Object value, String path) {
    List<Object> list = list(value, path);
    if (list == null) {
      return null;
    }
    Set<Status.Code> codes = EnumSet.noneOf(Status.Code.class);
    for (int i = 0; i < list.size(); i++) {
      Object c = list.get(i);
      String at = path + "[" + i + "]";
      if (c instanceof String s) {
        try {
          codes.add(Status.Code.valueOf(s));
        } catch (IllegalArgumentException e) {
          throw fail(at, "unknown status code \"" + s + "\"");
        }
      } else if (c instanceof Double d) {
        if (d != Math.rint(d) || d < 0 || d > Status.Code.UNAUTHENTICATED.value()) {
          throw fail(at, "unknown status code " + d);
        }
        codes.add(Status.Code.fromValue(d.intValue()));
      } else {
        throw fail(at, "must be a status code name or number");
      }
    }
    return codes;
  }

  /** A protobuf JSON Duration string such as "1.5s"; null if absent. */
  static Duration duration(Object value, String path) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw fail(path, "must be a duration string such as \"1.5s\"");
    }
    Matcher m = DURATION.matcher(s);
    if (!m.matches()) {
      throw fail(path, "must be a duration string such as \"1.5s\", got \"" + s + "\"");
    }
    String secondsText = m.group(2);
    if (secondsText.length() > 12 || Long.parseLong(secondsText) > MAX_DURATION_SECONDS) {
      throw fail(path, "out of range");
    }
    long seconds = Long.parseLong(secondsText);
    String frac = m.group(3);
    long nanos = frac == null ? 0 : Long.parseLong((frac + "00000000").substring(0, 9));
    Duration d = Duration.ofSeconds(seconds, nanos);
    return m.group(1) != null ? d.negated() : d;
  }

  private static Map<String, Object> object(Object value, String path) {
    Map<String, Object> m = optionalObject(value, path);
    if (m == null) {
      throw fail(path, "must be an object");
    }
    return m;
  }

  private static Map<String, Object> optionalObject(Object value, String path) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map<?, ?> m)) {
      throw fail(path, "must be an object");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getKey() instanceof String k)) {
        throw fail(path, "has a name that is not a string");
      }
      out.put(k, e.getValue());
    }
    return out;
  }

  private static List<Object> list(Object value, String path) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof List<?> l)) {
      throw fail(path, "must be an array");
    }
    return new ArrayList<>(l);
  }

  private static String string(Object value, String path) {
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw fail(path, "must be a string");
  }

  private static Boolean bool(Object value, String path) {
    if (value == null || value instanceof Boolean) {
      return (Boolean) value;
    }
    throw fail(path, "must be true or false");
  }

  private static Double number(Object value, String path) {
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    throw fail(path, "must be a number");
  }

  /** An integral JSON number, or a string of digits (protobuf JSON writes 64-bit ints so). */
  private static Long integer(Object value, String path) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s && s.matches("-?[0-9]{1,18}")) {
      return Long.parseLong(s);
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 9.0e18) {
        return (long) d;
      }
    }
    throw fail(path, "must be an integer");
  }

  private static IllegalArgumentException fail(String path, String message) {
    return new IllegalArgumentException(path + ": " + message);
  }
}
