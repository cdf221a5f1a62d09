package dev.tern.services;

import dev.tern.ServerServiceDefinition;
import dev.tern.services.orca.v3.OpenRcaServiceTern;
import dev.tern.services.orca.v3.OrcaLoadReport;
import dev.tern.services.orca.v3.OrcaLoadReportRequest;
import dev.tern.stub.ServerCallStreamObserver;
import dev.tern.stub.StreamObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The out-of-band ORCA service (gRFC A51), {@code xds.service.orca.v3.OpenRcaService}: each
 * {@code StreamCoreMetrics} call receives the {@link MetricRecorder}'s values at once and then at
 * the interval the client asks for, but never more often than the minimum interval (30 s unless
 * set otherwise, as grpc-java's), so a client cannot make the server report in a busy loop.
 *
 * <pre>{@code
 * MetricRecorder load = MetricRecorder.create();
 * TernServer.builder().addService(OrcaOobService.create(load).getService())...
 * load.setCpuUtilizationMetric(0.42);
 * }</pre>
 *
 * <p>Thread-safe: reports are sent from one shared daemon scheduler thread; calls start on the
 * server's executors.
 */
public final class OrcaOobService {
  /** The shortest interval between reports unless set otherwise (grpc-java's default too). */
  public static final Duration DEFAULT_MIN_REPORT_INTERVAL = Duration.ofSeconds(30);

  private static final ScheduledExecutorService SCHEDULER =
      Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "tern-orca-oob");
        t.setDaemon(true);
        return t;
      });

  private final MetricRecorder recorder;
  private final long minIntervalNanos;
  private final ServerServiceDefinition service;

  private OrcaOobService(MetricRecorder recorder, Duration minReportInterval) {
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    if (minReportInterval.isNegative() || minReportInterval.isZero()) {
      throw new IllegalArgumentException(
          "minReportInterval must be positive: " + minReportInterval);
    }
    this.minIntervalNanos = minReportInterval.toNanos();
    this.service = OpenRcaServiceTern.bindService(new Impl());
  }

  /** Reports {@code recorder}'s values at most every {@link #DEFAULT_MIN_REPORT_INTERVAL}. */
  public static OrcaOobService create(MetricRecorder recorder) {
    return new OrcaOobService(recorder, DEFAULT_MIN_REPORT_INTERVAL);
  }

  /** Reports {@code recorder}'s values at most every {@code minReportInterval} (positive). */
  public static OrcaOobService create(MetricRecorder recorder, Duration minReportInterval) {
    return new OrcaOobService(recorder, Objects.requireNonNull(minReportInterval,
        "minReportInterval"));
  }

  /** The service to register on the server (the same each time). */
  public ServerServiceDefinition getService() {
    return service;
  }

  /** The interval a request asks for, raised to the minimum. */
  long intervalNanos(OrcaLoadReportRequest request) {
    long asked = request.hasReportInterval()
        ? TimeUnit.SECONDS.toNanos(request.getReportInterval().getSeconds())
            + request.getReportInterval().getNanos()
        : 0;
    return Math.max(asked, minIntervalNanos);
  }

  private final class Impl implements OpenRcaServiceTern.AsyncService {
    @Override
    public void streamCoreMetrics(OrcaLoadReportRequest request,
        StreamObserver<OrcaLoadReport> responses) {
      // Tern's server adapters always hand a ServerCallStreamObserver to service methods.
      Reporter reporter = new Reporter((ServerCallStreamObserver<OrcaLoadReport>) responses);
      reporter.start(intervalNanos(request));
    }
  }

  /**
   * One stream's reports. A report is skipped while the stream cannot take it (nothing queues:
   * the next one carries newer values). Thread-safe: the scheduler sends, the call's executor
   * cancels; one lock serializes them.
   */
  private final class Reporter {
    private final ServerCallStreamObserver<OrcaLoadReport> out;
    private ScheduledFuture<?> task;
    private boolean cancelled;

    Reporter(ServerCallStreamObserver<OrcaLoadReport> out) {
      this.out = out;
    }

    void start(long intervalNanos) {
      out.setOnCancelHandler(this::cancel);
      synchronized (this) {
        if (cancelled || out.isCancelled()) {
          return;
        }
        task = SCHEDULER.scheduleAtFixedRate(this::report, 0, intervalNanos,
            TimeUnit.NANOSECONDS);
      }
    }

    private synchronized void report() {
      if (cancelled || out.isCancelled()) {
        cancel();
        return;
      }
      if (out.isReady()) {
        out.onNext(recorder.snapshot());
      }
    }

    private synchronized void cancel() {
      cancelled = true;
      if (task != null) {
        task.cancel(false);
      }
    }
  }
}
