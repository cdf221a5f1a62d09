package dev.tern.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.Status;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryMetricsTest {
  @Test
  void bucketsFollowUpperInclusiveBounds() {
    assertEquals(0, InMemoryMetrics.bucket(0));
    assertEquals(1, InMemoryMetrics.bucket(0.000005));
    assertEquals(1, InMemoryMetrics.bucket(0.00001));
    assertEquals(MetricsRecorder.LATENCY_BUCKETS_SECONDS.size(), InMemoryMetrics.bucket(1000));
  }

  @Test
  void countsCallsPerStatusAndLatency() {
    InMemoryMetrics m = new InMemoryMetrics();
    m.serverCallStarted("a.B/C");
    m.serverCallStarted("a.B/C");
    m.serverCallEnded("a.B/C", Status.Code.OK, TimeUnit.MILLISECONDS.toNanos(3), 1, 2);
    m.serverCallEnded("a.B/C", Status.Code.INTERNAL, TimeUnit.SECONDS.toNanos(2), 1, 2);
    InMemoryMetrics.MethodStats s = m.server("a.B/C");
    assertEquals(2, s.started());
    assertEquals(2, s.ended());
    assertEquals(1, s.count(Status.Code.OK));
    assertEquals(1, s.count(Status.Code.INTERNAL));
    int threeMs = MetricsRecorder.LATENCY_BUCKETS_SECONDS.indexOf(0.003);
    assertEquals(1, s.latencyBucketCounts()[threeMs]);
    int twoS = MetricsRecorder.LATENCY_BUCKETS_SECONDS.indexOf(2d);
    assertEquals(1, s.latencyBucketCounts()[twoS]);
    assertEquals(0, m.server("x.Y/Z").started());
  }
}
