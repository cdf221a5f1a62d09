package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerStreamTracer;
import dev.tern.Status;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The tracers of one server call, told each event in the order the factories were added; counts
 * the message sequence numbers and makes {@link #streamClosed} happen once.
 *
 * <p>Thread rule: {@link #inboundMessage} runs on the call's callback thread (serialized),
 * {@link #outboundMessage} on the application's sending thread (ServerCall's methods are not
 * called concurrently), {@link #streamClosed} on either, once; each counter has one writer.
 */
final class ServerCallTracer {
  /** The tracer of a server without factories: every event costs a virtual call, nothing else. */
  static final ServerCallTracer NONE = new ServerCallTracer(new ServerStreamTracer[0]);

  private final ServerStreamTracer[] tracers;
  private final AtomicBoolean closed = new AtomicBoolean();
  private int inboundSeq;
  private int outboundSeq;

  private ServerCallTracer(ServerStreamTracer[] tracers) {
    this.tracers = tracers;
  }

  /** Asks each factory for this call's tracer; {@link #NONE} when there are no factories. */
  static ServerCallTracer create(List<ServerStreamTracer.Factory> factories,
      String fullMethodName, Metadata headers) {
    if (factories.isEmpty()) {
      return NONE;
    }
    ServerStreamTracer[] tracers = new ServerStreamTracer[factories.size()];
    for (int i = 0; i < tracers.length; i++) {
      tracers[i] = factories.get(i).newServerStreamTracer(fullMethodName, headers);
    }
    return new ServerCallTracer(tracers);
  }

  boolean isActive() {
    return tracers.length > 0;
  }

  void serverCallStarted(MethodDescriptor<?, ?> method, Attributes attributes) {
    for (ServerStreamTracer t : tracers) {
      t.serverCallStarted(method, attributes);
    }
  }

  void inboundMessage(long wireSize, long uncompressedSize) {
    if (tracers.length == 0) {
      return;
    }
    int seq = inboundSeq++;
    for (ServerStreamTracer t : tracers) {
      t.inboundMessage(seq, wireSize, uncompressedSize);
    }
  }

  void outboundMessage(long wireSize, long uncompressedSize) {
    if (tracers.length == 0) {
      return;
    }
    int seq = outboundSeq++;
    for (ServerStreamTracer t : tracers) {
      t.outboundMessage(seq, wireSize, uncompressedSize);
    }
  }

  /** The call's final status; only the first call reaches the tracers. */
  void streamClosed(Status status) {
    if (tracers.length == 0 || !closed.compareAndSet(false, true)) {
      return;
    }
    for (ServerStreamTracer t : tracers) {
      t.streamClosed(status);
    }
  }
}
