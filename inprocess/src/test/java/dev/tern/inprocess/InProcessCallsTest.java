package dev.tern.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.ForwardingClientCall;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerInterceptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.stub.ClientCalls;
import dev.tern.stub.CloseableIterator;
import dev.tern.stub.ServerCalls;
import dev.tern.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The four call types, metadata, status, routing and interceptors over the in-process transport. */
class InProcessCallsTest {
  private static final Metadata.Key<String> HEADER = Metadata.Key.ascii("x-header");
  private static final Metadata.Key<String> TRAILER = Metadata.Key.ascii("x-trailer");
  private static final Context.Key<String> USER = Context.key("user");

  private final InProcessFixture fixture = new InProcessFixture();
  private final String name = InProcessFixture.uniqueName();

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  /** Unary appends "!", server streaming counts to n, client streaming joins, bidi upper-cases. */
  static ServerServiceDefinition.Builder strings() {
    return ServerServiceDefinition.builder(Strings.SERVICE)
        .addMethod(Strings.UNARY, ServerCalls.asyncUnaryCall((request, responses) -> {
          String user = USER.get();
          responses.onNext(request + "!" + (user != null ? user : ""));
          responses.onCompleted();
        }))
        .addMethod(Strings.SERVER_STREAMING,
            ServerCalls.asyncServerStreamingCall((request, responses) -> {
              for (int i = 0; i < Integer.parseInt(request); i++) {
                responses.onNext(Integer.toString(i));
              }
              responses.onCompleted();
            }))
        .addMethod(Strings.CLIENT_STREAMING, ServerCalls.asyncClientStreamingCall(responses ->
            new StreamObserver<String>() {
              final StringBuilder joined = new StringBuilder();

              @Override
              public void onNext(String value) {
                joined.append(value);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                responses.onNext(joined.toString());
                responses.onCompleted();
              }
            }))
        .addMethod(Strings.BIDI, ServerCalls.asyncBidiStreamingCall(responses ->
            new StreamObserver<String>() {
              @Override
              public void onNext(String value) {
                responses.onNext(value.toUpperCase());
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                responses.onCompleted();
              }
            }));
  }

  private InProcessChannel startDefault() throws Exception {
    fixture.server(name, b -> b.addService(strings().build()));
    return fixture.channel(name, b -> {});
  }

  @Test
  void unaryCallReturnsTheResponse() throws Exception {
    InProcessChannel channel = startDefault();
    assertEquals("hi!", ClientCalls.blockingUnaryCall(
        channel, Strings.UNARY, CallOptions.DEFAULT, "hi"));
  }

  @Test
  void serverStreamingDeliversEveryResponseInOrder() throws Exception {
    InProcessChannel channel = startDefault();
    List<String> got = new ArrayList<>();
    try (CloseableIterator<String> it = ClientCalls.blockingServerStreamingCall(
        channel, Strings.SERVER_STREAMING, CallOptions.DEFAULT, "100")) {
      it.forEachRemaining(got::add);
    }
    assertEquals(100, got.size());
    assertEquals("99", got.get(99));
  }

  @Test
  void clientStreamingReceivesEveryRequest() throws Exception {
    InProcessChannel channel = startDefault();
    FutureObserver response = new FutureObserver();
    StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(
        channel.newCall(Strings.CLIENT_STREAMING, CallOptions.DEFAULT), response);
    for (int i = 0; i < 50; i++) {
      requests.onNext(Integer.toString(i % 10));
    }
    requests.onCompleted();
    assertEquals("0123456789".repeat(5), response.single());
  }

  @Test
  void bidiStreamingAnswersEachRequest() throws Exception {
    InProcessChannel channel = startDefault();
    FutureObserver responses = new FutureObserver();
    StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(
        channel.newCall(Strings.BIDI, CallOptions.DEFAULT), responses);
    requests.onNext("a");
    requests.onNext("b");
    requests.onCompleted();
    assertEquals(List.of("A", "B"), responses.all());
  }

  @Test
  void headersAndTrailersReachTheClient() throws Exception {
    fixture.server(name, b -> b.addService(ServerServiceDefinition.builder(Strings.SERVICE)
        .addMethod(Strings.UNARY, (call, headers) -> {
          Metadata h = new Metadata();
          h.put(HEADER, headers.get(HEADER) + " back");
          call.sendHeaders(h);
          call.sendMessage("m");
          Metadata t = new Metadata();
          t.put(TRAILER, "t");
          call.close(Status.OK, t);
          return new ServerCall.Listener<>() {};
        }).build()));
    Recorder r = start(fixture.channel(name, b -> {}), Strings.UNARY, "x");
    Recorder.Closed closed = r.awaitClose();
    assertEquals(Status.Code.OK, closed.status().getCode());
    assertEquals("sent back", r.headers.getNow(null).get(HEADER));
    assertEquals(List.of("m"), r.messages);
    assertEquals("t", closed.trailers().get(TRAILER));
  }

