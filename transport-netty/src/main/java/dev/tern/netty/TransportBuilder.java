package dev.tern.netty;

import dev.tern.CodecRegistry;
import dev.tern.internal.VirtualThreads;
import dev.tern.netty.internal.TransportSettingsBuilder;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The settings a {@link TernServer.Builder} and a {@link TernChannel.Builder} share: where
 * callbacks run, message and header limits, HTTP/2 flow control, compression, the send buffer
 * and frame logging. Each side documents its defaults as constants on its own class. Not meant
 * to be extended outside this package (its constructor is package-private). Not thread-safe,
 * like the builders.
 *
 * @param <B> the concrete builder, returned by every setter so calls chain
 */
public abstract class TransportBuilder<B extends TransportBuilder<B>> {
  Executor executor;
  boolean direct;
  int maxInboundMessageSize;
  int maxOutboundMessageSize = Integer.MAX_VALUE;
  int maxHeaderListSize;
  int flowControlWindow;
  /** -1: the stream window. */
  int connectionFlowControlWindow = -1;
  boolean autoFlowControl = true;
  CodecRegistry codecs = CodecRegistry.getDefault();
  int sendBufferLimit;
  boolean frameLogging;

  TransportBuilder(int maxInboundMessageSize, int maxHeaderListSize, int flowControlWindow,
      int sendBufferLimit) {
    this.maxInboundMessageSize = maxInboundMessageSize;
    this.maxHeaderListSize = maxHeaderListSize;
    this.flowControlWindow = flowControlWindow;
    this.sendBufferLimit = sendBufferLimit;
  }

  /** This builder, as its own type. */
  abstract B self();

  /**
   * Runs application callbacks (listeners, handlers) on {@code executor}; default: a cached
   * daemon pool shared by the side's channels or servers.
   */
  public B executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.direct = false;
    return self();
  }

  /**
   * Runs application callbacks on virtual threads, a new one for each task: every call's
   * listener callbacks (serialized, as always) and, on a server, each blocking handler on a
   * virtual thread of its own ({@code BlockingServerCalls}). Needs JDK 21 or later (JEP 444),
   * found at run time: Tern itself targets Java 17.
   *
   * @throws IllegalStateException on a JVM older than 21, naming the requirement
   */
  public B useVirtualThreads() {
    return executor(VirtualThreads.newPerTaskExecutor());
  }

  /**
   * Runs application callbacks on the connection's event loop: lowest latency, for callbacks
   * that never block.
   */
  public B directExecutor() {
    this.executor = null;
    this.direct = true;
    return self();
  }

  /**
   * Limit on a received message (after decompression); a larger one fails its call with
   * RESOURCE_EXHAUSTED.
   */
  public B maxInboundMessageSize(int bytes) {
    this.maxInboundMessageSize = positive(bytes);
    return self();
  }

  /** Limit on a sent message; a larger one fails its call with RESOURCE_EXHAUSTED. */
  public B maxOutboundMessageSize(int bytes) {
    this.maxOutboundMessageSize = positive(bytes);
    return self();
  }

  /**
   * SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2) advertised to the peer and enforced on the
   * headers it sends.
   */
  public B maxHeaderListSize(int bytes) {
    this.maxHeaderListSize = positive(bytes);
    return self();
  }

  /**
   * The HTTP/2 stream flow-control window (SETTINGS_INITIAL_WINDOW_SIZE), default 1 MiB: how
   * much of one call's messages the peer may send ahead of the application's reading. With
   * {@link #autoFlowControl} on, the windows start here and may grow.
   */
  public B flowControlWindow(int bytes) {
    this.flowControlWindow = positive(bytes);
    return self();
  }

  /**
   * The connection's receive window (RFC 9113 §6.9.2), shared by all its streams; default: the
   * stream window. Tern refills it as data arrives, so it bounds bytes in flight per round
   * trip, not memory (the stream windows do that).
   */
  public B connectionFlowControlWindow(int bytes) {
    this.connectionFlowControlWindow = positive(bytes);
    return self();
  }

  /**
   * Whether to grow the receive windows to the connection's bandwidth-delay product, measured
   * with PINGs as gRPC's implementations do (default on). Windows grow only while the
   * application drains data faster than the window lets it arrive, up to 8 MiB; an application
   * that stops reading keeps the configured window.
   */
  public B autoFlowControl(boolean enabled) {
    this.autoFlowControl = enabled;
    return self();
  }

  /**
   * The message encodings this side may send with and accepts from the peer (default: gzip).
   * A message in an encoding not registered here fails its call (UNIMPLEMENTED on a server,
   * INTERNAL on a client, as PROTOCOL-HTTP2.md says).
   */
  public B codecRegistry(CodecRegistry codecs) {
    this.codecs = Objects.requireNonNull(codecs, "codecs");
    return self();
  }

  /**
   * How many bytes of one call's outgoing messages may wait to be written (for the peer's window
   * or the socket) before {@code sendMessage} blocks the sending thread until they drain; on an
   * event-loop thread, which cannot block, the call fails with RESOURCE_EXHAUSTED instead. It
   * bounds the memory a peer that stops reading can make a sender that ignores
   * {@code isReady()} use.
   */
  public B sendBufferLimit(int bytes) {
    this.sendBufferLimit = positive(bytes);
    return self();
  }

  /**
   * Logs every HTTP/2 frame read and written, with Netty's frame logger, to the logger
   * {@code dev.tern.netty.frames} at DEBUG (FINE). For debugging: a frame's text can be long and
   * formatting it costs time. Default off.
   */
  public B frameLogging(boolean enabled) {
    this.frameLogging = enabled;
    return self();
  }

  /**
   * Copies these settings into the internal settings builder {@code s}: all but the executor,
   * which each side resolves (its default pool, or none for {@link #directExecutor}).
   */
  <S extends TransportSettingsBuilder<S>> S copyTo(S s) {
    return s.maxInboundMessageSize(maxInboundMessageSize)
        .maxOutboundMessageSize(maxOutboundMessageSize)
        .maxHeaderListSize(maxHeaderListSize)
        .flowControlWindow(flowControlWindow)
        .connectionFlowControlWindow(connectionFlowControlWindow)
        .autoFlowControl(autoFlowControl)
        .codecs(codecs)
        .sendBufferLimit(sendBufferLimit)
        .frameLogging(frameLogging);
  }

  static int positive(int v) {
    if (v <= 0) {
      throw new IllegalArgumentException("must be positive: " + v);
    }
    return v;
  }
}
