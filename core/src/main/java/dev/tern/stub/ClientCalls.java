package dev.tern.stub;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Client-side call styles on top of {@link ClientCall}: blocking, {@link StreamObserver}-based
 * async and {@link CompletableFuture}-based. Generated stubs call these; applications may too.
 *
 * <p>Async calls deliver responses on the call's executor ({@link CallOptions#getExecutor()} or
 * the channel's). Blocking calls run the call's callbacks on the blocked caller's own thread, so
 * a blocking call costs no thread hop.
 *
 * <p>Flow control: observer-based calls ask for one response at a time (another after each
 * {@code onNext} returns) unless {@linkplain CallStreamObserver#disableAutoRequest disabled}; the
 * blocking iterator asks for the next response only when the previous one has been taken, so at
 * most one response is buffered. Outbound, see {@link StreamObserver} on readiness.
 */
public final class ClientCalls {
  private ClientCalls() {}

  // ---- async (StreamObserver) ----

  /**
   * Starts a unary call; the response (or error) goes to {@code responseObserver}. If it is a
   * {@link ClientResponseObserver}, its {@code beforeStart} runs first.
   */
  public static <ReqT, RespT> void asyncUnaryCall(
      ClientCall<ReqT, RespT> call, ReqT request, StreamObserver<RespT> responseObserver) {
    startAndSend(call, request, responseObserver, false);
  }

  /** Starts a server-streaming call; the responses go to {@code responseObserver}. */
  public static <ReqT, RespT> void asyncServerStreamingCall(
      ClientCall<ReqT, RespT> call, ReqT request, StreamObserver<RespT> responseObserver) {
    startAndSend(call, request, responseObserver, true);
  }

  /**
   * Starts a client-streaming call and returns the request observer (a
   * {@link ClientCallStreamObserver}): send with {@code onNext}, finish with {@code onCompleted},
   * or abort with {@code onError}, which cancels the call.
   */
  public static <ReqT, RespT> StreamObserver<ReqT> asyncClientStreamingCall(
      ClientCall<ReqT, RespT> call, StreamObserver<RespT> responseObserver) {
    return start(call, responseObserver, false);
  }

  /** Starts a bidi-streaming call and returns the request observer, as for client streaming. */
  public static <ReqT, RespT> StreamObserver<ReqT> asyncBidiStreamingCall(
      ClientCall<ReqT, RespT> call, StreamObserver<RespT> responseObserver) {
    return start(call, responseObserver, true);
  }

  private static <ReqT, RespT> void startAndSend(ClientCall<ReqT, RespT> call, ReqT request,
      StreamObserver<RespT> responseObserver, boolean streamingResponse) {
    start(call, responseObserver, streamingResponse);
    try {
      call.sendMessage(request);
      call.halfClose();
    } catch (RuntimeException | Error e) {
      throw cancelThrow(call, e);
    }
  }

  private static <ReqT, RespT> RequestStream<ReqT> start(ClientCall<ReqT, RespT> call,
      StreamObserver<RespT> responseObserver, boolean streamingResponse) {
    Objects.requireNonNull(responseObserver, "responseObserver");
    RequestStream<ReqT> requestStream = new RequestStream<>(call);
    if (responseObserver instanceof ClientResponseObserver) {
      @SuppressWarnings("unchecked") // the observer was declared for this call's types
      ClientResponseObserver<ReqT, RespT> cro =
          (ClientResponseObserver<ReqT, RespT>) responseObserver;
      cro.beforeStart(requestStream);
    }
    requestStream.started = true;
    try {
      call.start(new ObserverListener<>(call, responseObserver, requestStream, streamingResponse),
          new Metadata());
      if (requestStream.autoRequest) {
        // For a unary response, ask for two so that a misbehaving server's second message is
        // seen and turned into an error rather than silently left unread.
        call.request(streamingResponse ? 1 : 2);
      }
    } catch (RuntimeException | Error e) {
      throw cancelThrow(call, e);
    }
    return requestStream;
  }

  // ---- future ----

  /**
   * Starts a unary call and returns its response as a future. Cancelling the future cancels the
   * call. A failed call completes the future exceptionally with a
   * {@link StatusRuntimeException}. Dependent stages without an explicit executor run on the
   * call's executor: keep them short.
   */
  public static <ReqT, RespT> CompletableFuture<RespT> futureUnaryCall(
      ClientCall<ReqT, RespT> call, ReqT request) {
    CallFuture<RespT> future = new CallFuture<>(call);
    startUnary(call, request, future);
    return future;
  }

  private static <ReqT, RespT> void startUnary(
      ClientCall<ReqT, RespT> call, ReqT request, CompletableFuture<RespT> future) {
    try {
      call.start(new UnaryListener<>(call, future), new Metadata());
      call.request(2); // two, to notice a second response (a protocol violation)
      call.sendMessage(request);
      call.halfClose();
    } catch (RuntimeException | Error e) {
      throw cancelThrow(call, e);
    }
  }

  // ---- blocking ----

  /**
   * Makes a unary call and waits for its response, running the call's callbacks on this thread.
   * A failed call throws {@link StatusRuntimeException}. If this thread is interrupted the call
   * is cancelled, the interrupt flag is kept and CANCELLED is thrown.
   */
  public static <ReqT, RespT> RespT blockingUnaryCall(
      Channel channel, MethodDescriptor<ReqT, RespT> method, CallOptions callOptions,
      ReqT request) {
    ThreadlessExecutor executor = new ThreadlessExecutor();
    ClientCall<ReqT, RespT> call = channel.newCall(method, callOptions.withExecutor(executor));
    CompletableFuture<RespT> future = new CompletableFuture<>();
    boolean interrupted = false;
    try {
      startUnary(call, request, future);
      while (!future.isDone()) {
        try {
          executor.waitAndDrain();
        } catch (InterruptedException e) {
          interrupted = true;
          call.cancel("Thread interrupted", e);
          // Keep draining: the call's onClose must still run (interceptors clean up there).
        }
      }
    } finally {
      executor.shutdown();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return getUnchecked(future);
  }

  /**
   * Makes a server-streaming call and returns its responses as a blocking iterator whose
   * callbacks run on the thread that reads it. At most one response is buffered: the next is
   * requested only when the previous one was taken. Close the iterator (try-with-resources) to
   * cancel a stream that was not read to its end.
   */
  public static <ReqT, RespT> CloseableIterator<RespT> blockingServerStreamingCall(
      Channel channel, MethodDescriptor<ReqT, RespT> method, CallOptions callOptions,
      ReqT request) {
    ThreadlessExecutor executor = new ThreadlessExecutor();
    ClientCall<ReqT, RespT> call = channel.newCall(method, callOptions.withExecutor(executor));
    BlockingResponseStream<RespT> stream = new BlockingResponseStream<>(call, executor);
    try {
      call.start(stream.listener(), new Metadata());
      call.request(1);
      call.sendMessage(request);
      call.halfClose();
    } catch (RuntimeException | Error e) {
      executor.shutdown();
      throw cancelThrow(call, e);
    }
    return stream;
  }

  private static <V> V getUnchecked(CompletableFuture<V> future) {
    try {
      return future.getNow(null);
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StatusRuntimeException) {
        throw (StatusRuntimeException) cause;
      }
      throw Status.fromThrowable(cause).asRuntimeException();
    } catch (java.util.concurrent.CancellationException e) {
      throw Status.CANCELLED.withCause(e).asRuntimeException();
    }
  }

  /** Cancels {@code call} because starting it failed with {@code t}, and returns t to rethrow. */
  private static RuntimeException cancelThrow(ClientCall<?, ?> call, Throwable t) {
    try {
      call.cancel(null, t);
    } catch (RuntimeException | Error suppressed) {
      t.addSuppressed(suppressed);
    }
    if (t instanceof RuntimeException) {
      return (RuntimeException) t;
    }
    throw (Error) t;
  }

  // ---- adapters ----

  /**
   * The request side of an async call. Application-owned: not thread-safe except {@link #isReady}
   * and {@link #cancel}; the on-ready handler is read by the call's executor.
   */
  private static final class RequestStream<ReqT> extends ClientCallStreamObserver<ReqT> {
    private final ClientCall<ReqT, ?> call;
    private volatile Runnable onReadyHandler;
    boolean started;
    boolean autoRequest = true;
    private boolean aborted;
    private boolean completed;

    RequestStream(ClientCall<ReqT, ?> call) {
      this.call = call;
    }

    @Override
    public void onNext(ReqT value) {
      if (aborted) {
        throw new IllegalStateException("Stream was terminated by onError; no more calls");
      }
      if (completed) {
        throw new IllegalStateException("Stream was already completed; no more calls");
      }
      call.sendMessage(value);
    }

    @Override
    public void onError(Throwable t) {
      aborted = true;
      call.cancel("Cancelled by client with StreamObserver.onError()", t);
    }

    @Override
    public void onCompleted() {
      if (!aborted && !completed) {
        completed = true;
        call.halfClose();
      }
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    /**
     * May be set at any time; a handler set after the call started misses readiness signalled
     * before, so check {@link #isReady()} after setting it.
     */
    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {
      this.onReadyHandler = onReadyHandler;
    }

    @Override
    public void disableAutoRequest() {
      if (started) {
        throw new IllegalStateException(
            "disableAutoRequest() is only allowed in ClientResponseObserver.beforeStart()");
      }
      autoRequest = false;
    }

    @Override
    public void request(int count) {
      call.request(count);
    }

    @Override
    public void setMessageCompression(boolean enable) {
      call.setMessageCompression(enable);
    }

    @Override
    public void cancel(String message, Throwable cause) {
      call.cancel(message, cause);
    }
  }

  /** Adapts a call's events to a response observer. Runs on the call's executor, serially. */
  private static final class ObserverListener<RespT> extends ClientCall.Listener<RespT> {
    private final ClientCall<?, RespT> call;
    private final StreamObserver<RespT> observer;
    private final RequestStream<?> requestStream;
    private final boolean streamingResponse;
    private boolean received;
    private Status protocolError;

    ObserverListener(ClientCall<?, RespT> call, StreamObserver<RespT> observer,
        RequestStream<?> requestStream, boolean streamingResponse) {
      this.call = call;
      this.observer = observer;
      this.requestStream = requestStream;
      this.streamingResponse = streamingResponse;
    }

    @Override
    public void onMessage(RespT message) {
      if (protocolError != null) {
        return;
      }
      if (received && !streamingResponse) {
        protocolError = Status.INTERNAL.withDescription(TOO_MANY_RESPONSES);
        call.cancel(TOO_MANY_RESPONSES, null);
        return;
      }
      received = true;
      try {
        observer.onNext(message);
      } catch (RuntimeException e) {
        // The observer cannot take more; stop the call. It still gets onError from onClose.
        protocolError = Status.CANCELLED.withDescription("Response observer failed").withCause(e);
        call.cancel("Response observer failed", e);
        return;
      }
      if (streamingResponse && requestStream.autoRequest) {
        call.request(1);
      }
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (protocolError != null) {
        status = protocolError;
      } else if (status.isOk() && !streamingResponse && !received) {
        status = Status.INTERNAL.withDescription(NO_RESPONSE);
      }
      if (status.isOk()) {
        observer.onCompleted();
      } else {
        observer.onError(status.asRuntimeException(trailers));
      }
    }

    @Override
    public void onReady() {
      Runnable handler = requestStream.onReadyHandler;
      if (handler != null) {
        handler.run();
      }
    }
  }

  private static final String TOO_MANY_RESPONSES = "More than one value received for unary call";
  private static final String NO_RESPONSE = "No value received for unary call";

  /** Completes a future with a unary call's response. Runs on the call's executor, serially. */
  private static final class UnaryListener<RespT> extends ClientCall.Listener<RespT> {
    private final ClientCall<?, RespT> call;
    private final CompletableFuture<RespT> future;
    private RespT value;
    private Status protocolError;

    UnaryListener(ClientCall<?, RespT> call, CompletableFuture<RespT> future) {
      this.call = call;
      this.future = future;
    }

    @Override
    public void onMessage(RespT message) {
      if (value != null) {
        if (protocolError == null) {
          protocolError = Status.INTERNAL.withDescription(TOO_MANY_RESPONSES);
          call.cancel(TOO_MANY_RESPONSES, null);
        }
        return;
      }
      value = message;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (protocolError != null) {
        status = protocolError;
      } else if (status.isOk() && value == null) {
        status = Status.INTERNAL.withDescription(NO_RESPONSE);
      }
      if (status.isOk()) {
        future.complete(value);
      } else {
        future.completeExceptionally(status.asRuntimeException(trailers));
      }
    }
  }

  /** A future whose cancellation cancels its call. Thread-safe. */
  private static final class CallFuture<RespT> extends CompletableFuture<RespT> {
    private final ClientCall<?, ?> call;

    CallFuture(ClientCall<?, ?> call) {
      this.call = call;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        call.cancel("CompletableFuture was cancelled", null);
      }
      return cancelled;
    }
  }

  /**
   * The iterator of a blocking server-streaming call. Its listener runs on the reading thread
   * (through the threadless executor) and may run on a transport thread after close, so the
   * hand-off queue is concurrent; the rest is owned by the reading thread except {@link #close}.
   */
  private static final class BlockingResponseStream<RespT> implements CloseableIterator<RespT> {
    private final ClientCall<?, RespT> call;
    private final ThreadlessExecutor executor;
    // At most one message plus the close marker: the next message is requested only after next().
    private final ConcurrentLinkedQueue<Object> buffer = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private Object last; // the element hasNext() looked at and next() has not taken yet
    private boolean ended;

    BlockingResponseStream(ClientCall<?, RespT> call, ThreadlessExecutor executor) {
      this.call = call;
      this.executor = executor;
    }

    ClientCall.Listener<RespT> listener() {
      return new ClientCall.Listener<>() {
        @Override
        public void onMessage(RespT message) {
          buffer.add(message);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          buffer.add(new End(status, trailers));
        }
      };
    }

    @Override
    public boolean hasNext() {
      if (closed) {
        return false;
      }
      while (last == null) {
        Object o = buffer.poll();
        if (o != null) {
          last = o;
          break;
        }
        try {
          executor.waitAndDrain();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          closed = true;
          call.cancel("Thread interrupted", e);
          executor.shutdown();
          throw Status.CANCELLED.withDescription("Thread interrupted").withCause(e)
              .asRuntimeException();
        }
        if (closed) {
          return false;
        }
      }
      if (last instanceof End) {
        End end = (End) last;
        if (!ended) {
          ended = true;
          executor.shutdown(); // nothing more to wait for; late callbacks run where they arrive
        }
        if (end.status.isOk()) {
          return false;
        }
        throw end.status.asRuntimeException(end.trailers);
      }
      return true;
    }

    @Override
    public RespT next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      @SuppressWarnings("unchecked") // everything else in the buffer is a message
      RespT message = (RespT) last;
      last = null;
      call.request(1);
      return message;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (!ended) {
        call.cancel("Response iterator closed before the stream ended", null);
      }
      // Late callbacks (at least the cancelled onClose) now run on the thread delivering them.
      executor.shutdown();
    }

    /** How the stream ended. Immutable: queued by the callback thread, read by the iterator's. */
    private static final class End {
      final Status status;
      final Metadata trailers;

      End(Status status, Metadata trailers) {
        this.status = status;
        this.trailers = trailers;
      }
    }
  }

  /**
   * Runs tasks on the thread that waits for them. A blocked caller parks in
   * {@link #waitAndDrain()} and runs whatever the transport hands over; after {@link #shutdown()}
   * tasks run on the submitting thread instead, so nothing is left queued once the caller stops
   * waiting. Thread-safe: {@code execute} and {@code shutdown} from any thread, tasks never run
   * concurrently.
   */
  private static final class ThreadlessExecutor implements Executor {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ReentrantLock running = new ReentrantLock();
    private volatile Thread waiter;
    private volatile boolean shutdown;

    @Override
    public void execute(Runnable task) {
      tasks.add(Objects.requireNonNull(task, "task"));
      if (shutdown) {
        runQueued();
      } else {
        Thread w = waiter;
        if (w != null) {
          LockSupport.unpark(w);
        }
      }
    }

    /** Parks until a task arrives (or shutdown), then runs everything queued. */
    void waitAndDrain() throws InterruptedException {
      if (tasks.isEmpty() && !shutdown) {
        waiter = Thread.currentThread();
        try {
          // Re-checked after publishing the waiter, so an execute() racing with us either sees
          // the waiter and unparks it or added its task before our check.
          while (tasks.isEmpty() && !shutdown) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
              throw new InterruptedException();
            }
          }
        } finally {
          waiter = null;
        }
      }
      runQueued();
    }

    /** From now on tasks run on the thread that submits them; queued ones run now. */
    void shutdown() {
      shutdown = true;
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
      runQueued();
    }

    private void runQueued() {
      do {
        if (!running.tryLock()) {
          return; // whoever holds the lock re-checks the queue after releasing it
        }
        try {
          for (Runnable task; (task = tasks.poll()) != null; ) {
            task.run();
          }
        } finally {
          running.unlock();
        }
      } while (!tasks.isEmpty());
    }
  }
}
