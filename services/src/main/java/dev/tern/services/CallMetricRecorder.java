package dev.tern.services;

import dev.tern.Context;
import dev.tern.services.orca.v3.OrcaLoadReport;
import java.util.Objects;

/**
 * The backend metrics of one call (gRFC A51, ORCA), sent to the client in the
 * {@code endpoint-load-metrics-bin} trailer as an {@code xds.data.orca.v3.OrcaLoadReport}. A
 * handler reaches its call's recorder through {@link #current()} when the server runs
 * {@link OrcaServerInterceptor}; a later value for the same metric replaces the earlier one.
 *
 * <pre>{@code
 * CallMetricRecorder.current()
 *     .recordCpuUtilizationMetric(0.42)
 *     .recordRequestCostMetric("db_rows", 120);
 * }</pre>
 *
 * <p>Thread-safe: a handler may record from any thread until the call closes.
 */
public final class CallMetricRecorder {
  static final Context.Key<CallMetricRecorder> KEY = Context.key("tern-orca-call-metrics");
  /** Where {@link #current()} records outside an intercepted call: nothing is sent. */
  private static final CallMetricRecorder DETACHED = new CallMetricRecorder();

  private final OrcaLoadReport.Builder report = OrcaLoadReport.newBuilder();
  private boolean recorded;

  CallMetricRecorder() {}

  /**
   * The recorder of the call whose handler is running (its {@link Context}). Outside a call
   * intercepted by {@link OrcaServerInterceptor} it is a recorder whose values go nowhere.
   */
  public static CallMetricRecorder current() {
    CallMetricRecorder recorder = KEY.get();
    return recorder != null ? recorder : DETACHED;
  }

  /** CPU utilization, a fraction of the available CPU; may exceed 1. */
  public CallMetricRecorder recordCpuUtilizationMetric(double value) {
    return record(b -> b.setCpuUtilization(OrcaValues.nonNegative("cpu_utilization", value)));
  }

  /** Memory utilization, a fraction of the available memory in [0, 1]. */
  public CallMetricRecorder recordMemoryUtilizationMetric(double value) {
    return record(b -> b.setMemUtilization(OrcaValues.fraction("mem_utilization", value)));
  }

  /** The application's own utilization figure; may exceed 1. */
  public CallMetricRecorder recordApplicationUtilizationMetric(double value) {
    return record(b -> b.setApplicationUtilization(
        OrcaValues.nonNegative("application_utilization", value)));
  }

  /** Queries (requests) per second. */
  public CallMetricRecorder recordQpsMetric(double value) {
    return record(b -> b.setRpsFractional(OrcaValues.nonNegative("rps_fractional", value)));
  }

  /** Errors per second. */
  public CallMetricRecorder recordEpsMetric(double value) {
    return record(b -> b.setEps(OrcaValues.nonNegative("eps", value)));
  }

  /** A cost of this request by name, an absolute value (bytes, rows, ...). */
  public CallMetricRecorder recordRequestCostMetric(String name, double value) {
    Objects.requireNonNull(name, "name");
    return record(b -> b.putRequestCost(name, OrcaValues.finite("request_cost", value)));
  }

  /** The utilization of a named resource, a fraction in [0, 1]. */
  public CallMetricRecorder recordUtilizationMetric(String name, double value) {
    Objects.requireNonNull(name, "name");
    return record(b -> b.putUtilization(name, OrcaValues.fraction("utilization", value)));
  }

  /** An application metric by name, opaque to load balancers. */
  public CallMetricRecorder recordNamedMetric(String name, double value) {
    Objects.requireNonNull(name, "name");
    return record(b -> b.putNamedMetrics(name, OrcaValues.finite("named_metrics", value)));
  }

  private CallMetricRecorder record(java.util.function.Consumer<OrcaLoadReport.Builder> change) {
    if (this == DETACHED) {
      return this;
    }
    synchronized (report) {
      change.accept(report);
      recorded = true;
    }
    return this;
  }

  /** What was recorded, or null if nothing was (then no trailer is sent). */
  OrcaLoadReport finish() {
    synchronized (report) {
      return recorded ? report.build() : null;
    }
  }
}
