package dev.tern.netty.internal;

import dev.tern.Metadata;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * The response half of one {@link ClientAttempt}: checks the response headers, maps a reset or
 * a lost stream to the attempt's status and how far the server got, keeps the
 * trailers until the messages before them are handed out, deframes DATA through a
 * {@link MessageReader} and passes each requested message to the call's engine. It also keeps
 * the tracer events that end an attempt behind the messages already handed out, which are traced
 * on the callback thread as each is decoded.
 *
 * <p><b>Reading ahead</b> (when {@link AttemptSpec#readAhead} is above 0: the call's callbacks run
 * on an executor): up to that many whole messages that already arrived go to the call before the
 * application requests them, so that a {@code request(1)} made on the callback thread is met there
 * from what was read ahead, without a round trip to the event loop per message. Their window
 * credit is not given back on reading: the call reports messages as the application takes them
 * ({@link #handedOut}), in batches, and only then goes their credit back (RFC 9113 §6.9: a stream
 * nobody reads still holds the peer back after one window) and may more be read ahead. Only whole
 * messages are read ahead (no early credit for a partial one), so memory stays what the window
 * let in; and the status waits until every message handed to the call was taken, as it waits for
 * buffered messages when nothing is read ahead.
 *
 * <p>The attempt owns the state ({@link ClientAttempt.State}) and ends itself; this class only
 * asks it to move on or to fail.
 *
 * <p><b>What may wait</b>: the event loop publishes how urgently a command from another thread
 * needs it ({@link Urgency}), so that requests and reports of taken messages can ride the loop's
 * next wake-up instead of causing one.
 *
 * <p>{@link ClientHandler} routes the stream's frames here. Thread rule: the connection's event
 * loop, except {@link #decode} (callback thread) and the volatile {@code delivered} flag and
 * {@code urgency}.
 */
final class AttemptResponse implements MessageReader.Target {
  /**
   * How urgently a command from another thread needs the event loop, by what it would act on.
   * Each level includes the ones before it: a command that may wait at a level may wait at those
   * before it too.
   */
  enum Urgency {
    /**
     * Nothing buffered, the stream's receive window open, no status waiting: requests and the
     * credit of taken messages matter only once more DATA arrives, and the read that brings it
     * runs what was queued lazily.
     */
    NONE,
    /**
     * Nothing buffered, but taken messages' credit or report is needed now: the stream's window
     * is below {@link #LAZY_WINDOW_FLOOR} (the peer may be waiting for a WINDOW_UPDATE and send
     * nothing that would wake the loop, RFC 9113 §6.9), or the status waits for the report.
     */
    CREDIT,
    /** Bytes buffered: a request acts on them now. */
    BYTES
  }

  /**
   * The receive window below which the credit of taken messages goes back at once. Any open
   * window lets the peer send, and what it sends wakes the loop, which then returns the credit
   * queued lazily; a full frame of the default SETTINGS_MAX_FRAME_SIZE (RFC 9113 §6.5.2) leaves
   * no reason for a peer to hold data back waiting for a larger window.
   */
  static final int LAZY_WINDOW_FLOOR = 16 * 1024;

  private final ClientAttempt attempt;
  private final AttemptEvents events;
  private final AttemptSpec spec;
  private MessageReader reader;
  private Status trailerStatus;
  private Metadata trailerMetadata;
  private int inboundSeq;
  /** Messages handed to the call and not yet reported taken (reading ahead only). */
  private int outstanding;
  /** The trailers' status waits for {@code outstanding} to reach 0. */
  private boolean endPending;
  /** Whether a message went to the call: its tracer events then end on the callback thread. */
  private volatile boolean delivered;
  /**
   * Written on the event loop when it changes (after reads, requests and reports), read by
   * application threads deciding whether a command needs the loop awake.
   */
  private volatile Urgency urgency = Urgency.CREDIT;

  AttemptResponse(ClientAttempt attempt, AttemptEvents events, AttemptSpec spec) {
    this.attempt = attempt;
    this.events = events;
    this.spec = spec;
  }

  /** The stream exists: reading starts, with the messages requested before it. */
  void open(ByteBufAllocator alloc, int initialRequests) {
    reader = new MessageReader(this, alloc, spec.maxInboundMessageSize(), null, "response");
    if (initialRequests > 0) {
      reader.request(initialRequests);
    }
  }

  /** Event loop: the stream exists (its window can be read): publishes the first urgency. */
  void streamCreated() {
    publishUrgency();
  }

  void request(int n) {
    if (reader != null) {
      reader.request(n);
      publishUrgency();
    }
  }

  /**
   * Event loop: whether {@link #request} made now only counts and hands nothing to the listener
   * (so it is safe under the callers' monitors; see {@link MessageReader#requestOnlyCounts}).
   */
  boolean requestOnlyCounts() {
    return reader == null || reader.requestOnlyCounts();
  }

  /**
   * Any thread: how urgently a command made now needs the event loop (as of the loop's last
   * publication; a caller that queues lazily reads it again after queueing).
   */
  Urgency urgency() {
    return urgency;
  }

  /** Event loop: publishes the urgency after the buffer, the window or the end changed. */
  private void publishUrgency() {
    // Only a call reading ahead reports taken messages; for the others the window is not read.
    Urgency now = reader.bufferedBytes() > 0 ? Urgency.BYTES
        : endPending || spec.readAhead() > 0 && attempt.receiveWindow() < LAZY_WINDOW_FLOOR
            ? Urgency.CREDIT : Urgency.NONE;
    if (now != urgency) {
      urgency = now;
    }
  }

  /**
   * The application took {@code messages} of those handed to the call, owing {@code credit}
   * bytes of window, and asked for {@code requests} more: gives the credit back and reads on (or
   * ends, if the status was waiting).
   */
  void handedOut(int messages, int credit, int requests) {
    if (attempt.state() == ClientAttempt.State.CLOSED) {
      return;
    }
    if (credit > 0) {
      attempt.returnBytes(credit);
    }
    outstanding -= messages;
    if (outstanding == 0 && endPending) {
      endPending = false;
      end();
    } else if (requests > 0) {
      reader.request(requests); // reads on, ahead too
      publishUrgency();
    } else {
      reader.resume();
      publishUrgency();
    }
  }

  /** Decodes a message this attempt delivered (its response's encoding). Any thread. */
  ByteBuf decode(ByteBuf message, boolean compressed) {
    return reader.decode(message, compressed);
  }

  /** Drops what is buffered; nothing is delivered afterwards. */
  void close() {
    if (reader != null) {
      reader.close();
    }
  }

  // ---------------------------------------------------------------- frames, from ClientHandler

  /** Response headers, trailers or a Trailers-Only response. */
  void inboundHeaders(Http2Headers headers, boolean endOfStream) {
    ClientAttempt.State now = attempt.state();
    if (now == ClientAttempt.State.CLOSED) {
      return;
    }
    if (now == ClientAttempt.State.OPEN) {
      ResponseHeaders.Checked checked =
          ResponseHeaders.checkHeaders(headers, endOfStream, spec.codecs());
      if (checked.error() != null) {
        attempt.abort(checked.error());
        return;
      }
      if (!endOfStream) {
        if (checked.codec() != null) {
          reader.setCodec(checked.codec());
        }
        attempt.transition(ClientAttempt.State.RESPONDING);
        attempt.tracers().inboundHeaders(checked.metadata());
        events.headersReceived(attempt, checked.metadata());
        return;
      }
    } else if (now == ClientAttempt.State.DRAINING) {
      return; // HEADERS after the trailers; the first trailers stand
    } else if (!endOfStream) {
      attempt.abort(
          Status.INTERNAL.withDescription("Received a third HEADERS frame without END_STREAM"));
      return;
    }
    ResponseHeaders.Trailers trailers = ResponseHeaders.trailers(headers);
    trailerStatus = trailers.status();
    trailerMetadata = trailers.metadata();
    attempt.transition(ClientAttempt.State.DRAINING);
    // Messages still buffered are delivered first; endOfStream() then reports the status.
    reader.endOfStream();
    publishUrgency();
  }

  /** DATA; takes ownership of {@code data}. */
  void inboundData(ByteBuf data, boolean endOfStream) {
    if (attempt.state() == ClientAttempt.State.CLOSED) {
      data.release();
      return;
    }
    reader.deframe(data);
    publishUrgency();
    if (endOfStream) {
      // A response must end with trailers (PROTOCOL-HTTP2.md).
      attempt.abort(Status.INTERNAL.withDescription("Response ended without trailers"));
    }
  }

  void inboundReset(long errorCode) {
    if (attempt.state() == ClientAttempt.State.CLOSED) {
      return;
    }
    Status status = Http2Errors.statusForRstStream(errorCode);
    if (errorCode == Http2Error.REFUSED_STREAM.code()) {
      // RFC 9113 §8.7: REFUSED_STREAM means the server did not process the stream.
      attempt.finish(status, new Metadata(), ClientAttempt.Reach.REFUSED);
      return;
    }
    if (status.getCode() == Status.Code.CANCELLED && spec.deadline() != null
        && spec.deadline().isExpired()) {
      // The server's deadline timer fired before ours and it reset the stream: the call ran out
      // of time, and that is what the application should hear (grpc-java reports it so too).
      status = spec.deadlineExceeded();
    }
    attempt.finish(status, new Metadata(), ClientAttempt.Reach.MAYBE_PROCESSED);
  }

  /** The stream (or the connection) closed: if no status arrived, the attempt failed. */
  void streamClosed(ClientHandler from) {
    if (from != attempt.handler() || attempt.state() == ClientAttempt.State.CLOSED
        || trailerStatus != null) {
      return;
    }
    int streamId = attempt.streamId();
    String reason = from.closeReason();
    Status lost = Status.UNAVAILABLE.withDescription(reason != null ? reason
        : "Stream closed before the response completed (connection lost or GOAWAY)");
    if (streamId > 0 && from.neverProcessed(streamId)) {
      // Above a GOAWAY's last-stream-id, or never sent before the connection went away.
      attempt.finish(lost, new Metadata(), from.wasSent(streamId)
          ? ClientAttempt.Reach.REFUSED : ClientAttempt.Reach.NEVER_SENT);
      return;
    }
    attempt.finish(lost, new Metadata(), ClientAttempt.Reach.MAYBE_PROCESSED);
  }

  /**
   * Runs a tracer event after the inboundMessage events of the messages delivered so far, which
   * are reported on the callback thread as each message is decoded.
   */
  void traceAfterMessages(Runnable event) {
    if (attempt.tracers().isEmpty()) {
      return;
    }
    if (delivered) {
      events.afterDelivered(attempt, event);
    } else {
      event.run();
    }
  }

  // ---------------------------------------------------------------- MessageReader.Target

  @Override
  public void messageRead(ByteBuf message, boolean compressed, int wireSize) {
    delivered = true;
    events.messageReceived(attempt, message, compressed, wireSize, inboundSeq++, 0, false);
  }

  @Override
  public void messageRead(ByteBuf message, boolean compressed, int wireSize, int credit) {
    if (spec.readAhead() == 0) {
      MessageReader.Target.super.messageRead(message, compressed, wireSize, credit);
      return;
    }
    delivered = true;
    outstanding++;
    events.messageReceived(attempt, message, compressed, wireSize, inboundSeq++, credit, true);
  }

  @Override
  public boolean readAhead() {
    return outstanding < spec.readAhead();
  }

  @Override
  public void returnBytes(int bytes) {
    attempt.returnBytes(bytes);
  }

  @Override
  public void endOfStream() {
    if (outstanding > 0) {
      endPending = true; // handedOut() ends it once the application took every message
      return;
    }
    end();
  }

  private void end() {
    // Traced once the messages before them were: trailers follow the last inboundMessage.
    Metadata trailers = trailerMetadata;
    traceAfterMessages(() -> attempt.tracers().inboundTrailers(trailers));
    attempt.finish(trailerStatus, trailerMetadata, ClientAttempt.Reach.MAYBE_PROCESSED);
  }

  @Override
  public void readFailed(Status status) {
    attempt.abort(status);
  }
}
