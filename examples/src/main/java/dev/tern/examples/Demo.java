package dev.tern.examples;

import dev.tern.Channel;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.stub.CloseableIterator;
import dev.tern.stub.StreamObserver;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The README's demo: a Tern server and a Tern client talking through the code tern-codegen
 * generated from {@code src/main/proto/greeter.proto} ({@link GreeterTern}, {@link HelloRequest},
 * {@link HelloReply}). It makes one call of each of gRPC's four types with the blocking, async and
 * future stubs, then a call that fails with a status and one that runs out of time, printing what
 * happened.
 *
 * <p>Every call here has a deadline ({@code withDeadlineAfter}): without one, a call to a server
 * that never answers waits forever. A stub is immutable, so {@code withDeadlineAfter} returns a
 * new stub whose deadline counts from that moment; make it right before the call.
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    run(new PrintStream(System.out, true, StandardCharsets.UTF_8));
  }

  /** Runs the demo, printing to {@code out}; an unexpected failure is thrown. */
  public static void run(PrintStream out) throws Exception {
    // A server on a free port of 127.0.0.1 serving the Greeter: bindService() turns the
    // implementation into the service definition a server runs.
    TernServer server = TernServer.builder()
        .port(0)
        .addService(new GreeterService().bindService())
        .build()
        .start();
    // A channel to it: one HTTP/2 connection, opened on the first call and shared by all calls.
    TernChannel channel = TernChannel.builder().forAddress("127.0.0.1", server.port()).build();
    out.println("Tern demo: server listening on 127.0.0.1:" + server.port());
    try {
      unary(channel, out);
      serverStreaming(channel, out);
      clientStreaming(channel, out);
      bidiStreaming(channel, out);
      futures(channel, out);
      failingCall(channel, out);
      deadlineExceeded(channel, out);
    } finally {
      channel.shutdown();
      server.shutdown();
    }
    boolean stopped = channel.awaitTermination(10, TimeUnit.SECONDS)
        & server.awaitTermination(10, TimeUnit.SECONDS);
    out.println();
    out.println(stopped ? "shut down cleanly" : "shut down with calls still running");
  }

  /** The blocking stub waits for the reply on the calling thread. */
  private static void unary(Channel channel, PrintStream out) {
    out.println();
    out.println("1. Unary call, blocking stub: SayHello(\"world\")");
    HelloReply reply = GreeterTern.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .sayHello(hello("world"));
    out.println("  <- " + reply.getMessage());
  }

  /** The blocking stub returns a server stream as an iterator that waits for each reply. */
  private static void serverStreaming(Channel channel, PrintStream out) {
    out.println();
    out.println("2. Server streaming, blocking stub: SayHelloManyTimes(\"Ada\", times=3)");
    HelloRequest request = HelloRequest.newBuilder().setName("Ada").setTimes(3).build();
    // try-with-resources: leaving the loop early (break, exception) cancels the rest of the call.
    try (CloseableIterator<HelloReply> replies = GreeterTern.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .sayHelloManyTimes(request)) {
      while (replies.hasNext()) {
        out.println("  <- " + replies.next().getMessage());
      }
    }
  }

  /**
   * The async stub takes an observer for the replies and, for a client stream, returns the
   * observer the requests go to: onNext for each, then onCompleted.
   */
  private static void clientStreaming(Channel channel, PrintStream out) throws Exception {
    out.println();
    out.println("3. Client streaming, async stub: GreetEveryone");
    Replies replies = new Replies();
    StreamObserver<HelloRequest> requests = GreeterTern.newStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .greetEveryone(replies);
    for (String name : List.of("Ada", "Grace", "Linus")) {
      out.println("  -> " + name);
      requests.onNext(hello(name));
    }
    requests.onCompleted();
    out.println("  <- " + replies.next().getMessage());
    out.println("  <- status " + describe(replies.end()));
  }

  /** Both sides stream at once: here each request is answered before the next is sent. */
  private static void bidiStreaming(Channel channel, PrintStream out) throws Exception {
    out.println();
    out.println("4. Bidirectional streaming, async stub: Chat");
    Replies replies = new Replies();
    StreamObserver<HelloRequest> requests = GreeterTern.newStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .chat(replies);
    for (String name : List.of("Ada", "Grace")) {
      out.println("  -> " + name);
      requests.onNext(hello(name));
      out.println("  <- " + replies.next().getMessage());
    }
    requests.onCompleted();
    out.println("  <- status " + describe(replies.end()));
  }

  /** The future stub returns at once; both calls run at the same time on the one connection. */
  private static void futures(Channel channel, PrintStream out) {
    out.println();
    out.println("5. Unary calls, future stub: SayHello(\"Ada\") and SayHello(\"Grace\") at once");
    GreeterTern.GreeterFutureStub stub = GreeterTern.newFutureStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS);
    CompletableFuture<HelloReply> ada = stub.sayHello(hello("Ada"));
    CompletableFuture<HelloReply> grace = stub.sayHello(hello("Grace"));
    // join() waits; a failed call completes its future with a StatusRuntimeException.
    out.println("  <- " + ada.join().getMessage());
    out.println("  <- " + grace.join().getMessage());
  }

  /** A failed call throws StatusRuntimeException from a blocking stub: status and trailers. */
  private static void failingCall(Channel channel, PrintStream out) {
    out.println();
    out.println("6. A failing call, blocking stub: SayHello(\"\")");
    try {
      GreeterTern.newBlockingStub(channel)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .sayHello(hello(""));
      out.println("  unexpected: the call succeeded");
    } catch (StatusRuntimeException e) {
      out.println("  <- status " + describe(e.getStatus()));
      out.println("  <- trailer x-bad-field: " + e.getTrailers().get(GreeterService.BAD_FIELD));
    }
  }

  /**
   * A call still running at its deadline ends with DEADLINE_EXCEEDED: the client stops waiting
   * and cancels it, and the server hears the cancellation (its request observer's onError).
   */
  private static void deadlineExceeded(Channel channel, PrintStream out) throws Exception {
    out.println();
    out.println("7. A deadline, async stub: GreetEveryone never ends its stream; 300 ms deadline");
    Replies replies = new Replies();
    StreamObserver<HelloRequest> requests = GreeterTern.newStub(channel)
        .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
        .greetEveryone(replies);
    out.println("  -> Dana");
    requests.onNext(hello("Dana"));
    // No requests.onCompleted(): the server keeps waiting for names until the deadline passes.
    out.println("  <- status " + describe(replies.end()));
  }

  private static HelloRequest hello(String name) {
    return HelloRequest.newBuilder().setName(name).build();
  }

  private static String describe(Status status) {
    return status.getDescription() == null
        ? status.getCode().toString()
        : status.getCode() + ": " + status.getDescription();
  }

  /**
   * An observer for an async stub's replies that hands them to the thread waiting for them. The
   * stub calls it on the channel's executor while the demo reads on its own thread: thread-safe.
   */
  private static final class Replies implements StreamObserver<HelloReply> {
    private final BlockingQueue<HelloReply> replies = new LinkedBlockingQueue<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();

    @Override
    public void onNext(HelloReply reply) {
      replies.add(reply);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }

    /** The next reply; fails if there is none within 10 s. */
    HelloReply next() throws InterruptedException {
      HelloReply reply = replies.poll(10, TimeUnit.SECONDS);
      if (reply == null) {
        throw new IllegalStateException("no reply; the call ended with " + end.getNow(null));
      }
      return reply;
    }

    /** How the call ended: OK or the error's status; waits up to 10 s. */
    Status end() throws Exception {
      return end.get(10, TimeUnit.SECONDS);
    }
  }
}
