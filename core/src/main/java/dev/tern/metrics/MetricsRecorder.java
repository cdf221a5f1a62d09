package dev.tern.metrics;

import dev.tern.Status;
import java.util.List;

/**
 * Receives the measurements of calls, as the interceptors and stream tracers of
 * {@link MetricsInterceptors} take them; the events follow the instruments of gRFC A66 (OpenTelemetry metrics for gRPC) so that
 * bindings map them one to one:
 *
 * <ul>
 *   <li>server: {@code grpc.server.call.started}, {@code grpc.server.call.duration},
 *       {@code grpc.server.call.sent_total_compressed_message_size},
 *       {@code grpc.server.call.rcvd_total_compressed_message_size};
 *   <li>client: {@code grpc.client.attempt.started}, {@code grpc.client.attempt.duration},
 *       {@code grpc.client.attempt.sent_total_compressed_message_size},
 *       {@code grpc.client.attempt.rcvd_total_compressed_message_size},
 *       {@code grpc.client.call.duration}.
 * </ul>
 *
 * <p>{@code method} is the full method name ({@code pkg.Service/Method}); {@code target} is the
 * channel's authority. Byte counts are gRFC A66's "total compressed message size": the message
 * bytes as they cross the wire, after compression ({@code CallOptions.withCompression},
 * {@code grpc-encoding}) and without the 5-byte gRPC message prefix or HTTP/2 framing, summed
 * over the attempt or call; -1 if a size was not known. The client's attempt events and the
 * server's events from {@link MetricsInterceptors#serverStreamTracerFactory} come from the
 * transport's stream tracers and carry wire sizes; the server interceptor
 * {@link MetricsInterceptors#server} sees messages, not frames, and reports serialized sizes.
 * Every method has an empty default, so an implementation overrides only what it records.
 *
 * <p>Implementations are thread-safe and fast: they are called on every call, from transport
 * and application threads.
 */
public interface MetricsRecorder {
  /** gRFC A66's recommended latency bucket boundaries, in seconds. */
  List<Double> LATENCY_BUCKETS_SECONDS = List.of(0d, 0.00001, 0.00005, 0.0001, 0.0003, 0.0006,
      0.0008, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.013, 0.016, 0.02, 0.025,
      0.03, 0.04, 0.05, 0.065, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65, 0.8, 1d, 2d,
      5d, 10d, 20d, 50d, 100d);

  /** gRFC A66's recommended message size bucket boundaries, in bytes. */
  List<Long> SIZE_BUCKETS_BYTES = List.of(0L, 1024L, 2048L, 4096L, 16384L, 65536L, 262144L,
      1048576L, 4194304L, 16777216L, 67108864L, 268435456L, 1073741824L, 4294967296L);

  /** A server call arrived for {@code method}. */
  default void serverCallStarted(String method) {}

  /** A server call ended (its status was handed to the transport, or it was cancelled). */
  default void serverCallEnded(String method, Status.Code code, long durationNanos,
      long sentBytes, long receivedBytes) {}

  /**
   * A client attempt started: the first, a retry or hedge (gRFC A6), or a transparent retry of
   * a stream the server never processed. Every attempt is counted.
   */
  default void clientAttemptStarted(String method, String target) {}

  /** A client attempt ended with its own status (not necessarily the call's). */
  default void clientAttemptEnded(String method, String target, Status.Code code,
      long durationNanos, long sentBytes, long receivedBytes) {}

  /** A client call ended, after all its attempts. */
  default void clientCallEnded(String method, String target, Status.Code code,
      long durationNanos) {}
}
