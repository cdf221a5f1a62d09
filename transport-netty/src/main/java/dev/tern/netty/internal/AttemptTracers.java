package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.ClientStreamTracer;
import dev.tern.Metadata;
import dev.tern.Status;
import java.util.List;

/**
 * The tracers of one attempt (one per factory), called together; {@link #NONE} when the call has
 * no factories, so that untraced calls pay nothing. Thread-safe as the tracers are: events come
 * from the event loop, the application thread and the callback executor (see ClientStreamTracer).
 */
final class AttemptTracers {
  static final AttemptTracers NONE = new AttemptTracers(new ClientStreamTracer[0]);

  private final ClientStreamTracer[] tracers;

  private AttemptTracers(ClientStreamTracer[] tracers) {
    this.tracers = tracers;
  }

  /** Calls every factory once for a new attempt; they may add to {@code headers}. */
  static AttemptTracers create(List<ClientStreamTracer.Factory> factories,
      ClientStreamTracer.AttemptInfo info, Metadata headers) {
    if (factories.isEmpty()) {
      return NONE;
    }
    ClientStreamTracer[] tracers = new ClientStreamTracer[factories.size()];
    for (int i = 0; i < tracers.length; i++) {
      tracers[i] = factories.get(i).newClientStreamTracer(info, headers);
    }
    return new AttemptTracers(tracers);
  }

  boolean isEmpty() {
    return tracers.length == 0;
  }

  void streamCreated(Attributes attributes) {
    for (ClientStreamTracer t : tracers) {
      t.streamCreated(attributes);
    }
  }

  void inboundHeaders(Metadata headers) {
    for (ClientStreamTracer t : tracers) {
      t.inboundHeaders(headers);
    }
  }

  void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {
    for (ClientStreamTracer t : tracers) {
      t.outboundMessage(seqNo, wireSize, uncompressedSize);
    }
  }

  void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
    for (ClientStreamTracer t : tracers) {
      t.inboundMessage(seqNo, wireSize, uncompressedSize);
    }
  }

  void inboundTrailers(Metadata trailers) {
    for (ClientStreamTracer t : tracers) {
      t.inboundTrailers(trailers);
    }
  }

  void streamClosed(Status status) {
    for (ClientStreamTracer t : tracers) {
      t.streamClosed(status);
    }
  }
}
