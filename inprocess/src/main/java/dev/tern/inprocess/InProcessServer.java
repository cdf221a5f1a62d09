package dev.tern.inprocess;

import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerInterceptor;
import dev.tern.ServerInterceptors;
import dev.tern.ServerMethodDefinition;
import dev.tern.ServerServiceDefinition;
import dev.tern.ServerStreamTracer;
import dev.tern.Status;
import dev.tern.StatusException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A server in this JVM that {@link InProcessChannel}s reach by name: the same services,
 * interceptors and call semantics as a {@code TernServer}, without sockets or HTTP/2. Made for
 * tests:
 *
 * <pre>{@code
 * InProcessServer server = InProcessServer.builder("greeter")
 *     .addService(new GreeterImpl())
 *     .build()
 *     .start();
 * InProcessChannel channel = InProcessChannel.builder("greeter").build();
 * }</pre>
 *
 * <p>{@link #shutdown} refuses new calls and lets those in flight finish; {@link #shutdownNow}
 * also cancels them. The name is free for another server as soon as this one shuts down.
 *
 * <p>Thread-safe.
 */
public final class InProcessServer {
  /** The default limit on a request's size: 4 MiB, as over HTTP/2. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 4 * 1024 * 1024;
  /** How many messages a call may have undelivered before its sender is not ready. */
  public static final int DEFAULT_BUFFER_LIMIT = 32;

  private static final ConcurrentHashMap<String, InProcessServer> REGISTRY =
      new ConcurrentHashMap<>();

  private final String name;
  private final ServerConfig config;
  private final List<ServerServiceDefinition> services;
  private final Lifecycle<InProcessServerCall<?, ?>> calls;

  private InProcessServer(Builder b, ExecutorService owned) {
    this.name = b.name;
    Map<String, ServerMethodDefinition<?, ?>> methods = new LinkedHashMap<>();
    for (ServerServiceDefinition service : b.services) {
      for (ServerMethodDefinition<?, ?> m :
          ServerInterceptors.intercept(service, b.interceptors).getMethods()) {
        if (methods.putIfAbsent(m.getMethodDescriptor().getFullMethodName(), m) != null) {
          throw new IllegalStateException(
              "Method " + m.getMethodDescriptor().getFullMethodName() + " registered twice");
        }
      }
    }
    Executor executor = b.direct ? null : b.executor != null ? b.executor : owned;
    this.config = new ServerConfig(Collections.unmodifiableMap(methods), executor,
        b.maxInboundMessageSize, b.maxOutboundMessageSize, b.bufferLimit,
        List.copyOf(b.tracerFactories));
    this.services = List.copyOf(b.services);
    this.calls = new Lifecycle<>(Lifecycle.State.NEW, () -> {
      if (owned != null) {
        owned.shutdown();
      }
    });
  }

  /** A builder for a server that channels reach by {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Makes the server reachable by its name.
   *
   * @throws IOException if another running server has the name
   * @throws IllegalStateException if already started or shut down
   */
  public InProcessServer start() throws IOException {
    if (calls.state() != Lifecycle.State.NEW) {
      throw new IllegalStateException("Already started or shut down");
    }
    if (REGISTRY.putIfAbsent(name, this) != null) {
      throw new IOException("An in-process server named '" + name + "' is already running");
    }
    calls.start();
    return this;
  }

  /** The name channels reach this server by. */
  public String name() {
    return name;
  }

  /** The services as registered, without the server's interceptors. */
  public List<ServerServiceDefinition> services() {
    return services;
  }

  /** Refuses new calls (UNAVAILABLE) and lets the calls in flight finish. Idempotent. */
  public InProcessServer shutdown() {
    REGISTRY.remove(name, this);
    calls.shutdown();
    return this;
  }

  /** Like {@link #shutdown}, and cancels the calls in flight: their clients see UNAVAILABLE. */
  public InProcessServer shutdownNow() {
    REGISTRY.remove(name, this);
    for (InProcessServerCall<?, ?> call : calls.shutdown()) {
      call.shutdownNow();
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

  /** How many calls the server's handlers have not finished. */
  public int callsInFlight() {
    return calls.callsInFlight();
  }

  // ---------------------------------------------------------------- for the client side

  static InProcessServer lookUp(String name) {
    return REGISTRY.get(name);
  }

  /**
   * Takes a call: the server side of {@code stream}, registered as in flight.
   *
   * @throws StatusException UNAVAILABLE if shut down, UNIMPLEMENTED for an unknown method
   */
  InProcessServerCall<?, ?> accept(InProcessStream stream, MethodDescriptor<?, ?> method,
      Metadata headers, Deadline deadline, String authority, int clientMaxInbound,
      boolean serializeAsked) throws StatusException {
    ServerMethodDefinition<?, ?> definition = config.methods().get(method.getFullMethodName());
    if (definition == null) {
      // The description is the one a TernServer sends (PROTOCOL-HTTP2.md leaves it free).
      throw Status.UNIMPLEMENTED.withDescription(
          "Method not found: " + method.getFullMethodName()).asException();
    }
    List<ServerStreamTracer> tracers = new ArrayList<>();
    for (ServerStreamTracer.Factory f : config.tracerFactories()) {
      tracers.add(f.newServerStreamTracer(method.getFullMethodName(), headers));
    }
    InProcessServerCall<?, ?> call = newCall(stream, definition, method, headers, deadline,
        authority, clientMaxInbound, serializeAsked, List.copyOf(tracers));
    if (!calls.add(call)) {
      call.abandon();
      throw Status.UNAVAILABLE.withDescription(
          "In-process server '" + name + "' is shut down").asException();
    }
    return call;
  }

  private <ReqT, RespT> InProcessServerCall<ReqT, RespT> newCall(InProcessStream stream,
      ServerMethodDefinition<ReqT, RespT> definition, MethodDescriptor<?, ?> method,
      Metadata headers, Deadline deadline, String authority, int clientMaxInbound,
      boolean serializeAsked, List<ServerStreamTracer> tracers) {
    return new InProcessServerCall<>(this, stream, definition, method.getResponseMarshaller(),
        headers, deadline, authority, clientMaxInbound, serializeAsked, config, tracers);
  }

  void callEnded(InProcessServerCall<?, ?> call) {
    calls.remove(call);
  }

  @Override
  public String toString() {
    return "InProcessServer{" + name + "}";
  }

  /** Builds an {@link InProcessServer}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private final List<ServerStreamTracer.Factory> tracerFactories = new ArrayList<>();
    private Executor executor;
    private boolean direct;
    private int maxInboundMessageSize = DEFAULT_MAX_INBOUND_MESSAGE_SIZE;
    private int maxOutboundMessageSize = Integer.MAX_VALUE;
    private int bufferLimit = DEFAULT_BUFFER_LIMIT;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    public Builder addService(ServerServiceDefinition service) {
      services.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    /** Adds a server-wide interceptor; the first added is the outermost. */
    public Builder intercept(ServerInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** Adds a factory whose tracer observes every call routed to a method. */
    public Builder addStreamTracerFactory(ServerStreamTracer.Factory factory) {
      tracerFactories.add(Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /**
     * Runs handlers on {@code executor}, which the server does not shut down. By default a
     * cached pool of daemon threads the server owns and shuts down when it terminates.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      this.direct = false;
      return this;
    }

    /**
     * Runs handlers on the thread that causes their events (the client's thread, for a request):
     * no thread hop, deterministic ordering in tests. A handler that blocks there blocks its
     * client.
     */
    public Builder directExecutor() {
      this.executor = null;
      this.direct = true;
      return this;
    }

    /** Limit on a request's size; a larger one fails its call with RESOURCE_EXHAUSTED. */
    public Builder maxInboundMessageSize(int bytes) {
      this.maxInboundMessageSize = positive(bytes);
      return this;
    }

    /** Limit on a response's size; a larger one fails its call with RESOURCE_EXHAUSTED. */
    public Builder maxOutboundMessageSize(int bytes) {
      this.maxOutboundMessageSize = positive(bytes);
      return this;
    }

    /**
     * How many responses a call may have undelivered (sent, not yet taken by the client's
     * listener) before {@code isReady()} turns false; a handler that sends on regardless waits
     * in {@code sendMessage} (default {@value InProcessServer#DEFAULT_BUFFER_LIMIT}).
     */
    public Builder bufferLimit(int messages) {
      this.bufferLimit = positive(messages);
      return this;
    }

    public InProcessServer build() {
      ExecutorService owned = direct || executor != null ? null
          : Executors.newCachedThreadPool(SharedExecutors.daemon("tern-inprocess-" + name));
      return new InProcessServer(this, owned);
    }
  }

  static int positive(int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("must be positive: " + value);
    }
    return value;
  }
}
