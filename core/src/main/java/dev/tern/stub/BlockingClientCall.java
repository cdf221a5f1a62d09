package dev.tern.stub;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import dev.tern.StatusException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client-streaming or bidi-streaming call made with plain blocking code: {@link #write} waits
 * while the transport is not ready, {@link #read} waits for the next response (asking the server
 * for one at a time), {@link #halfClose} ends the requests, {@link #cancel} or {@link #close}
 * abandon the call.
 *
 * <pre>{@code
 * try (BlockingClientCall<Point, RouteNote> call = stub.routeChat()) {
 *   for (Point p : points) {
 *     call.write(p);
 *   }
 *   call.halfClose();
 *   for (RouteNote note; (note = call.read()) != null; ) {
 *     show(note);
 *   }
 * }
 * }</pre>
 *
 * <p>A failed call makes {@code read} and {@code write} throw a {@link StatusException} with its
 * status and trailers. An interrupted wait throws {@link InterruptedException} and leaves the
 * call running: cancel it if it is no longer wanted.
 *
 * <p>Thread-safe: one thread may write while another reads; {@link #cancel} and {@link #close}
 * from any thread. The call's callbacks run on its executor and only hand over what arrived.
 */
public final class BlockingClientCall<ReqT, RespT> implements AutoCloseable {
  private static final String TOO_MANY_RESPONSES = "More than one value received for unary call";

  private final ClientCall<ReqT, RespT> call;
  private final boolean unaryResponse;
  private final MessageHandoff<RespT> handoff = new MessageHandoff<>();
  /** Serializes the call's methods between the writing and the reading thread. */
  private final ReentrantLock callLock = new ReentrantLock();
  /** Guarded by callLock. */
  private boolean halfClosed;

  private BlockingClientCall(ClientCall<ReqT, RespT> call, boolean unaryResponse) {
    this.call = call;
    this.unaryResponse = unaryResponse;
  }

  /**
   * Starts a client-streaming or bidi-streaming call of {@code method}. Generated blocking stubs
   * call this.
   */
  public static <ReqT, RespT> BlockingClientCall<ReqT, RespT> start(
      Channel channel, MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(callOptions, "callOptions");
    if (method.getType().clientSendsOneMessage()) {
      throw new IllegalArgumentException(method.getFullMethodName() + " is " + method.getType()
          + "; a BlockingClientCall is for client- and bidi-streaming methods");
    }
    ClientCall<ReqT, RespT> call = channel.newCall(method, callOptions);
    BlockingClientCall<ReqT, RespT> blocking =
        new BlockingClientCall<>(call, method.getType().serverSendsOneMessage());
    try {
      call.start(blocking.new Listener(), new Metadata());
    } catch (RuntimeException | Error e) {
      call.cancel("Starting the call failed", e);
      throw e;
    }
    return blocking;
  }

  /**
   * Sends {@code message} once the call is ready for it, waiting as long as it takes.
   *
   * @return false if the call already completed with OK (the server answered before reading
   *     everything), so the message was not sent
   * @throws StatusException the status of a failed call
   * @throws IllegalStateException after {@link #halfClose}
   */
  public boolean write(ReqT message) throws InterruptedException, StatusException {
    try {
      return write(message, -1);
    } catch (TimeoutException e) {
      throw new AssertionError("no timeout was set", e);
    }
  }

  /**
   * Like {@link #write(Object)}, waiting at most {@code timeout} for the call to be ready.
   *
   * @throws TimeoutException the call was not ready in time; the message was not sent
   */
  public boolean write(ReqT message, long timeout, TimeUnit unit)
      throws InterruptedException, StatusException, TimeoutException {
    return write(message, Math.max(0, unit.toNanos(timeout)));
  }

  private boolean write(ReqT message, long timeoutNanos)
      throws InterruptedException, StatusException, TimeoutException {
    Objects.requireNonNull(message, "message");
    if (!handoff.awaitReady(call::isReady, timeoutNanos)) {
      return false;
    }
    callLock.lock();
    try {
      if (halfClosed) {
        throw new IllegalStateException("write() after halfClose()");
      }
      call.sendMessage(message);
    } finally {
      callLock.unlock();
    }
    return true;
  }

  /**
   * Waits for the next response, as long as it takes.
   *
   * @return the response, or null once the call completed with OK and every response was read
   * @throws StatusException the status and trailers of a failed call
   */
  public RespT read() throws InterruptedException, StatusException {
    try {
      return handoff.take(-1, this::requestOne);
    } catch (TimeoutException e) {
      throw new AssertionError("no timeout was set", e);
    }
  }

  /**
   * Like {@link #read()}, waiting at most {@code timeout}.
   *
   * @throws TimeoutException nothing arrived in time; the call goes on
   */
  public RespT read(long timeout, TimeUnit unit)
      throws InterruptedException, StatusException, TimeoutException {
    return handoff.take(Math.max(0, unit.toNanos(timeout)), this::requestOne);
  }

  private void requestOne() {
    callLock.lock();
    try {
      call.request(1);
    } finally {
      callLock.unlock();
    }
  }

  /** No more requests will be written; idempotent. */
  public void halfClose() {
    callLock.lock();
    try {
      if (!halfClosed) {
        halfClosed = true;
        call.halfClose();
      }
    } finally {
      callLock.unlock();
    }
  }

  /**
   * Cancels the call (RST_STREAM CANCEL to the server); waiting reads and writes then throw
   * CANCELLED. Safe from any thread, any number of times.
   */
  public void cancel(String message, Throwable cause) {
    call.cancel(message, cause);
  }

  /** Whether a message can be written now without waiting. */
  public boolean isReady() {
    return call.isReady();
  }

  /** The status the call ended with, or null while it runs (its responses may still be read). */
  public Status getStatus() {
    return handoff.status();
  }

  /** The trailers the call ended with, or null while it runs. */
  public Metadata getTrailers() {
    return handoff.trailers();
  }

  /** Cancels the call unless it already ended; for try-with-resources. */
  @Override
  public void close() {
    if (handoff.status() == null) {
      call.cancel("BlockingClientCall closed before the call ended", null);
    }
  }

  /** Hands the call's events to the handoff. Runs on the call's executor, serially. */
  private final class Listener extends ClientCall.Listener<RespT> {
    private int received;
    private Status protocolError;

    @Override
    public void onMessage(RespT message) {
      if (protocolError != null) {
        return;
      }
      if (unaryResponse && ++received > 1) {
        protocolError = Status.INTERNAL.withDescription(TOO_MANY_RESPONSES);
        call.cancel(TOO_MANY_RESPONSES, null);
        return;
      }
      handoff.offer(message);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (protocolError != null) {
        status = protocolError;
      } else if (status.isOk() && unaryResponse && received == 0) {
        status = Status.INTERNAL.withDescription("No value received for unary call");
      }
      handoff.closed(status, trailers);
    }

    @Override
    public void onReady() {
      handoff.readinessChanged();
    }
  }
}