  @Test
  void failedStatusCarriesDescriptionAndTrailersButNotTheCause() throws Exception {
    fixture.server(name, b -> b.addService(ServerServiceDefinition.builder(Strings.SERVICE)
        .addMethod(Strings.UNARY, (call, headers) -> {
          Metadata t = new Metadata();
          t.put(TRAILER, "why");
          call.close(Status.INVALID_ARGUMENT.withDescription("bad 100% ✓")
              .withCause(new IllegalStateException("server-only")), t);
          return new ServerCall.Listener<>() {};
        }).build()));
    Recorder r = start(fixture.channel(name, b -> {}), Strings.UNARY, "x");
    Recorder.Closed closed = r.awaitClose();
    assertEquals(Status.Code.INVALID_ARGUMENT, closed.status().getCode());
    assertEquals("bad 100% ✓", closed.status().getDescription());
    assertNull(closed.status().getCause(), "a cause does not cross the transport");
    assertEquals("why", closed.trailers().get(TRAILER));
    assertFalse(r.headers.isDone(), "closed before any message: Trailers-Only, no headers");
  }

  @Test
  void unknownMethodIsUnimplemented() throws Exception {
    InProcessChannel channel = startDefault();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(channel, Strings.method("Missing",
            dev.tern.MethodDescriptor.MethodType.UNARY), CallOptions.DEFAULT, "x"));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    assertEquals("Method not found: test.Strings/Missing", e.getStatus().getDescription());
  }

  @Test
  void unknownNameIsUnavailable() {
    InProcessChannel channel = fixture.channel("nobody-" + name, b -> {});
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(channel, Strings.UNARY, CallOptions.DEFAULT, "x"));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void throwingHandlerFailsWithInternalAndKeepsItsMessage() throws Exception {
    fixture.server(name, b -> b.addService(ServerServiceDefinition.builder(Strings.SERVICE)
        .addMethod(Strings.UNARY, ServerCalls.asyncUnaryCall((request, responses) -> {
          throw new IllegalStateException("secret");
        })).build()));
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(fixture.channel(name, b -> {}), Strings.UNARY,
            CallOptions.DEFAULT, "x"));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertFalse(String.valueOf(e.getStatus().getDescription()).contains("secret"));
  }

  @Test
  void clientAndServerInterceptorsSeeTheCall() throws Exception {
    ServerInterceptor authenticate = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, dev.tern.ServerCallHandler<ReqT, RespT> next) {
        return Contexts.interceptCall(Context.current().withValue(USER, headers.get(HEADER)),
            call, headers, next);
      }
    };
    ClientInterceptor addUser = new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          dev.tern.MethodDescriptor<ReqT, RespT> method, CallOptions options,
          dev.tern.Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<RespT> listener, Metadata headers) {
            headers.put(HEADER, "ada");
            super.start(listener, headers);
          }
        };
      }
    };
    fixture.server(name, b -> b.addService(strings().build()).intercept(authenticate));
    InProcessChannel channel = fixture.channel(name, b -> b.intercept(addUser));
    assertEquals("hi!ada", ClientCalls.blockingUnaryCall(
        channel, Strings.UNARY, CallOptions.DEFAULT, "hi"));
  }

  @Test
  void directExecutorsRunTheWholeCallOnTheCallingThread() throws Exception {
    fixture.server(name, b -> b.addService(strings().build()).directExecutor());
    InProcessChannel channel = fixture.channel(name, b -> b.directExecutor());
    Thread caller = Thread.currentThread();
    CompletableFuture<Thread> listenerThread = new CompletableFuture<>();
    ClientCall<String, String> call = channel.newCall(Strings.UNARY, CallOptions.DEFAULT);
    Recorder r = new Recorder() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        listenerThread.complete(Thread.currentThread());
        super.onClose(status, trailers);
      }
    };
    call.start(r, new Metadata());
    call.request(1);
    call.sendMessage("now");
    call.halfClose();
    // No waiting: the handler and the listener already ran, here.
    assertTrue(r.closed.isDone());
    assertSame(caller, listenerThread.getNow(null));
    assertEquals(List.of("now!"), r.messages);
  }

  static Recorder start(InProcessChannel channel, dev.tern.MethodDescriptor<String, String> m,
      String request) {
    ClientCall<String, String> call = channel.newCall(m, CallOptions.DEFAULT);
    Recorder r = new Recorder();
    call.start(r, headers("sent"));
    call.request(10);
    call.sendMessage(request);
    call.halfClose();
    return r;
  }

  static Metadata headers(String value) {
    Metadata h = new Metadata();
    h.put(HEADER, value);
    return h;
  }

  /** Collects a call's responses. */
  static final class FutureObserver implements StreamObserver<String> {
    private final List<String> values = new ArrayList<>();
    private final CompletableFuture<List<String>> done = new CompletableFuture<>();

    @Override
    public synchronized void onNext(String value) {
      values.add(value);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public synchronized void onCompleted() {
      done.complete(List.copyOf(values));
    }

    List<String> all() throws Exception {
      return done.get(30, TimeUnit.SECONDS);
    }

    String single() throws Exception {
      List<String> all = all();
      assertEquals(1, all.size(), all::toString);
      return all.get(0);
    }
  }
}
