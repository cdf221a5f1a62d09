package dev.tern;

/**
 * Observes one server call on one stream: the role of grpc-java's {@code ServerStreamTracer}.
 * Server metrics (gRFC A66 {@code grpc.server.call.*}, with compressed sizes) are built on it.
 *
 * <p>Sizes: {@code wireSize} is the message as it crosses the wire, after compression and
 * without the 5-byte gRPC message prefix; {@code uncompressedSize} is its serialized size
 * before compression.
 *
 * <p>Every method has an empty default. Events come from the transport and the call's
 * executor, inbound and outbound possibly at the same time: implementations are thread-safe
 * and cheap.
 */
public abstract class ServerStreamTracer {
  /**
   * Creates a tracer for each call a server accepts, before interceptors and the handler run;
   * installed on the server's builder. Thread-safe.
   */
  public interface Factory {
    ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers);
  }

  /** The call was routed to its method and is about to reach the interceptors and handler. */
  public void serverCallStarted(MethodDescriptor<?, ?> method, Attributes attributes) {}

  /** Request message number {@code seqNo} (from 0) was received and decoded. */
  public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {}

  /** Response message number {@code seqNo} (from 0) was handed to the transport. */
  public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {}

  /** The call ended with {@code status}, sent or (when cancelled) not. Called once, last. */
  public void streamClosed(Status status) {}
}
