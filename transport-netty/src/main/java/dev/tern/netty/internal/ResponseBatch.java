package dev.tern.netty.internal;

import dev.tern.Codec;
import dev.tern.Metadata;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A server call's {@link MessageWriter}, whose batch also holds what else the application has
 * sent and the event loop has not yet written: the response headers, the messages and the
 * call's end, which leave in that order. Whatever is sent before the event loop runs the batch's
 * one write-queue command rides with it: a unary response (headers, message, status) is one
 * command, and a message whose status follows at once needs no write listener
 * ({@link #writeLast}). One object per call: the writer's own batch, extended.
 *
 * <p>Every add returns whether the caller must queue the command (the batch was empty). Once an
 * end is queued, the call is ending: headers and messages sent after it are dropped, and a
 * second end is ignored (the first wins, as the call's state machine would decide had each its
 * own command); an end sent after the batch was taken meets the state machine.
 *
 * <p>Thread-safe: application threads add (one at a time, as ServerCall's methods are called);
 * the event loop {@linkplain #take takes} and then reads what it took. This object's monitor
 * guards the batch (the writer's frames included).
 */
final class ResponseBatch extends MessageWriter {
  /** Whether the batch ends the call, and how. */
  enum End {
    /** It does not. */
    NONE,
    /** With the application's status (close). */
    CLOSE,
    /** With an error status from the server (the handler failed, a request was unreadable). */
    FAIL
  }

  // Guarded by this.
  private boolean headersQueued;
  private Metadata headers;
  private Codec codec;
  private End end = End.NONE;
  private Status status;
  private Metadata trailers;
  // What take() took. Event loop only.
  private boolean takenHeadersDue;
  private Metadata takenHeaders;
  private Codec takenCodec;
  private End takenEnd = End.NONE;
  private Status takenStatus;
  private Metadata takenTrailers;

  ResponseBatch(int sendBufferLimit, int maxMessageSize, ByteBufAllocator alloc) {
    super(sendBufferLimit, maxMessageSize, alloc);
  }

  /** Adds the response headers ({@code metadata} may be null); ignored once an end is queued. */
  synchronized boolean addHeaders(Metadata metadata, Codec headersCodec) {
    if (end != End.NONE) {
      return false; // the call is failing: its status goes out alone (Trailers-Only if it can)
    }
    holdHeaders(metadata, headersCodec);
    return markDue();
  }

  /**
   * Adds a framed message for which {@code bytes} were accounted, after the headers if
   * {@code headersFirst}; once an end is queued it is released unsent.
   */
  synchronized boolean addMessage(ByteBuf frame, int bytes, boolean headersFirst,
      Codec headersCodec) {
    if (end != End.NONE) {
      frame.release();
      dropped(bytes);
      return false;
    }
    if (headersFirst) {
      holdHeaders(null, headersCodec);
    }
    return queue(frame, bytes);
  }

  /** Adds the call's end ({@code trailers} null for FAIL); ignored if one is already queued. */
  synchronized boolean addEnd(End kind, Status endStatus, Metadata endTrailers) {
    if (end != End.NONE) {
      return false;
    }
    end = kind;
    status = endStatus;
    trailers = endTrailers;
    return markDue();
  }

  private void holdHeaders(Metadata metadata, Codec headersCodec) {
    headersQueued = true;
    headers = metadata;
    codec = headersCodec;
  }

  /**
   * Event loop: takes the batch; its parts are then read through the {@code taken...} methods
   * and the frames returned here (null if none), for which {@link #takenBytes} were accounted.
   */
  synchronized ByteBuf take() {
    takenHeadersDue = headersQueued;
    takenHeaders = headers;
    takenCodec = codec;
    takenEnd = end;
    takenStatus = status;
    takenTrailers = trailers;
    headersQueued = false;
    headers = null;
    codec = null;
    end = End.NONE;
    status = null;
    trailers = null;
    return takeBatch();
  }

  boolean takenHeadersDue() {
    return takenHeadersDue;
  }

  Metadata takenHeaders() {
    return takenHeaders;
  }

  Codec takenCodec() {
    return takenCodec;
  }

  End takenEnd() {
    return takenEnd;
  }

  Status takenStatus() {
    return takenStatus;
  }

  Metadata takenTrailers() {
    return takenTrailers;
  }
}
