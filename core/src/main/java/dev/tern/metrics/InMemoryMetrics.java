package dev.tern.metrics;

import dev.tern.Status;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link MetricsRecorder} that keeps per-method counters in memory: calls started, calls
 * ended per status code, a latency histogram with gRFC A66's bucket boundaries, client attempts,
 * and the compressed message bytes each way (gRFC A66's {@code *_compressed_message_size},
 * summed). Good for
 * tests, health pages and small services; use the Micrometer or OpenTelemetry binding to export.
 *
 * <pre>{@code
 * InMemoryMetrics metrics = new InMemoryMetrics();
 * TernServer.builder()
 *     .addStreamTracerFactory(MetricsInterceptors.serverStreamTracerFactory(metrics)) ...
 * TernChannel.builder().intercept(MetricsInterceptors.client(metrics)) ...
 * metrics.server("shop.Orders/Get").count(Status.Code.OK);
 * }</pre>
 *
 * <p>Thread-safe; recording is lock-free.
 */
public final class InMemoryMetrics implements MetricsRecorder {
  private static final double[] BOUNDS = LATENCY_BUCKETS_SECONDS.stream()
      .mapToDouble(Double::doubleValue).toArray();

  private final Map<String, Accumulator> server = new ConcurrentHashMap<>();
  private final Map<String, Accumulator> client = new ConcurrentHashMap<>();

  /** A snapshot of the server side of {@code method} (all zero if it was never called). */
  public MethodStats server(String method) {
    Accumulator a = server.get(method);
    return a == null ? MethodStats.EMPTY : a.snapshot();
  }

  /** A snapshot of the client side of {@code method}: whole calls, and attempts. */
  public MethodStats client(String method) {
    Accumulator a = client.get(method);
    return a == null ? MethodStats.EMPTY : a.snapshot();
  }

  /** The methods seen on the server side, sorted. */
  public Set<String> serverMethods() {
    return Collections.unmodifiableSet(new TreeSet<>(server.keySet()));
  }

  /** The methods seen on the client side, sorted. */
  public Set<String> clientMethods() {
    return Collections.unmodifiableSet(new TreeSet<>(client.keySet()));
  }

  @Override
  public void serverCallStarted(String method) {
    acc(server, method).started.increment();
  }

  @Override
  public void serverCallEnded(String method, Status.Code code, long durationNanos,
      long sentBytes, long receivedBytes) {
    Accumulator a = acc(server, method);
    a.ended(code, durationNanos);
    a.bytes(sentBytes, receivedBytes);
  }

  @Override
  public void clientAttemptStarted(String method, String target) {
    acc(client, method).attempts.increment();
  }

  @Override
  public void clientAttemptEnded(String method, String target, Status.Code code,
      long durationNanos, long sentBytes, long receivedBytes) {
    acc(client, method).bytes(sentBytes, receivedBytes);
  }

  @Override
  public void clientCallEnded(String method, String target, Status.Code code,
      long durationNanos) {
    Accumulator a = acc(client, method);
    a.started.increment();
    a.ended(code, durationNanos);
  }

  private static Accumulator acc(Map<String, Accumulator> map, String method) {
    Accumulator a = map.get(method);
    return a != null ? a : map.computeIfAbsent(method, m -> new Accumulator());
  }

  /** Index of the bucket for {@code seconds}: the first bound that is at least it. */
  static int bucket(double seconds) {
    int lo = 0;
    int hi = BOUNDS.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (BOUNDS[mid] < seconds) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo; // BOUNDS.length for the overflow bucket
  }

  /** One method's counters; recorded from any thread, lock-free. */
  private static final class Accumulator {
    final LongAdder started = new LongAdder();
    final LongAdder attempts = new LongAdder();
    final AtomicLongArray codes = new AtomicLongArray(Status.Code.values().length);
    final AtomicLongArray buckets = new AtomicLongArray(BOUNDS.length + 1);
    final LongAdder latencyNanos = new LongAdder();
    final LongAdder sentBytes = new LongAdder();
    final LongAdder receivedBytes = new LongAdder();

