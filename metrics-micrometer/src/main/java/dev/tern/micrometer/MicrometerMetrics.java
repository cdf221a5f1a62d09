package dev.tern.micrometer;

import dev.tern.Status;
import dev.tern.metrics.MetricsRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Records Tern's call metrics into a Micrometer {@link MeterRegistry}, with gRFC A66's instrument
 * names and attributes (as Micrometer tags):
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th></tr>
 *   <tr><td>grpc.server.call.started</td><td>counter</td><td>grpc.method</td></tr>
 *   <tr><td>grpc.server.call.duration</td><td>timer</td><td>grpc.method, grpc.status</td></tr>
 *   <tr><td>grpc.server.call.sent_total_compressed_message_size</td><td>summary (bytes)</td>
 *       <td>grpc.method, grpc.status</td></tr>
 *   <tr><td>grpc.server.call.rcvd_total_compressed_message_size</td><td>summary (bytes)</td>
 *       <td>grpc.method, grpc.status</td></tr>
 *   <tr><td>grpc.client.attempt.started</td><td>counter</td><td>grpc.method, grpc.target</td></tr>
 *   <tr><td>grpc.client.attempt.duration</td><td>timer</td>
 *       <td>grpc.method, grpc.target, grpc.status</td></tr>
 *   <tr><td>grpc.client.attempt.sent_total_compressed_message_size</td><td>summary (bytes)</td>
 *       <td>grpc.method, grpc.target, grpc.status</td></tr>
 *   <tr><td>grpc.client.attempt.rcvd_total_compressed_message_size</td><td>summary (bytes)</td>
 *       <td>grpc.method, grpc.target, grpc.status</td></tr>
 *   <tr><td>grpc.client.call.duration</td><td>timer</td>
 *       <td>grpc.method, grpc.target, grpc.status</td></tr>
 * </table>
 *
 * <p>{@code grpc.status} is the code's name ({@code OK}, {@code UNAVAILABLE}). The
 * {@code *_compressed_message_size} summaries record message bytes as on the wire: compressed
 * when the call uses an encoding such as gzip (see {@link MetricsRecorder}). Every client attempt
 * counts, retries, hedges and transparent retries included. Timers and summaries publish
 * histogram buckets at A66's boundaries. Registries rename meters after their
 * own conventions (Prometheus: {@code grpc_server_call_duration_seconds}).
 *
 * <pre>{@code
 * MicrometerMetrics metrics = new MicrometerMetrics(registry);
 * TernServer.builder()
 *     .addStreamTracerFactory(MetricsInterceptors.serverStreamTracerFactory(metrics)) ...
 * TernChannel.builder().intercept(MetricsInterceptors.client(metrics)) ...
 * }</pre>
 *
 * <p>Thread-safe; meters are created once per method/status (and target) and cached.
 */
public final class MicrometerMetrics implements MetricsRecorder {
  static final String METHOD = "grpc.method";
  static final String STATUS = "grpc.status";
  static final String TARGET = "grpc.target";

  private static final Duration[] LATENCY_SLOS = LATENCY_BUCKETS_SECONDS.stream()
      .filter(s -> s > 0)
      .map(s -> Duration.ofNanos((long) (s * 1e9)))
      .toArray(Duration[]::new);
  private static final double[] SIZE_SLOS = SIZE_BUCKETS_BYTES.stream()
      .filter(b -> b > 0)
      .mapToDouble(Long::doubleValue)
      .toArray();

  private final MeterRegistry registry;
  private final ConcurrentHashMap<Object, Object> meters = new ConcurrentHashMap<>();

  public MicrometerMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void serverCallStarted(String method) {
    counter("grpc.server.call.started", Tags.of(METHOD, method)).increment();
  }

  @Override
  public void serverCallEnded(String method, Status.Code code, long durationNanos,
      long sentBytes, long receivedBytes) {
    Tags tags = Tags.of(METHOD, method, STATUS, code.name());
    timer("grpc.server.call.duration", tags).record(durationNanos, TimeUnit.NANOSECONDS);
    size("grpc.server.call.sent_total_compressed_message_size", tags, sentBytes);
    size("grpc.server.call.rcvd_total_compressed_message_size", tags, receivedBytes);
  }

  @Override
  public void clientAttemptStarted(String method, String target) {
    counter("grpc.client.attempt.started", Tags.of(METHOD, method, TARGET, target)).increment();
  }

  @Override
  public void clientAttemptEnded(String method, String target, Status.Code code,
      long durationNanos, long sentBytes, long receivedBytes) {
    Tags tags = Tags.of(METHOD, method, TARGET, target, STATUS, code.name());
    timer("grpc.client.attempt.duration", tags).record(durationNanos, TimeUnit.NANOSECONDS);
    size("grpc.client.attempt.sent_total_compressed_message_size", tags, sentBytes);
    size("grpc.client.attempt.rcvd_total_compressed_message_size", tags, receivedBytes);
  }

  @Override
  public void clientCallEnded(String method, String target, Status.Code code,
      long durationNanos) {
    timer("grpc.client.call.duration", Tags.of(METHOD, method, TARGET, target, STATUS,
        code.name())).record(durationNanos, TimeUnit.NANOSECONDS);
  }

  private Counter counter(String name, Tags tags) {
    return cached(name, tags, k -> Counter.builder(name)
        .description(description(name)).baseUnit("calls").tags(tags).register(registry));
  }

  private Timer timer(String name, Tags tags) {
    return cached(name, tags, k -> Timer.builder(name)
        .description(description(name)).tags(tags)
        .serviceLevelObjectives(LATENCY_SLOS).register(registry));
  }

  private void size(String name, Tags tags, long bytes) {
    if (bytes < 0) {
      return; // the marshaller could not tell
    }
    DistributionSummary s = cached(name, tags, k -> DistributionSummary.builder(name)
        .description(description(name)).baseUnit("bytes").tags(tags)
        .serviceLevelObjectives(SIZE_SLOS).register(registry));
    s.record(bytes);
  }

  @SuppressWarnings("unchecked")
  private <M> M cached(String name, Tags tags, Function<Object, M> create) {
    return (M) meters.computeIfAbsent(new Key(name, tags), k -> create.apply(k));
  }

  private static String description(String name) {
    switch (name) {
      case "grpc.server.call.started":
        return "Server calls started";
      case "grpc.server.call.duration":
        return "Server call duration, from the first header to the status";
      case "grpc.client.attempt.started":
        return "Client call attempts started, retries included";
      case "grpc.client.attempt.duration":
        return "Client attempt duration";
      case "grpc.client.call.duration":
        return "Client call duration, all attempts included";
      default:
        return name.contains("sent") ? "Compressed message bytes sent per call or attempt"
            : "Compressed message bytes received per call or attempt";
    }
  }

  /** A meter's identity for the cache. Immutable. */
  private static final class Key {
    final String name;
    final Tags tags;

    Key(String name, Tags tags) {
      this.name = name;
      this.tags = tags;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && ((Key) o).name.equals(name) && ((Key) o).tags.equals(tags);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + tags.hashCode();
    }
  }
}
