package dev.tern.interop;

import dev.tern.interop.proto.Messages.TestOrcaReport;
import dev.tern.services.CallMetricRecorder;
import dev.tern.services.MetricRecorder;

/**
 * The interop cases' ORCA reports ({@code TestOrcaReport}, which mirrors {@code OrcaLoadReport})
 * recorded as the server's load: per call for orca_per_rpc, out of band for orca_oob. Stateless.
 */
final class OrcaReports {
  private OrcaReports() {}

  /** Records {@code report} for the current call's endpoint-load-metrics-bin trailer. */
  static void recordPerCall(TestOrcaReport report) {
    CallMetricRecorder recorder = CallMetricRecorder.current()
        .recordCpuUtilizationMetric(report.getCpuUtilization())
        .recordMemoryUtilizationMetric(report.getMemoryUtilization());
    report.getRequestCostMap().forEach(recorder::recordRequestCostMetric);
    report.getUtilizationMap().forEach(recorder::recordUtilizationMetric);
  }

  /** Makes {@code report} the load the out-of-band service reports from now on. */
  static void setOutOfBand(MetricRecorder recorder, TestOrcaReport report) {
    recorder.setCpuUtilizationMetric(report.getCpuUtilization());
    recorder.setMemoryUtilizationMetric(report.getMemoryUtilization());
    recorder.setAllUtilizationMetrics(report.getUtilizationMap());
  }
}
