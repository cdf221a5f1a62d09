package dev.tern.services;

import dev.tern.services.orca.v3.OrcaLoadReport;
import java.util.Map;
import java.util.Objects;

/**
 * A server's current load (gRFC A51, ORCA), which {@link OrcaOobService} reports out of band to
 * every client that asks. The application updates it as it measures; a setter replaces the
 * earlier value, and each report carries the values set at the time it is sent.
 *
 * <p>Thread-safe.
 */
public final class MetricRecorder {
  private final Object lock = new Object();
  private OrcaLoadReport current = OrcaLoadReport.getDefaultInstance();

  private MetricRecorder() {}

  public static MetricRecorder create() {
    return new MetricRecorder();
  }

  /** CPU utilization, a fraction of the available CPU; may exceed 1. */
  public void setCpuUtilizationMetric(double value) {
    double v = OrcaValues.nonNegative("cpu_utilization", value);
    update(b -> b.setCpuUtilization(v));
  }

  /** Memory utilization, a fraction of the available memory in [0, 1]. */
  public void setMemoryUtilizationMetric(double value) {
    double v = OrcaValues.fraction("mem_utilization", value);
    update(b -> b.setMemUtilization(v));
  }

  /** The application's own utilization figure; may exceed 1. */
  public void setApplicationUtilizationMetric(double value) {
    double v = OrcaValues.nonNegative("application_utilization", value);
    update(b -> b.setApplicationUtilization(v));
  }

  /** Queries (requests) per second. */
  public void setQpsMetric(double value) {
    double v = OrcaValues.nonNegative("rps_fractional", value);
    update(b -> b.setRpsFractional(v));
  }

  /** Errors per second. */
  public void setEpsMetric(double value) {
    double v = OrcaValues.nonNegative("eps", value);
    update(b -> b.setEps(v));
  }

  /** The utilization of a named resource, a fraction in [0, 1]. */
  public void putUtilizationMetric(String name, double value) {
    Objects.requireNonNull(name, "name");
    double v = OrcaValues.fraction("utilization", value);
    update(b -> b.putUtilization(name, v));
  }

  /** Replaces every named utilization with {@code values}. */
  public void setAllUtilizationMetrics(Map<String, Double> values) {
    values.forEach((name, value) -> OrcaValues.fraction("utilization", value));
    Map<String, Double> copy = Map.copyOf(values);
    update(b -> b.clearUtilization().putAllUtilization(copy));
  }

  /** Removes a named utilization. */
  public void removeUtilizationMetric(String name) {
    update(b -> b.removeUtilization(name));
  }

  /** Clears every value: reports are then empty. */
  public void clear() {
    synchronized (lock) {
      current = OrcaLoadReport.getDefaultInstance();
    }
  }

  /** The values now, as the next out-of-band report carries them. */
  OrcaLoadReport snapshot() {
    synchronized (lock) {
      return current;
    }
  }

  private void update(java.util.function.Consumer<OrcaLoadReport.Builder> change) {
    synchronized (lock) {
      OrcaLoadReport.Builder b = current.toBuilder();
      change.accept(b);
      current = b.build();
    }
  }
}
