package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.stub.ServerCalls;
import dev.tern.stub.StreamObserver;
import dev.tern.testing.Quiescence;
import dev.tern.testing.TcpProxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Inbound flow control driven by request(n), and the bound on outbound buffering, measured on
 * the wire: a {@link TcpProxy} between client and server counts the bytes each side sends.
 */
class FlowControlTest {
  /** Stream window on both sides: 64 KiB. */
  private static final int WINDOW = 64 * 1024;
  /**
   * What may cross the wire beyond the window: HTTP/2 frame headers (9 bytes per DATA frame of
   * about 1 KiB here), HEADERS, SETTINGS, WINDOW_UPDATE and PING frames.
   */
  private static final int OVERHEAD = 8 * 1024;
  private static final int MESSAGE = 1000;

  private static final MethodDescriptor<String, String> SERVER_STREAM =
      StreamingMethods.method("ServerStream", MethodType.SERVER_STREAMING);
  private static final MethodDescriptor<String, String> CLIENT_STREAM =
      StreamingMethods.method("ClientStream", MethodType.CLIENT_STREAMING);

  private TernServer server;
  private TcpProxy proxy;
  private TernChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private void start(ServerServiceDefinition service, Consumer<TernServer.Builder> serverConfig)
      throws Exception {
    TernServer.Builder b = TernServer.builder().port(0).addService(service)
        .flowControlWindow(WINDOW);
    serverConfig.accept(b);
    server = b.build().start();
    proxy = TcpProxy.start(server.port());
    channel = TernChannel.builder().target("127.0.0.1:" + proxy.port())
        .flowControlWindow(WINDOW).build();
  }

  @Test
  void serverStreamToAClientThatRequestsNothingStopsAtTheWindowAndResumes() throws Exception {
    start(StreamingMethods.service(SERVER_STREAM, StreamingMethods.politeServerStream()), b -> {});
    int count = 2000; // 2 MB, 30 times the window
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    call.sendMessage(count + "," + MESSAGE);
    call.halfClose();

    long sent = Quiescence.awaitQuiet(proxy::bytesToClient, WINDOW / 2);
    assertTrue(sent >= WINDOW / 2, "the server sent while the window allowed: " + sent);
    assertTrue(sent <= WINDOW + OVERHEAD, "sent " + sent + " bytes to a client that reads"
        + " nothing; the window is " + WINDOW);
    assertTrue(r.messages.isEmpty() && !r.closed.isDone());

    call.request(Integer.MAX_VALUE);
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(count, r.messages.size());
    System.out.printf("server->client slow reader: %d bytes on the wire before the client"
        + " requested (window %d); %d in total%n", sent, WINDOW, proxy.bytesToClient());
  }

