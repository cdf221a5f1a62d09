package dev.tern.stub;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientInterceptor;
import dev.tern.ClientInterceptors;
import dev.tern.Deadline;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The base of generated client stubs: a {@link Channel} plus the {@link CallOptions} every call of
 * the stub uses. Stubs are immutable and thread-safe; each {@code with…} method returns a new stub
 * and leaves this one unchanged, so one stub can be shared and specialised per call:
 *
 * <pre>{@code
 * GreeterTern.GreeterBlockingStub stub = GreeterTern.newBlockingStub(channel);
 * HelloReply reply = stub.withDeadlineAfter(2, TimeUnit.SECONDS).sayHello(request);
 * }</pre>
 *
 * @param <S> the concrete stub type, returned by the {@code with…} methods
 */
public abstract class AbstractStub<S extends AbstractStub<S>> {
  private final Channel channel;
  private final CallOptions callOptions;

  /** A stub calling through {@code channel} with {@link CallOptions#DEFAULT}. */
  protected AbstractStub(Channel channel) {
    this(channel, CallOptions.DEFAULT);
  }

  /** A stub calling through {@code channel} with {@code callOptions}. */
  protected AbstractStub(Channel channel, CallOptions callOptions) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.callOptions = Objects.requireNonNull(callOptions, "callOptions");
  }

  /** A stub of the same type on {@code channel} with {@code callOptions}. */
  protected abstract S build(Channel channel, CallOptions callOptions);

  /** The channel calls are made on (including interceptors added by {@link #withInterceptors}). */
  public final Channel getChannel() {
    return channel;
  }

  /** The options every call of this stub is made with. */
  public final CallOptions getCallOptions() {
    return callOptions;
  }

  /** A stub whose calls end with DEADLINE_EXCEEDED at {@code deadline}; null removes it. */
  public final S withDeadline(Deadline deadline) {
    return build(channel, callOptions.withDeadline(deadline));
  }

  /**
   * A stub whose calls have a deadline {@code duration} after <em>this method is called</em> (not
   * after each call starts): make a new stub per call or per batch of calls.
   */
  public final S withDeadlineAfter(long duration, TimeUnit unit) {
    return build(channel, callOptions.withDeadlineAfter(duration, unit));
  }

  /** A stub that compresses request messages with {@code compressorName} (e.g. "gzip"). */
  public final S withCompression(String compressorName) {
    return build(channel, callOptions.withCompression(compressorName));
  }

  /** A stub whose response callbacks run on {@code executor} instead of the channel's. */
  public final S withExecutor(Executor executor) {
    return build(channel, callOptions.withExecutor(executor));
  }

  /**
   * A stub whose calls wait for the channel to become ready instead of failing fast with
   * UNAVAILABLE while it connects or after a transient failure.
   */
  public final S withWaitForReady() {
    return build(channel, callOptions.withWaitForReady());
  }

  /**
   * A stub whose calls pass through {@code interceptors}, the first one outermost (it sees each
   * call first), in front of any interceptors this stub already has.
   */
  public final S withInterceptors(ClientInterceptor... interceptors) {
    return build(ClientInterceptors.intercept(channel, interceptors), callOptions);
  }

  /** A stub whose calls carry the custom option {@code key} = {@code value}. */
  public final <T> S withOption(CallOptions.Key<T> key, T value) {
    return build(channel, callOptions.withOption(key, value));
  }

  /** A stub whose calls fail with RESOURCE_EXHAUSTED on a response larger than {@code bytes}. */
  public final S withMaxInboundMessageSize(int bytes) {
    return build(channel, callOptions.withMaxInboundMessageSize(bytes));
  }

  /** A stub whose calls refuse to send a request larger than {@code bytes}. */
  public final S withMaxOutboundMessageSize(int bytes) {
    return build(channel, callOptions.withMaxOutboundMessageSize(bytes));
  }
}
