package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.ClientStreamTracer;
import dev.tern.Metadata;
import dev.tern.Status;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tracers of one attempt (one per factory), called together; {@link #NONE} when the call has
 * no factories, so that untraced calls pay nothing. Thread-safe as the tracers are: events come
 * from the event loop, the application thread and the callback executor (see ClientStreamTracer).
 *
 * <p>{@code streamClosed} is the tracers' last event, but an attempt closes on the event loop
 * while the messages it read are still being decoded on the callback executor (their
 * uncompressed size is known only there). So each message read is counted
 * ({@link #messageRead}) until it is reported or dropped, and the close waits for the count to
 * reach zero: whichever of the close and the last message comes second reports the close, once.
 */
final class AttemptTracers {
  static final AttemptTracers NONE = new AttemptTracers(new ClientStreamTracer[0]);

  private final ClientStreamTracer[] tracers;
  /** Messages read on the event loop and not yet reported or dropped. */
  private final AtomicInteger unsettled = new AtomicInteger();
  private final AtomicBoolean closeReported = new AtomicBoolean();
  /** The attempt's first closing status; reported when no message is unsettled. */
  private final AtomicReference<Status> closedStatus = new AtomicReference<>();

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

  /** A message was read, on the event loop; it will be reported or dropped. */
  void messageRead() {
    if (tracers.length > 0) {
      unsettled.incrementAndGet();
    }
  }

  /** A message {@linkplain #messageRead read} and decoded; settles it. */
  void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
    if (tracers.length == 0) {
      return;
    }
    for (ClientStreamTracer t : tracers) {
      t.inboundMessage(seqNo, wireSize, uncompressedSize);
    }
    settle();
  }

  /** A message {@linkplain #messageRead read} that will not be reported (dropped, undecodable). */
  void messageDropped() {
    if (tracers.length > 0) {
      settle();
    }
  }

  private void settle() {
    if (unsettled.decrementAndGet() == 0) {
      reportCloseIfDue();
    }
  }

  void inboundTrailers(Metadata trailers) {
    for (ClientStreamTracer t : tracers) {
      t.inboundTrailers(trailers);
    }
  }

  void streamClosed(Status status) {
    if (tracers.length == 0) {
      return;
    }
    closedStatus.compareAndSet(null, status);
    reportCloseIfDue();
  }

  private void reportCloseIfDue() {
    Status status = closedStatus.get();
    if (status != null && unsettled.get() == 0 && closeReported.compareAndSet(false, true)) {
      for (ClientStreamTracer t : tracers) {
        t.streamClosed(status);
      }
    }
  }
}
