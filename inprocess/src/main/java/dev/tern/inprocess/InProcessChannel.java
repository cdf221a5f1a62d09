package dev.tern.inprocess;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.ClientInterceptors;
import dev.tern.ClientStreamTracer;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A channel to the {@link InProcessServer} of a name in this JVM: calls with the same semantics
 * as over HTTP/2 (all four kinds, metadata, deadlines, cancellation, flow control, status and
 * trailers, interceptors, size limits), without sockets. Messages are handed over as objects
 * when both sides use the same marshaller, and written and parsed when they differ or
 * {@link Builder#serializeMessages} asks for it (to catch marshalling bugs in tests).
 *
 * <p>A call to a name no server has fails with UNAVAILABLE; each call looks the name up as it
 * starts, so a channel may be built before its server.
 *
 * <p>Thread-safe.
 */
public final class InProcessChannel extends Channel {
  private final ClientConfig config;
  private final Channel intercepted;
  private final Duration defaultTimeout;
  private final Lifecycle<InProcessClientCall<?, ?>> calls;

  private InProcessChannel(Builder b) {
    this.calls = new Lifecycle<>(Lifecycle.State.RUNNING, () -> {});
    Executor executor = b.direct ? null
        : b.executor != null ? b.executor : SharedExecutors.clientCallbacks();
    this.config = new ClientConfig(b.name, b.authority != null ? b.authority : b.name, executor,
        b.serializeMessages, b.maxInboundMessageSize, b.maxOutboundMessageSize, b.bufferLimit,
        List.copyOf(b.tracerFactories), calls);
    this.defaultTimeout = b.defaultTimeout;
    Channel raw = new Channel() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
        return new InProcessClientCall<>(config, method, callOptions);
      }

      @Override
      public String authority() {
        return config.authority();
      }
    };
    this.intercepted = ClientInterceptors.intercept(raw, b.interceptors);
  }

  /** A builder for a channel to the server named {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    CallOptions options = callOptions;
    if (defaultTimeout != null && options.getDeadline() == null) {
      options = options.withDeadlineAfter(defaultTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    return intercepted.newCall(method, options);
  }

  @Override
  public String authority() {
    return config.authority();
  }

  /** Fails new calls with UNAVAILABLE and lets the calls in flight finish. Idempotent. */
  public InProcessChannel shutdown() {
    calls.shutdown();
    return this;
  }

  /** Like {@link #shutdown}, and cancels the calls in flight. */
  public InProcessChannel shutdownNow() {
    for (InProcessClientCall<?, ?> call : calls.shutdown()) {
      call.cancelCall(Status.UNAVAILABLE.withDescription("Channel shut down now"));
    }
    return this;
  }

  public boolean isShutdown() {
    return calls.isShutdown();
  }

  /** Whether shut down with no call left in flight. */
  public boolean isTerminated() {
    return calls.isTerminated();
  }

  /** Waits until terminated; returns whether it was within the time. */
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return calls.awaitTermination(timeout, unit);
  }

  /** How many calls started on this channel have not ended (their listener not closed). */
  public int callsInFlight() {
    return calls.callsInFlight();
  }

  @Override
  public String toString() {
    return "InProcessChannel{" + config.target() + "}";
  }

  /** Why a send failed on a thread that must not wait for a full buffer. */
  static String overrunMessage(int bufferLimit) {
    return "In-process send buffer full (" + bufferLimit + " messages undelivered) on a"
        + " directExecutor() callback thread, which must not block; send while isReady()";
  }

  /** Builds an {@link InProcessChannel}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<ClientInterceptor> interceptors = new ArrayList<>();
    private final List<ClientStreamTracer.Factory> tracerFactories = new ArrayList<>();
    private String authority;
    private Executor executor;
    private boolean direct;
    private boolean serializeMessages;
    private Duration defaultTimeout;
    private int maxInboundMessageSize = InProcessServer.DEFAULT_MAX_INBOUND_MESSAGE_SIZE;
    private int maxOutboundMessageSize = Integer.MAX_VALUE;
    private int bufferLimit = InProcessServer.DEFAULT_BUFFER_LIMIT;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** Adds channel-wide interceptors, in order: the first added is the outermost. */
    public Builder intercept(ClientInterceptor... interceptors) {
      for (ClientInterceptor i : interceptors) {
        this.interceptors.add(Objects.requireNonNull(i, "interceptor"));
      }
      return this;
    }

    /** Adds a factory whose tracer observes every call of the channel. */
    public Builder addStreamTracerFactory(ClientStreamTracer.Factory factory) {
      tracerFactories.add(Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /** The {@code :authority} servers see (default: the name). */
    public Builder overrideAuthority(String authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
      return this;
    }

    /** Runs listeners on {@code executor} (default: a cached daemon pool all channels share). */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      this.direct = false;
      return this;
    }

    /**
     * Runs listeners on the thread that causes their events (the server's handler thread, for
     * a response): no thread hop, deterministic ordering in tests.
     */
    public Builder directExecutor() {
      this.executor = null;
      this.direct = true;
      return this;
    }

    /**
     * Whether every message is written by the sender's marshaller and parsed by the receiver's
     * (default false: messages are handed over as objects when both sides use the same
     * marshaller). Turn it on to test marshallers and to see the sizes a wire would carry.
     */
    public Builder serializeMessages(boolean serialize) {
      this.serializeMessages = serialize;
      return this;
    }

    /** A deadline {@code timeout} after the start for calls whose options carry none. */
    public Builder defaultTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      this.defaultTimeout = timeout;
      return this;
    }

    /** Limit on a response's size; a larger one fails its call with RESOURCE_EXHAUSTED. */
    public Builder maxInboundMessageSize(int bytes) {
      this.maxInboundMessageSize = InProcessServer.positive(bytes);
      return this;
    }

    /** Limit on a request's size; a larger one fails its call with RESOURCE_EXHAUSTED. */
    public Builder maxOutboundMessageSize(int bytes) {
      this.maxOutboundMessageSize = InProcessServer.positive(bytes);
      return this;
    }

    /**
     * How many requests a call may have undelivered before {@code isReady()} turns false; a
     * client that sends on regardless waits in {@code sendMessage} (default
     * {@value InProcessServer#DEFAULT_BUFFER_LIMIT}).
     */
    public Builder bufferLimit(int messages) {
      this.bufferLimit = InProcessServer.positive(messages);
      return this;
    }

    public InProcessChannel build() {
      return new InProcessChannel(this);
    }
  }
}
