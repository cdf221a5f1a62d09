package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.internal.GrpcTimeout;
import dev.tern.internal.MessageDeframer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One attempt of a client call: one HTTP/2 stream on one connection, from waiting for the
 * connection to the stream's end. It does not retry: when it ends it reports its status and how
 * far the server got ({@link Reach}), and its call's {@link RetriableCall} decides what follows.
 * This class keeps the stream's lifecycle (connection wait, commands, stream creation, reset,
 * end); its {@link AttemptResponse} reads what the server sends.
 *
 * <p>States, every transition in {@link #moveTo}:
 * <pre>
 * CONNECTING --stream created--> OPEN --response headers--> RESPONDING --trailers--> DRAINING
 *                                 |   --Trailers-Only-----------------------------> DRAINING
 * any state --status known, reset, cancel, connection lost--> CLOSED
 * </pre>
 * DRAINING means the status is in but messages before it are still being handed out.
 *
 * <p>The attempt is itself, to save an object each per call, the stream's {@link
 * MessageWriter.DataSink}, the first command it queues ({@link #run}: create the stream) and the
 * listener of its HEADERS write ({@link #operationComplete}).
 *
 * <p>Thread rule: the stream, the response and the Netty objects are used on the connection's
 * event loop only. {@code state}, {@code handler} and the commands waiting for a connection are
 * guarded by this object's monitor, which is never held while calling out (engine, tracers,
 * listener). Commands from other threads reach the event loop through the connection's
 * {@link WriteQueue}.
 */
final class ClientAttempt
    implements MessageWriter.DataSink, WriteQueue.Command, ChannelFutureListener {
  /** In {@code unwritten}: the last queued message ends the request. */
  private static final int END_WITH_LAST = Integer.MIN_VALUE;
  private static final VarHandle UNWRITTEN;

  static {
    try {
      UNWRITTEN = MethodHandles.lookup().findVarHandle(ClientAttempt.class, "unwritten",
          int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * How far the server got with an attempt that failed, which decides whether it may be sent
   * again without counting as a retry (gRFC A6 "Transparent Retries").
   */
  enum Reach {
    /** The HEADERS never left, or the connection was gone before they could. */
    NEVER_SENT,
    /**
     * The server saw the stream and did not process it: RST_STREAM(REFUSED_STREAM) (RFC 9113
     * §8.7) or a stream above a GOAWAY's last-stream-id (§6.8).
     */
    REFUSED,
    /** The server may have processed it (or the attempt failed locally). */
    MAYBE_PROCESSED
  }

  /** An attempt's life; see the class comment for the transitions. */
  enum State { CONNECTING, OPEN, RESPONDING, DRAINING, CLOSED }

  private final AttemptEvents events;
  private final AttemptSpec spec;
  /** The request headers, or null to use the connection's shared plain ones. */
  private final Http2Headers headers;
  private final AttemptTracers tracers;
  private final int previousAttempts;

  // Guarded by this (state is volatile for the event loop's unlocked reads).
  private volatile State state = State.CONNECTING;
  /**
   * Commands issued before the connection was known (made on the first; usually none: the
   * connection is ready when the attempt starts); null once it is known or the attempt ended.
   */
  private List<WriteQueue.Command> pending;
  /**
   * Messages requested before the stream exists, which the reader starts with (no command per
   * request); -1 once the stream was created and requests go to the reader.
   */
  private int requestsBeforeStream;
  private ClientHandler handler;
  private CompletableFuture<ClientHandler> connection;

  /**
   * Request messages queued and not yet run on the event loop, plus {@link #END_WITH_LAST} once
   * the half-close rides on the last of them. Both sides update it atomically, so a half-close
   * either finds a message still queued and marks it, or finds none and sends its own frame.
   */
  private volatile int unwritten;

  /** The response side: headers, messages, trailers. */
  private final AttemptResponse response;

  // Event loop.
  private int streamId = -1;
  private int outboundSeq;

  ClientAttempt(AttemptEvents events, AttemptSpec spec, Http2Headers headers, AttemptTracers tracers,
      int previousAttempts, int initialRequests) {
    this.events = events;
    this.spec = spec;
    this.headers = headers;
    this.tracers = tracers;
    this.previousAttempts = previousAttempts;
    this.requestsBeforeStream = initialRequests;
    this.response = new AttemptResponse(this, events, spec);
  }

  int previousAttempts() {
    return previousAttempts;
  }

  AttemptTracers tracers() {
    return tracers;
  }

  /** Decodes a message this attempt delivered (its response's encoding). Any thread. */
  ByteBuf decode(ByteBuf message, boolean compressed) {
    return response.decode(message, compressed);
  }

  /** Every transition of {@link State}; caller holds the monitor. */
  private void moveTo(State next) {
    boolean legal;
    switch (next) {
      case OPEN:
        legal = state == State.CONNECTING;
        break;
      case RESPONDING:
        legal = state == State.OPEN;
        break;
      case DRAINING:
        legal = state == State.OPEN || state == State.RESPONDING;
        break;
      case CLOSED:
        legal = state != State.CLOSED;
        break;
      default:
        legal = false;
    }
    if (!legal) {
      throw new IllegalStateException("attempt " + state + " -> " + next);
    }
    state = next;
  }

  State state() {
    return state;
  }

  synchronized void transition(State next) {
    moveTo(next);
  }

  // ---------------------------------------------------------------- commands (any thread)

  /** Starts the attempt on the connection {@code future} brings. */
  void start(CompletableFuture<ClientHandler> future) {
    synchronized (this) {
      connection = future;
    }
    ClientHandler ready = future.isDone() && !future.isCompletedExceptionally()
        ? future.getNow(null) : null;
    if (ready != null) {
      onConnection(ready, null); // the usual case: no completion callback to allocate
    } else {
      future.whenComplete(this::onConnection);
    }
  }

  /** Writes a framed message; {@code bytes} is what the writer accounted for it (or 0). */
  void write(ByteBuf frame, int uncompressedSize, int bytes) {
    UNWRITTEN.getAndAdd(this, 1); // before the command exists: the event loop may run it at once
    enqueue(new WriteQueue.Command() {
      @Override
      public void run() {
        writeMessage(frame, uncompressedSize, bytes);
      }

      @Override
      public void discard() {
        // The event loop shut down (the connection is gone, the attempt with it): never sent.
        UNWRITTEN.getAndAdd(ClientAttempt.this, -1);
        frame.release();
        spec.writer().dropped(bytes);
      }
    });
  }

  /**
   * Ends the request: on the last message still queued, if any (one DATA frame with END_STREAM,
   * as a unary call sends it, and no command), else with an empty DATA frame of its own.
   */
  void halfClose() {
    int n;
    do {
      n = unwritten;
      if (n == 0) {
        enqueue(() -> {
          if (state() != State.CLOSED && streamId > 0) {
            spec.writer().write(this, Unpooled.EMPTY_BUFFER, 0, true);
          }
        });
        return;
      }
    } while (!UNWRITTEN.compareAndSet(this, n, n | END_WITH_LAST));
  }

  void request(int n) {
    ClientHandler h;
    synchronized (this) {
      if (requestsBeforeStream >= 0) {
        requestsBeforeStream = (int) Math.min(Integer.MAX_VALUE, (long) requestsBeforeStream + n);
        return;
      }
      h = handler;
    }
    if (h != null && h.context().executor().inEventLoop() && response.requestOnlyCounts()) {
      // A listener running inline (directExecutor) asks from within a delivery (the reader's
      // running loop picks the request up) or with nothing buffered: the request only counts, so
      // no command, no extra event-loop task and no flush per message. Requests touch only the
      // inbound side, so running ahead of queued writes reorders nothing. Anything else goes
      // through the queue: a request that would hand out a buffered message here would call the
      // listener under the callers' monitors (RetriableCall's), inviting lock-order deadlocks.
      if (state() != State.CLOSED) {
        response.request(n);
      }
      return;
    }
    // Another thread (a pool callback) asking with nothing buffered: the request matters only
    // once DATA arrives, and the read that brings it runs the queued command.
    enqueueUnless(AttemptResponse.Urgency.BYTES, h, () -> {
      if (state() != State.CLOSED) {
        response.request(n);
      }
    });
  }

  /**
   * Any thread: the application took {@code messages} that the attempt read ahead, owing
   * {@code credit} bytes of window, and asked for {@code requests} more (see
   * {@link AttemptResponse}). One command per batch; it waits for the loop's next wake-up while
   * nothing needs it sooner ({@link AttemptResponse.Urgency#NONE}: the peer can still send, and
   * what it sends wakes the loop).
   */
  void handedOut(int messages, int credit, int requests) {
    ClientHandler h;
    synchronized (this) {
      h = handler;
    }
    enqueueUnless(AttemptResponse.Urgency.CREDIT, h,
        () -> response.handedOut(messages, credit, requests));
  }

  /**
   * Queues {@code command} without waking the event loop while the response's urgency is below
   * {@code wakeAt} (one eventfd write and a loop wake-up less), else as usual. The urgency is
   * read again after queueing: the loop publishes it before running its queued tasks, so either
   * the loop finds the command or this thread sees the new urgency and wakes the loop.
   */
  private void enqueueUnless(AttemptResponse.Urgency wakeAt, ClientHandler h,
      WriteQueue.Command command) {
    if (h != null && state() != State.CLOSED && response.urgency().compareTo(wakeAt) < 0) {
      h.writeQueue().enqueueLazily(command);
      if (response.urgency().compareTo(wakeAt) >= 0) {
        h.writeQueue().expedite();
      }
      return;
    }
    enqueue(command);
  }

  /** Ends the attempt with {@code status}: resets its stream, or withdraws its connection wait. */
  void cancel(Status status) {
    ClientHandler h;
    List<WriteQueue.Command> orphaned = null;
    CompletableFuture<ClientHandler> waiting = null;
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      h = handler;
      if (h == null) {
        moveTo(State.CLOSED);
        orphaned = pending;
        pending = null;
        waiting = connection;
      }
    }
    if (h == null) {
      if (waiting != null) {
        waiting.completeExceptionally(status.asRuntimeException());
      }
      reportClosed(status, new Metadata(), Reach.MAYBE_PROCESSED, orphaned);
      return;
    }
    h.runOnEventLoop(() -> {
      if (state() == State.CLOSED) {
        return;
      }
      int id = streamId;
      // Finish first: the reset closes the stream at once, and streamClosed() must not see an
      // unfinished attempt and report it as lost.
      finish(status, new Metadata(), Reach.MAYBE_PROCESSED);
      if (id > 0) {
        h.encoder().writeRstStream(h.context(), id, Http2Error.CANCEL.code(),
            h.context().newPromise());
        h.context().flush();
      }
    });
  }

  /** Runs {@code command} on the connection's event loop, after those issued before it. */
  private void enqueue(WriteQueue.Command command) {
    ClientHandler h;
    synchronized (this) {
      h = handler;
      if (h != null) {
        // Under the monitor, so that it cannot overtake the commands onConnection moves.
        h.writeQueue().enqueue(command);
        return;
      }
      if (state != State.CLOSED) {
        if (pending == null) {
          pending = new ArrayList<>(4);
        }
        pending.add(command);
        return;
      }
    }
    command.run(); // ended before it had a connection: the command only releases its buffers
  }

  private void onConnection(ClientHandler h, Throwable failure) {
    if (failure != null) {
      Status status = failure instanceof StatusRuntimeException
          ? ((StatusRuntimeException) failure).getStatus()
          // An IOException's message says it all (refused, TLS handshake failed and why).
          : Status.UNAVAILABLE.withDescription("Connection failed: "
              + (failure instanceof java.io.IOException && failure.getMessage() != null
                  ? failure.getMessage() : failure.toString())).withCause(failure);
      List<WriteQueue.Command> orphaned;
      synchronized (this) {
        if (state == State.CLOSED) {
          return;
        }
        moveTo(State.CLOSED);
        orphaned = pending;
        pending = null;
      }
      reportClosed(status, new Metadata(), Reach.MAYBE_PROCESSED, orphaned);
      return;
    }
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      handler = h;
      h.writeQueue().enqueue(this); // run(): creates the stream
      if (pending != null) {
        for (WriteQueue.Command c : pending) {
          h.writeQueue().enqueue(c);
        }
        pending = null;
      }
    }
  }

  // ---------------------------------------------------------------- event loop

  /** The first command on the event loop: creates the stream and sends the request headers. */
  @Override
  public void run() {
    if (state() == State.CLOSED) {
      return;
    }
    ClientHandler h = handler;
    ChannelHandlerContext ctx = h.context();
    if (h.isGoAwayReceived() || !ctx.channel().isActive()) {
      finish(Status.UNAVAILABLE.withDescription("Connection closed before the call started"),
          new Metadata(), Reach.NEVER_SENT);
      return;
    }
    Http2Headers out = headers;
    if (spec.deadline() != null) {
      // Measured now, as the headers leave, and rounded down by encode(): the server never
      // believes it has more time than we will wait (PROTOCOL-HTTP2.md "Timeout").
      long left = spec.deadline().timeRemaining(TimeUnit.NANOSECONDS);
      if (left <= 0) {
        finish(spec.deadlineExceeded(), new Metadata(), Reach.MAYBE_PROCESSED);
        return;
      }
      out.set(GrpcHeaders.GRPC_TIMEOUT, GrpcTimeout.encode(left));
    }
    int initialRequests;
    synchronized (this) {
      initialRequests = requestsBeforeStream;
      requestsBeforeStream = -1; // from here on, request() sends commands to the reader
    }
    response.open(ctx.alloc(), initialRequests);
    try {
      streamId = h.newStream(response);
    } catch (Exception e) {
      finish(Status.UNAVAILABLE.withDescription("Cannot open a stream: " + e.getMessage())
          .withCause(e), new Metadata(), Reach.MAYBE_PROCESSED);
      return;
    }
    response.streamCreated();
    ChannelPromise promise = ctx.newPromise().addListener(this); // operationComplete()
    if (out == null) {
      out = h.plainRequestHeaders(spec.path());
    } else {
      out.scheme(h.scheme());
    }
    h.encoder().writeHeaders(ctx, streamId, out, 0, false, promise);
    transition(State.OPEN);
    if (!tracers.isEmpty()) {
      tracers.streamCreated(Attributes.newBuilder()
          .set(Attributes.REMOTE_ADDRESS, ctx.channel().remoteAddress())
          .set(Attributes.LOCAL_ADDRESS, ctx.channel().localAddress())
          .build());
    }
    events.streamCreated(this);
  }

  /** The request headers' write completed. */
  @Override
  public void operationComplete(ChannelFuture f) {
    if (!f.isSuccess() && state() != State.CLOSED) {
      // The HEADERS never left (GOAWAY or connection loss while they waited for a stream slot):
      // the server has not seen the call, so it may go elsewhere.
      finish(Status.UNAVAILABLE.withDescription("Failed to send request headers: "
          + f.cause()).withCause(f.cause()), new Metadata(), Reach.NEVER_SENT);
    }
  }

  private void writeMessage(ByteBuf frame, int uncompressedSize, int bytes) {
    // The last message queued before the half-close carries END_STREAM.
    boolean end = (int) UNWRITTEN.getAndAdd(this, -1) - 1 == END_WITH_LAST;
    if (state() == State.CLOSED || streamId < 0) {
      frame.release();
      spec.writer().dropped(bytes);
      return;
    }
    int wireSize = frame.readableBytes() - MessageDeframer.HEADER_LENGTH;
    spec.writer().write(this, frame, bytes, end);
    tracers.outboundMessage(outboundSeq++, wireSize, uncompressedSize);
  }

  @Override
  public ChannelPromise newPromise() {
    return handler.context().newPromise();
  }

  @Override
  public void writeData(ByteBuf data, boolean endOfStream, ChannelPromise promise) {
    handler.encoder().writeData(handler.context(), streamId, data, 0, endOfStream, promise);
  }

  /**
   * What the server's window lets this stream send now (RFC 9113 §6.9); 0 for a stream still
   * held back by the server's concurrency limit, which has no window yet.
   */
  @Override
  public int sendWindow() {
    ClientHandler h = handler;
    Http2Stream stream = h == null || streamId < 0 ? null : h.connection().stream(streamId);
    if (stream == null || stream.state() == Http2Stream.State.CLOSED) {
      return 0;
    }
    return h.encoder().flowController().windowSize(stream);
  }

  @Override
  public void onReady() {
    if (state() != State.CLOSED) {
      events.ready(this);
    }
  }

  ClientHandler handler() {
    return handler;
  }

  int streamId() {
    return streamId;
  }

  /** Fails the attempt from the transport side and resets the stream. */
  void abort(Status status) {
    if (state() == State.CLOSED) {
      return;
    }
    int id = streamId;
    finish(status, new Metadata(), Reach.MAYBE_PROCESSED);
    ClientHandler h = handler;
    h.encoder().writeRstStream(h.context(), id, Http2Error.CANCEL.code(), h.context().newPromise());
  }

  /** Event loop: what the stream's receive window lets the server send now (RFC 9113 §6.9). */
  int receiveWindow() {
    return handler.receiveWindow(streamId);
  }

  /** Gives {@code bytes} of a read message back to the stream's window. */
  void returnBytes(int bytes) {
    handler.returnBytes(streamId, bytes);
  }

  /** Ends the attempt on the event loop: releases its buffers and reports its status once. */
  void finish(Status status, Metadata trailers, Reach reach) {
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      moveTo(State.CLOSED);
    }
    response.close();
    if (streamId > 0) {
      handler.forgetStream(streamId);
    }
    reportClosed(status, trailers, reach, null);
  }

  private void reportClosed(Status status, Metadata trailers, Reach reach,
      List<WriteQueue.Command> orphaned) {
    response.traceAfterMessages(() -> tracers.streamClosed(status));
    events.closed(this, status, trailers, reach);
    if (orphaned != null) {
      for (WriteQueue.Command c : orphaned) {
        c.run(); // they see CLOSED and only release their buffers
      }
    }
  }
}