  @Test
  void clientOnAPoolGetsNoMoreThanItRequestedAndTheStatusAfterTheLastMessage() throws Exception {
    start(StreamingMethods.service(SERVER_STREAM, StreamingMethods.politeServerStream()), b -> {});
    // All of it fits in the window: the server ends the stream while the client has read only
    // the first ten, and the rest waits, read ahead, with the status behind it.
    int count = 50;
    int firstAsk = 10;
    AtomicInteger requested = new AtomicInteger(firstAsk);
    AtomicInteger overRequested = new AtomicInteger();
    CompletableFuture<Void> firstBatch = new CompletableFuture<>();
    CallResult<String> r = new CallResult<>();
    ClientCall.Listener<String> listener = new ClientCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        r.onMessage(message);
        if (r.messages.size() > requested.get()) {
          overRequested.incrementAndGet();
        }
        if (r.messages.size() == firstAsk) {
          firstBatch.complete(null);
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        if (r.messages.size() != count && status.isOk()) {
          overRequested.addAndGet(1000); // the status overtook messages
        }
        r.onClose(status, trailers);
      }
    };
    ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
    call.start(listener, new Metadata());
    call.sendMessage(count + "," + MESSAGE);
    call.halfClose();
    call.request(firstAsk);
    firstBatch.get(30, TimeUnit.SECONDS);
    // The rest and the trailers cross the wire meanwhile: wait for it to rest.
    Quiescence.awaitQuiet(proxy::bytesToClient, count * MESSAGE);
    assertTrue(!r.closed.isDone(), "no status while messages are unread");
    requested.addAndGet(count - firstAsk);
    call.request(count - firstAsk);
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(count, r.messages.size());
    assertEquals(0, overRequested.get());
  }

  @Test
  void poolClientTakingMessagesAfterTheServerFilledTheWindowExactlyGetsThemAll()
      throws Exception {
    start(StreamingMethods.service(SERVER_STREAM, StreamingMethods.politeServerStream()), b -> {});
    // 4,096 bytes a message on the wire: 16 fill the window to the byte, so the client holds
    // whole messages only and the server, out of window, sends nothing that would wake the
    // client's event loop. The credit of the messages the application takes must go out
    // without waiting for a read (RFC 9113 §6.9), or the call stalls here.
    int size = 4096 - 5;
    int count = 40;
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
    call.start(oneAtATime(r, () -> call.request(1)), new Metadata());
    call.sendMessage(count + "," + size);
    call.halfClose();
    long sent = Quiescence.awaitQuiet(proxy::bytesToClient, WINDOW);
    assertTrue(sent <= WINDOW + OVERHEAD, "the server stopped at the window: " + sent);

    call.request(1); // then one more per message, on the callback thread
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(count, r.messages.size());
  }

  @Test
  void poolClientTakingTheLastMessagesAfterTheTrailersArrivedGetsTheStatus() throws Exception {
    start(StreamingMethods.service(SERVER_STREAM, StreamingMethods.politeServerStream()), b -> {});
    // A few small messages and the status, all in before the application asks: the window stays
    // wide open, nothing more will arrive, and the status waits for the report of the last
    // message taken, which therefore must not wait for a read.
    int count = 3;
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
    call.start(oneAtATime(r, () -> call.request(1)), new Metadata());
    call.sendMessage(count + "," + MESSAGE);
    call.halfClose();
    Quiescence.awaitQuiet(proxy::bytesToClient, (long) count * MESSAGE);
    assertTrue(!r.closed.isDone(), "no status while messages are unread");

    call.request(1);
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(count, r.messages.size());
  }

  /** A listener that records into {@code r} and asks for the next message after each. */
  private static ClientCall.Listener<String> oneAtATime(CallResult<String> r, Runnable next) {
    return new ClientCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        r.onMessage(message);
        next.run();
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        r.onClose(status, trailers);
      }
    };
  }

  @Test
  void directExecutorClientAskingForOneAtATimeInlineGetsEveryMessageInOrder() throws Exception {
    start(StreamingMethods.service(SERVER_STREAM, StreamingMethods.politeServerStream()), b -> {});
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    channel = TernChannel.builder().target("127.0.0.1:" + proxy.port())
        .flowControlWindow(WINDOW).directExecutor().build();
    int count = 500; // several windows: credit must keep flowing with requests made inline
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add(StreamingMethods.payload(i, MESSAGE));
    }
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        r.onMessage(message);
        call.request(1); // on the event loop, inside the delivery
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        r.onClose(status, trailers);
      }
    }, new Metadata());
    call.sendMessage(count + "," + MESSAGE);
    call.halfClose();
    call.request(1);
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(expected, r.messages);
  }

  @Test
  void clientStreamToAServerThatRequestsNothingStopsAtTheWindowAndResumes() throws Exception {
    CompletableFuture<ServerCall<String, String>> serverCall = new CompletableFuture<>();
    AtomicInteger received = new AtomicInteger();
    ServerCallHandler<String, String> silent = (call, headers) -> {
      serverCall.complete(call);
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(String message) {
          received.incrementAndGet();
        }

        @Override
        public void onHalfClose() {
          call.sendMessage(Integer.toString(received.get()));
          call.close(Status.OK, new Metadata());
        }
      };
    };
    start(StreamingMethods.service(CLIENT_STREAM, silent), b -> {});
    int count = 2000;
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(CLIENT_STREAM, CallOptions.DEFAULT);
    // Sends while ready, from onReady, as a well-behaved streaming client does.
    AtomicInteger next = new AtomicInteger();
    Runnable pump = () -> {
      synchronized (next) {
        while (next.get() < count && call.isReady()) {
          call.sendMessage(StreamingMethods.payload(next.getAndIncrement(), MESSAGE));
        }
        if (next.get() == count) {
          next.incrementAndGet();
          call.halfClose();
        }
      }
    };
    ClientCall.Listener<String> listener = r;
    call.start(new ForwardingListener(listener, pump), new Metadata());
    call.request(1);
    pump.run();

    long sent = Quiescence.awaitQuiet(proxy::bytesToServer, WINDOW / 2);
    assertTrue(sent >= WINDOW / 2, "the client sent while the window allowed: " + sent);
    assertTrue(sent <= WINDOW + OVERHEAD, "sent " + sent + " bytes to a server that reads"
        + " nothing; the window is " + WINDOW);
    assertEquals(0, received.get());
    assertTrue(next.get() < count, "the client stopped on isReady()");

    serverCall.get(10, TimeUnit.SECONDS).request(Integer.MAX_VALUE);
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of(Integer.toString(count)), r.messages);
    System.out.printf("client->server slow reader: %d bytes on the wire before the server"
        + " requested (window %d); %d in total%n", sent, WINDOW, proxy.bytesToServer());
  }

  @Test
  void handlerThatIgnoresIsReadyIsHeldAtTheSendBufferLimit() throws Exception {
    AtomicInteger sentByHandler = new AtomicInteger();
    int limit = 128 * 1024;
    start(StreamingMethods.service(SERVER_STREAM,
        StreamingMethods.naiveServerStream(sentByHandler)), b -> b.sendBufferLimit(limit));
    assertHandlerHeldBack(sentByHandler, limit);
  }

  @Test
  void observerStyleStreamIsHeldAtTheSendBufferLimit() throws Exception {
    AtomicInteger sentByHandler = new AtomicInteger();
    int limit = 128 * 1024;
    ServerCallHandler<String, String> observerStyle = ServerCalls.asyncServerStreamingCall(
        (String request, StreamObserver<String> responses) -> {
          String[] parts = request.split(",");
          int count = Integer.parseInt(parts[0]);
          // The simplest possible streamer: a loop of onNext, no isReady in sight.
          for (int i = 0; i < count; i++) {
            responses.onNext(StreamingMethods.payload(i, Integer.parseInt(parts[1])));
            sentByHandler.incrementAndGet();
          }
          responses.onCompleted();
        });
    start(StreamingMethods.service(SERVER_STREAM, observerStyle), b -> b.sendBufferLimit(limit));
    assertHandlerHeldBack(sentByHandler, limit);
  }

  private void assertHandlerHeldBack(AtomicInteger sentByHandler, int limit) throws Exception {
    int count = 5000; // 5 MB
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    call.sendMessage(count + "," + MESSAGE);
    call.halfClose();

    long handed = Quiescence.awaitQuiet(sentByHandler::get, WINDOW / MESSAGE) * (MESSAGE + 5L);
    long onWire = proxy.bytesToClient();
    // On the wire: at most the window. In memory: at most the limit plus one message.
    assertTrue(onWire <= WINDOW + OVERHEAD, "on the wire: " + onWire);
    assertTrue(handed <= WINDOW + limit + MESSAGE + OVERHEAD,
        "the handler got " + handed + " bytes past sendMessage; window " + WINDOW + ", limit "
            + limit);

    call.request(Integer.MAX_VALUE);
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(count, r.messages.size());
    System.out.printf("handler ignoring isReady: %d bytes accepted by sendMessage, %d on the"
        + " wire before the client read (window %d, send buffer limit %d)%n",
        handed, onWire, WINDOW, limit);
  }

  @Test
  void observerStyleClientStreamIsHeldAtTheSendBufferLimit() throws Exception {
    CompletableFuture<ServerCall<String, String>> serverCall = new CompletableFuture<>();
    ServerCallHandler<String, String> silent = (call, headers) -> {
      serverCall.complete(call);
      return new ServerCall.Listener<>() {
        int received;

        @Override
        public void onMessage(String message) {
          received++;
        }

        @Override
        public void onHalfClose() {
          call.sendMessage(Integer.toString(received));
          call.close(Status.OK, new Metadata());
        }
      };
    };
    start(StreamingMethods.service(CLIENT_STREAM, silent), b -> {});
    TernChannel limited = TernChannel.builder().target("127.0.0.1:" + proxy.port())
        .flowControlWindow(WINDOW).sendBufferLimit(128 * 1024).build();
    try {
      int count = 5000;
      AtomicInteger accepted = new AtomicInteger();
      CompletableFuture<String> response = new CompletableFuture<>();
      StreamObserver<String> requests = dev.tern.stub.ClientCalls.asyncClientStreamingCall(
          limited.newCall(CLIENT_STREAM, CallOptions.DEFAULT), new StreamObserver<>() {
            @Override
            public void onNext(String value) {
              response.complete(value);
            }

            @Override
            public void onError(Throwable t) {
              response.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
          });
      // The simplest client streamer: a loop of onNext on its own thread, no isReady.
      CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < count; i++) {
          requests.onNext(StreamingMethods.payload(i, MESSAGE));
          accepted.incrementAndGet();
        }
        requests.onCompleted();
      });
      ServerCall<String, String> call = serverCall.get(10, TimeUnit.SECONDS);
      long handed = Quiescence.awaitQuiet(accepted::get, WINDOW / MESSAGE) * (MESSAGE + 5L);
      assertTrue(proxy.bytesToServer() <= WINDOW + OVERHEAD, "on the wire: "
          + proxy.bytesToServer());
      assertTrue(handed <= WINDOW + 128 * 1024 + MESSAGE + OVERHEAD,
          "onNext accepted " + handed + " bytes for a server that reads nothing");
      assertTrue(!sender.isDone(), "the sending thread waits");

      call.request(Integer.MAX_VALUE);
      sender.get(60, TimeUnit.SECONDS);
      assertEquals(Integer.toString(count), response.get(60, TimeUnit.SECONDS));
    } finally {
      limited.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void eventLoopHandlerThatIgnoresIsReadyFailsAtTheSendBufferLimit() throws Exception {
    AtomicInteger sentByHandler = new AtomicInteger();
    start(StreamingMethods.service(SERVER_STREAM,
        StreamingMethods.naiveServerStream(sentByHandler)),
        b -> b.directExecutor().sendBufferLimit(128 * 1024));
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    call.request(Integer.MAX_VALUE);
    call.sendMessage("5000," + MESSAGE);
    call.halfClose();
    r.await();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, r.status.getCode(), r.status::toString);
    assertTrue(r.status.getDescription().contains("isReady"), r.status::toString);
  }

  /** Lets the test start the call once with a listener that also pumps on onReady. */
  private static final class ForwardingListener extends ClientCall.Listener<String> {
    private final ClientCall.Listener<String> delegate;
    private final Runnable onReady;

    ForwardingListener(ClientCall.Listener<String> delegate, Runnable onReady) {
      this.delegate = delegate;
      this.onReady = onReady;
    }

    @Override
    public void onHeaders(Metadata headers) {
      delegate.onHeaders(headers);
    }

    @Override
    public void onMessage(String message) {
      delegate.onMessage(message);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      delegate.onClose(status, trailers);
    }

    @Override
    public void onReady() {
      onReady.run();
    }
  }

}
