package dev.tern;

/**
 * Observes one attempt of a client call: the first, each retry or hedge (gRFC A6) and each
 * transparent retry of a stream the server never processed. The role of grpc-java's
 * {@code ClientStreamTracer}: metrics (gRFC A66 {@code grpc.client.attempt.*}) and per-attempt
 * spans (gRFC A72) are built on it.
 *
 * <p>Sizes: {@code wireSize} is the message as it crosses the wire, after compression and
 * without the 5-byte gRPC message prefix; {@code uncompressedSize} is its serialized size before
 * compression (equal to {@code wireSize} for an uncompressed message). A size that is not known
 * is -1 (the metrics then record the attempt's total as unknown).
 *
 * <p>Every method has an empty default. Outbound events come from the application's thread and
 * inbound ones from the transport or the call's executor, possibly at the same time:
 * implementations are thread-safe and cheap (they run on every message).
 */
public abstract class ClientStreamTracer {
  /**
   * Creates a tracer for each attempt of a call. Installed per call through
   * {@link CallOptions#withStreamTracerFactory} (typically by an interceptor that also observes
   * the call as a whole) or for all calls of a channel. Thread-safe.
   */
  public interface Factory {
    /**
     * A new attempt is about to send {@code headers}; the tracer may add metadata to them (a
     * trace context, for instance). Called once per attempt, before any other event of it.
     */
    ClientStreamTracer newClientStreamTracer(AttemptInfo info, Metadata headers);
  }

  /**
   * What is known of an attempt as it starts.
   *
   * @param method the call's method
   * @param callOptions the call's options
   * @param authority the authority the attempt is sent to
   * @param previousAttempts attempts of this call that came before (0 for the first); the value
   *     sent as {@code grpc-previous-rpc-attempts} when it is not 0
   * @param transparentRetry whether the attempt replaces one the server never processed
   *     (gRFC A6 transparent retry): such attempts do not count against the retry policy
   */
  public record AttemptInfo(MethodDescriptor<?, ?> method, CallOptions callOptions,
      String authority, int previousAttempts, boolean transparentRetry) {}

  /** The attempt's stream was created on a connection and its headers are leaving. */
  public void streamCreated(Attributes transportAttributes) {}

  /** The response headers arrived (not called for a Trailers-Only response). */
  public void inboundHeaders(Metadata headers) {}

  /** Request message number {@code seqNo} (from 0) was handed to the transport. */
  public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {}

  /** Response message number {@code seqNo} (from 0) was received and decoded. */
  public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {}

  /** The response trailers arrived (also for a Trailers-Only response). */
  public void inboundTrailers(Metadata trailers) {}

  /**
   * The attempt ended with {@code status}: its own outcome, which is the call's only if the call
   * committed to this attempt. Called exactly once per attempt, last.
   */
  public void streamClosed(Status status) {}
}
