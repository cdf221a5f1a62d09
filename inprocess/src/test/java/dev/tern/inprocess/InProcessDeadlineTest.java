package dev.tern.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Context;
import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deadlines and cancellation, both ways, as over HTTP/2. */
class InProcessDeadlineTest {
  private final InProcessFixture fixture = new InProcessFixture();
  private final String name = InProcessFixture.uniqueName();
  /** The server's context as its handler saw it. */
  private final CompletableFuture<Context> serverContext = new CompletableFuture<>();
  /** Completed when the handler's listener hears onCancel. */
  private final CompletableFuture<Void> serverCancelled = new CompletableFuture<>();
  private final AtomicInteger started = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  /** A server whose handler never answers. */
  private InProcessChannel silentServer() throws Exception {
    fixture.server(name, b -> b.addService(ServerServiceDefinition.builder(Strings.SERVICE)
        .addMethod(Strings.UNARY, (call, headers) -> {
          started.incrementAndGet();
          serverContext.complete(Context.current());
          return new ServerCall.Listener<>() {
            @Override
            public void onCancel() {
              serverCancelled.complete(null);
            }
          };
        }).build()));
    return fixture.channel(name, b -> {});
  }

  private static Recorder start(ClientCall<String, String> call) {
    Recorder r = new Recorder();
    call.start(r, new Metadata());
    call.sendMessage("x");
    call.halfClose();
    return r;
  }

  @Test
  void serverSeesTheClientsDeadline() throws Exception {
    InProcessChannel channel = silentServer();
    ClientCall<String, String> call = channel.newCall(Strings.UNARY,
        CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.HOURS));
    start(call);
    Deadline deadline = serverContext.get(30, TimeUnit.SECONDS).getDeadline();
    assertNotNull(deadline);
    assertTrue(deadline.timeRemaining(TimeUnit.MINUTES) > 30, deadline::toString);
    call.cancel("done", null);
  }

  @Test
  void passedDeadlineEndsBothSidesWithDeadlineExceeded() throws Exception {
    InProcessChannel channel = silentServer();
    // Long enough for the handler to start first: the server's deadline runs from its accept,
    // and a call whose deadline passes before the handler starts never reaches the handler
    // (20 ms did, on a loaded CI machine), which would leave nothing to hear onCancel.
    Recorder r = start(channel.newCall(Strings.UNARY,
        CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.SECONDS)));
    serverContext.get(30, TimeUnit.SECONDS);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, r.awaitStatus().getCode());
    serverCancelled.get(30, TimeUnit.SECONDS);
    Context context = serverContext.get();
    assertTrue(context.isCancelled());
    assertInstanceOf(TimeoutException.class, context.cancellationCause());
  }

  @Test
  void expiredDeadlineFailsWithoutReachingTheServer() throws Exception {
    InProcessChannel channel = silentServer();
    Recorder r = start(channel.newCall(Strings.UNARY,
        CallOptions.DEFAULT.withDeadline(Deadline.after(-1, TimeUnit.SECONDS))));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, r.awaitStatus().getCode());
    assertEquals(0, started.get());
  }

  @Test
  void channelDefaultTimeoutAppliesToCallsWithoutADeadline() throws Exception {
    silentServer();
    InProcessChannel channel = fixture.channel(name,
        b -> b.defaultTimeout(Duration.ofMillis(20)));
    Recorder r = start(channel.newCall(Strings.UNARY, CallOptions.DEFAULT));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, r.awaitStatus().getCode());
  }

  @Test
  void clientCancelCancelsTheServersContext() throws Exception {
    InProcessChannel channel = silentServer();
    ClientCall<String, String> call = channel.newCall(Strings.UNARY, CallOptions.DEFAULT);
    Recorder r = start(call);
    Context context = serverContext.get(30, TimeUnit.SECONDS);
    call.cancel("changed my mind", null);
    Status status = r.awaitStatus();
    assertEquals(Status.Code.CANCELLED, status.getCode());
    assertEquals("changed my mind", status.getDescription());
    serverCancelled.get(30, TimeUnit.SECONDS);
    assertTrue(context.isCancelled());
  }

  @Test
  void cancelledCallerContextCancelsTheCall() throws Exception {
    InProcessChannel channel = silentServer();
    Context.CancellableContext caller = Context.ROOT.withCancellation();
    ClientCall<String, String> call;
    Context previous = caller.attach();
    try {
      call = channel.newCall(Strings.UNARY, CallOptions.DEFAULT);
    } finally {
      caller.detach(previous);
    }
    Recorder r = start(call);
    serverContext.get(30, TimeUnit.SECONDS);
    caller.cancel(null);
    assertEquals(Status.Code.CANCELLED, r.awaitStatus().getCode());
    serverCancelled.get(30, TimeUnit.SECONDS);
  }

  @Test
  void serverClosingTheCallClosesItsContext() throws Exception {
    CompletableFuture<Context> context = new CompletableFuture<>();
    fixture.server(name, b -> b.addService(ServerServiceDefinition.builder(Strings.SERVICE)
        .addMethod(Strings.UNARY, (call, headers) -> {
          context.complete(Context.current());
          call.close(Status.OK, new Metadata());
          return new ServerCall.Listener<>() {};
        }).build()));
    Recorder r = start(fixture.channel(name, b -> {}).newCall(Strings.UNARY,
        CallOptions.DEFAULT));
    assertEquals(Status.Code.OK, r.awaitStatus().getCode());
    // The client may hear OK before the server side has closed the context: wait for it.
    CompletableFuture<Void> closed = new CompletableFuture<>();
    context.get(30, TimeUnit.SECONDS).addListener(c -> closed.complete(null), Runnable::run);
    closed.get(30, TimeUnit.SECONDS); // downstream calls made with the handler's context end
    assertTrue(context.get().isCancelled());
  }
}