    void bytes(long sent, long received) {
      if (sent > 0) { // -1: not known
        sentBytes.add(sent);
      }
      if (received > 0) {
        receivedBytes.add(received);
      }
    }

    void ended(Status.Code code, long nanos) {
      codes.incrementAndGet(code.value());
      buckets.incrementAndGet(bucket(nanos / 1e9));
      latencyNanos.add(nanos);
    }

    MethodStats snapshot() {
      Map<Status.Code, Long> byCode = new EnumMap<>(Status.Code.class);
      long ended = 0;
      for (Status.Code c : Status.Code.values()) {
        long n = codes.get(c.value());
        if (n > 0) {
          byCode.put(c, n);
          ended += n;
        }
      }
      long[] b = new long[buckets.length()];
      for (int i = 0; i < b.length; i++) {
        b[i] = buckets.get(i);
      }
      return new MethodStats(started.sum(), attempts.sum(), ended, byCode, b,
          latencyNanos.sum(), sentBytes.sum(), receivedBytes.sum());
    }
  }

  /** Counters of one method at one moment. Immutable. */
  public static final class MethodStats {
    static final MethodStats EMPTY = new MethodStats(0, 0, 0, Map.of(),
        new long[BOUNDS.length + 1], 0, 0, 0);

    private final long started;
    private final long attempts;
    private final long ended;
    private final Map<Status.Code, Long> statusCounts;
    private final long[] buckets;
    private final long latencyNanos;
    private final long sentBytes;
    private final long receivedBytes;

    private MethodStats(long started, long attempts, long ended,
        Map<Status.Code, Long> statusCounts, long[] buckets, long latencyNanos, long sentBytes,
        long receivedBytes) {
      this.started = started;
      this.attempts = attempts;
      this.ended = ended;
      this.statusCounts = Collections.unmodifiableMap(statusCounts);
      this.buckets = buckets;
      this.latencyNanos = latencyNanos;
      this.sentBytes = sentBytes;
      this.receivedBytes = receivedBytes;
    }

    /** Calls started (on the client: calls ended, as a call is counted when it completes). */
    public long started() {
      return started;
    }

    /** Client attempts started (retries included); 0 on the server. */
    public long attempts() {
      return attempts;
    }

    /** Calls ended, with any status. */
    public long ended() {
      return ended;
    }

    /** Calls that ended with {@code code}. */
    public long count(Status.Code code) {
      return statusCounts.getOrDefault(code, 0L);
    }

    /** Ended calls per status code (codes never seen are absent). */
    public Map<Status.Code, Long> statusCounts() {
      return statusCounts;
    }

    /** The histogram's upper bounds in seconds ({@link MetricsRecorder#LATENCY_BUCKETS_SECONDS}). */
    public List<Double> latencyBoundsSeconds() {
      return LATENCY_BUCKETS_SECONDS;
    }

    /**
     * Calls per latency bucket: entry {@code i} counts latencies in
     * {@code (bound[i-1], bound[i]]}; the last entry counts those above the last bound.
     */
    public long[] latencyBucketCounts() {
      return buckets.clone();
    }

    /** The sum of all latencies, in nanoseconds. */
    public long totalLatencyNanos() {
      return latencyNanos;
    }

    /**
     * Message bytes sent, as on the wire (compressed, without the 5-byte prefix): over all ended
     * client attempts, or all ended server calls. Sizes that were not known are left out.
     */
    public long sentMessageBytes() {
      return sentBytes;
    }

    /** Message bytes received, as on the wire; see {@link #sentMessageBytes}. */
    public long receivedMessageBytes() {
      return receivedBytes;
    }

    @Override
    public String toString() {
      return "MethodStats{started=" + started + ", attempts=" + attempts + ", ended=" + ended
          + ", statusCounts=" + statusCounts + ", sentMessageBytes=" + sentBytes
          + ", receivedMessageBytes=" + receivedBytes + "}";
    }
  }
}
