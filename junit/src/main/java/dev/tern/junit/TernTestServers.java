package dev.tern.junit;

import dev.tern.Channel;
import dev.tern.ClientInterceptors;
import dev.tern.ServerServiceDefinition;
import dev.tern.testing.LeakDetectorExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that serves a test's services and hands it a channel to them: in-process
 * by default (tern-inprocess: no sockets), or over HTTP/2 on 127.0.0.1. After each test it stops
 * both and <b>fails the test</b> that left a call open (started on {@link #channel()} and not
 * closed) or leaked a Netty {@code ByteBuf} (through tern-testing's leak gate,
 * {@link LeakDetectorExtension}, which it asks at the end of each test rather than of each
 * class).
 *
 * <pre>{@code
 * class GreeterServiceTest {
 *   @RegisterExtension
 *   final TernTestServers servers = TernTestServers.inProcess();
 *
 *   @Test
 *   void greetsByName() {
 *     servers.register(new GreeterService().bindService());
 *     GreeterTern.GreeterBlockingStub stub = GreeterTern.newBlockingStub(servers.channel());
 *     assertEquals("Hello, Ada", stub.sayHello(request("Ada")).getMessage());
 *   }
 * }
 * }</pre>
 *
 * <p>The server starts on the first {@link #channel()} of a test, with the services registered
 * until then; each test gets a fresh one.
 *
 * <p>Thread-safe: a test's threads may register and call concurrently.
 */
public final class TernTestServers implements BeforeEachCallback, AfterEachCallback {
  /** How long the server's calls may take to end after the test before they are cancelled. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

  private enum Transport {
    IN_PROCESS,
    LOOPBACK
  }

  /** Where the current test is. */
  private enum Phase {
    /** No test is running. */
    IDLE,
    /** A test runs; services are being registered and nothing is started. */
    REGISTERING,
    /** A test runs and its server is started. */
    SERVING
  }

  private final Transport transport;
  private volatile boolean serializeMessages;
  private volatile Duration grace = DEFAULT_GRACE;

  // Guarded by this.
  private Phase phase = Phase.IDLE;
  private final List<ServerServiceDefinition> services = new ArrayList<>();
  private Serving serving;
  private OpenCalls openCalls;
  private Channel channel;

  private TernTestServers(Transport transport) {
    this.transport = transport;
  }

  /** Serves over the in-process transport (tern-inprocess). */
  public static TernTestServers inProcess() {
    return new TernTestServers(Transport.IN_PROCESS);
  }

  /** Serves over HTTP/2 on 127.0.0.1: a {@code TernServer} on a free port and a channel to it. */
  public static TernTestServers loopback() {
    return new TernTestServers(Transport.LOOPBACK);
  }

  /**
   * In-process only: whether every message is serialized and parsed (default false), to test
   * the marshallers too.
   */
  public TernTestServers serializeMessages(boolean serialize) {
    if (transport != Transport.IN_PROCESS) {
      throw new IllegalStateException("serializeMessages is an in-process option");
    }
    this.serializeMessages = serialize;
    return this;
  }

  /** How long the server's calls may take to end after each test (default 5 s). */
  public TernTestServers grace(Duration grace) {
    this.grace = Objects.requireNonNull(grace, "grace");
    return this;
  }

  /** Adds a service to this test's server; before the test's first {@link #channel()}. */
  public synchronized TernTestServers register(ServerServiceDefinition service) {
    Objects.requireNonNull(service, "service");
    if (phase != Phase.REGISTERING) {
      throw new IllegalStateException(phase == Phase.IDLE
          ? "register() is for use inside a test"
          : "register() after channel(): the server is already serving");
    }
    services.add(service);
    return this;
  }

  /** The channel to this test's server, started with the services registered so far. */
  public synchronized Channel channel() {
    switch (phase) {
      case IDLE -> throw new IllegalStateException("channel() is for use inside a test");
      case REGISTERING -> start();
      case SERVING -> {}
    }
    return channel;
  }

  private void start() {
    try {
      serving = transport == Transport.IN_PROCESS
          ? Serving.InProcess.start(services, serializeMessages)
          : Serving.Loopback.start(services);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the test's server", e);
    }
    openCalls = new OpenCalls();
    channel = ClientInterceptors.intercept(serving.channel(), openCalls);
    phase = Phase.SERVING;
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    services.clear();
    phase = Phase.REGISTERING;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Serving s;
    List<String> open;
    synchronized (this) {
      s = serving;
      open = openCalls != null ? openCalls.methods() : List.of();
      serving = null;
      openCalls = null;
      channel = null;
      services.clear();
      phase = Phase.IDLE;
    }
    List<String> problems = new ArrayList<>();
    if (!open.isEmpty()) {
      problems.add(open.size() + " call(s) still open at the end of the test (finish or cancel"
          + " them, and wait for their onClose): " + open);
    }
    if (s != null && !s.stop(grace) && open.isEmpty()) {
      problems.add("the server's handlers had not finished their calls " + grace
          + " after the test; they were cancelled");
    }
    String leaks = LeakDetectorExtension.collectLeaks();
    if (leaks != null) {
      problems.add("Netty reported leaked ByteBufs:\n" + leaks);
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(String.join("\n", problems));
    }
  }
}
