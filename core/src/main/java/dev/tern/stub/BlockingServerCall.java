package dev.tern.stub;

import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.internal.InternalAttributes;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One call of a blocking server method: the listener that hands the call's events to a
 * {@link MessageHandoff}, the request source and response sink the method uses, and the task that
 * runs the method on a thread of its own and closes the call with its outcome.
 *
 * <p>Threads: listener callbacks on the call's serialized callback thread; the method's task on
 * its own thread; the source and the sink on any application thread, one at a time each. The
 * {@link ServerCall}'s methods are called only under {@link #callLock}, so a bidi method may read
 * and write from two threads.
 */
final class BlockingServerCall<ReqT, RespT> extends ServerCall.Listener<ReqT>
    implements MessageSource<ReqT>, MessageSink<RespT>, Runnable {
  private static final System.Logger LOG = System.getLogger(BlockingServerCall.class.getName());

  /** Where a unary-request call is before its method runs. Callback thread only. */
  private enum RequestPhase {
    AWAITING_REQUEST,
    RECEIVED,
    /** The method was started (at once for a streaming request). */
    STARTED,
    /** The call was refused (no request, or more than one); nothing more happens. */
    REFUSED
  }

  private final ServerCall<ReqT, RespT> call;
  private final BlockingServerCalls.Body<ReqT, RespT> body;
  private final ServerCallInfo info;
  private final MessageHandoff<ReqT> handoff = new MessageHandoff<>();
  private final ReentrantLock callLock = new ReentrantLock();
  private final boolean unaryResponse;
  private RequestPhase requestPhase;
  private ReqT request;
  /** Guarded by callLock. */
  private boolean headersSent;

  private BlockingServerCall(ServerCall<ReqT, RespT> call, Metadata headers,
      BlockingServerCalls.Body<ReqT, RespT> body) {
    this.call = call;
    this.body = body;
    this.info = new ServerCallInfo(call, headers, Context.current());
    this.unaryResponse = call.getMethodDescriptor().getType().serverSendsOneMessage();
  }

  /** From {@code startCall} (the call's context attached): the listener of a new call. */
  static <ReqT, RespT> ServerCall.Listener<ReqT> start(ServerCall<ReqT, RespT> call,
      Metadata headers, boolean unaryRequest, BlockingServerCalls.Body<ReqT, RespT> body) {
    BlockingServerCall<ReqT, RespT> c = new BlockingServerCall<>(call, headers, body);
    if (unaryRequest) {
      c.requestPhase = RequestPhase.AWAITING_REQUEST;
      // Two: the client must send exactly one, and a second must be seen to be refused.
      call.request(2);
    } else {
      c.requestPhase = RequestPhase.STARTED;
      c.launch();
    }
    return c;
  }

  // ---- listener: the call's callback thread ----

  @Override
  public void onMessage(ReqT message) {
    switch (requestPhase) {
      case AWAITING_REQUEST:
        request = message;
        requestPhase = RequestPhase.RECEIVED;
        break;
      case RECEIVED:
        refuse("Too many requests for a unary-request method");
        break;
      case STARTED:
        handoff.offer(message);
        break;
      default:
        break;
    }
  }

  @Override
  public void onHalfClose() {
    switch (requestPhase) {
      case AWAITING_REQUEST:
        refuse("Half-closed without a request");
        break;
      case RECEIVED:
        requestPhase = RequestPhase.STARTED;
        handoff.halfClosed();
        launch();
        break;
      case STARTED:
        handoff.halfClosed();
        break;
      default:
        break;
    }
  }

  @Override
  public void onCancel() {
    Status status = Contexts.statusFromCancelled(info.context());
    handoff.closed(status != null ? status : Status.CANCELLED.withDescription("Call cancelled"),
        null);
  }

  @Override
  public void onComplete() {
    handoff.closed(Status.OK, null);
  }

  @Override
  public void onReady() {
    handoff.readinessChanged();
  }

  private void refuse(String why) {
    requestPhase = RequestPhase.REFUSED;
    request = null;
    closeCall(Status.INTERNAL.withDescription(why), new Metadata());
  }

  /** Starts the method's task on the server's executor. */
  private void launch() {
    Executor executor = call.getAttributes().get(InternalAttributes.APPLICATION_EXECUTOR);
    try {
      (executor != null ? executor : FallbackPool.EXECUTOR).execute(this);
    } catch (RejectedExecutionException e) {
      closeCall(Status.UNAVAILABLE.withDescription("Server is shutting down").withCause(e),
          new Metadata());
    }
  }

  // ---- the method's task ----

  @Override
  public void run() {
    Context context = info.context().withValue(ServerCallInfo.KEY, info);
    Context previous = context.attach();
    try {
      ReqT r = request;
      request = null;
      RespT response = body.run(r, this, this);
      if (unaryResponse) {
        if (response == null) {
          closeCall(Status.INTERNAL.withDescription("Completed without a response"),
              new Metadata());
          return;
        }
        sendNow(response);
      }
      closeCall(Status.OK, new Metadata());
    } catch (StatusException e) {
      closeCall(e.getStatus(), e.getTrailers());
    } catch (RuntimeException | Error e) {
      failed(e);
    } finally {
      context.detach(previous);
    }
  }

  private void failed(Throwable t) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (ServerCalls.carriesStatus(t)) {
      closeCall(Status.fromThrowable(t), Status.trailersFromThrowable(t));
    } else if (!isEnded()) {
      LOG.log(System.Logger.Level.WARNING, "Exception processing " + method, t);
      closeCall(Status.INTERNAL.withDescription(ServerCalls.APPLICATION_ERROR).withCause(t),
          new Metadata());
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
  }

  private boolean isEnded() {
    MessageHandoff.Phase phase = handoff.phase();
    return phase == MessageHandoff.Phase.CLOSED || phase == MessageHandoff.Phase.FAILED;
  }

  /** Closes the call unless it already ended (a cancelled call has ended on the transport). */
  private void closeCall(Status status, Metadata extraTrailers) {
    if (isEnded() || call.isCancelled()) {
      return;
    }
    Metadata trailers = new Metadata();
    trailers.merge(info.responseTrailers());
    if (extraTrailers != null) {
      trailers.merge(extraTrailers);
    }
    callLock.lock();
    try {
      if (!headersSent && !info.responseHeaders().isEmpty()) {
        headersSent = true;
        call.sendHeaders(info.responseHeaders());
      }
      call.close(status, trailers);
    } finally {
      callLock.unlock();
    }
  }

  // ---- source and sink: application threads ----

  @Override
  public ReqT next() throws StatusException {
    try {
      return handoff.take(-1, this::requestOne);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw interrupted(e);
    } catch (TimeoutException e) {
      throw new AssertionError("no timeout was set", e);
    }
  }

  private void requestOne() {
    callLock.lock();
    try {
      call.request(1);
    } finally {
      callLock.unlock();
    }
  }

  @Override
  public void send(RespT message) throws StatusException {
    if (unaryResponse) {
      throw new IllegalStateException("a unary-response method returns its response");
    }
    try {
      if (!handoff.awaitReady(call::isReady, -1)) {
        throw new IllegalStateException("the call already completed; no more responses");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw interrupted(e);
    } catch (TimeoutException e) {
      throw new AssertionError("no timeout was set", e);
    }
    sendNow(message);
  }

  private void sendNow(RespT message) {
    callLock.lock();
    try {
      if (!headersSent) {
        headersSent = true;
        call.sendHeaders(info.responseHeaders());
      }
      call.sendMessage(message);
    } finally {
      callLock.unlock();
    }
  }

  private static StatusException interrupted(InterruptedException e) {
    return Status.CANCELLED.withDescription("Handler thread interrupted").withCause(e)
        .asException();
  }

  /**
   * Runs blocking methods when the server runs callbacks on its event loop (directExecutor),
   * which must never block. Thread-safe.
   */
  private static final class FallbackPool {
    static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(new Daemons());
  }

  /** Names and daemonizes fallback-pool threads. Thread-safe. */
  private static final class Daemons implements java.util.concurrent.ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "tern-blocking-handler-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
