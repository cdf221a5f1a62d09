package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Server-, client- and bidi-streaming calls between a Tern client and a Tern server. */
class TernStreamingTest {
  static final MethodDescriptor<String, String> SERVER_STREAM =
      StreamingMethods.method("ServerStream", MethodType.SERVER_STREAMING);
  static final MethodDescriptor<String, String> NAIVE_STREAM =
      StreamingMethods.method("NaiveStream", MethodType.SERVER_STREAMING);
  static final MethodDescriptor<String, String> CLIENT_STREAM =
      StreamingMethods.method("ClientStream", MethodType.CLIENT_STREAMING);
  static final MethodDescriptor<String, String> BIDI =
      StreamingMethods.method("Bidi", MethodType.BIDI_STREAMING);
  static final MethodDescriptor<String, String> CLOSE_EARLY =
      StreamingMethods.method("CloseEarly", MethodType.BIDI_STREAMING);

  private static final int WINDOW = 64 * 1024;
  private static final AtomicInteger naiveSent = new AtomicInteger();
  private static TernServer server;
  private static TernChannel channel;

  @BeforeAll
  static void start() throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder(StreamingMethods.SERVICE)
        .addMethod(SERVER_STREAM, StreamingMethods.politeServerStream())
        .addMethod(NAIVE_STREAM, StreamingMethods.naiveServerStream(naiveSent))
        .addMethod(CLIENT_STREAM, StreamingMethods.countingClientStream())
        .addMethod(BIDI, StreamingMethods.echoBidi())
        .addMethod(CLOSE_EARLY, TernStreamingTest::closeAfterFirstMessage)
        .build();
    // Small windows, so that every test crosses many window updates; 16 MiB messages allowed.
    server = TernServer.builder().port(0).addService(service).flowControlWindow(WINDOW)
        .maxInboundMessageSize(16 << 20).build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .flowControlWindow(WINDOW).maxInboundMessageSize(16 << 20).build();
  }

  private static ServerCall.Listener<String> closeAfterFirstMessage(
      ServerCall<String, String> call, Metadata headers) {
    call.request(1);
    return new ServerCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        call.sendMessage("bye " + message);
        call.close(Status.OK, new Metadata());
      }
    };
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void serverStreamDeliversEveryMessageInOrderThenOk() throws Exception {
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    call.request(Integer.MAX_VALUE);
    call.sendMessage("20000,100");
    call.halfClose();
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(20000, r.messages.size());
    for (int i = 0; i < r.messages.size(); i++) {
      assertEquals(i, StreamingMethods.indexOf(r.messages.get(i)));
    }
  }

  @Test
  void clientStreamIsAnsweredAfterHalfClose() throws Exception {
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(CLIENT_STREAM, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    call.request(1);
    long bytes = 0;
    for (int i = 0; i < 5000; i++) {
      String m = StreamingMethods.payload(i, 200);
      bytes += m.length();
      call.sendMessage(m);
    }
    call.halfClose();
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("5000," + bytes), r.messages);
  }

  @Test
  void bidiPingPongOfAThousandMessages() throws Exception {
    int rounds = 1000;
    CompletableFuture<Status> done = new CompletableFuture<>();
    List<String> received = new ArrayList<>();
    ClientCall<String, String> call = channel.newCall(BIDI, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        received.add(message);
        if (received.size() < rounds) {
          call.sendMessage("ping " + received.size());
          call.request(1);
        } else {
          call.halfClose();
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        done.complete(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage("ping 0");
    Status status = done.get(60, TimeUnit.SECONDS);
    assertEquals(Status.Code.OK, status.getCode(), status::toString);
    assertEquals(rounds, received.size());
    for (int i = 0; i < rounds; i++) {
      assertEquals("ping " + i, received.get(i));
    }
  }

  @Test
  void requestsFromTheApplicationThreadOneAtATimeReceiveEveryMessage() throws Exception {
    // Each request comes from this thread, not a callback: sometimes the next message is already
    // buffered (it must be delivered at once), sometimes not yet sent (the request waits for it
    // without waking the event loop). Neither may stall the stream.
    int count = 300;
    java.util.concurrent.BlockingQueue<String> arrived =
        new java.util.concurrent.LinkedBlockingQueue<>();
    CompletableFuture<Status> done = new CompletableFuture<>();
    ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        arrived.add(message);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        done.complete(status);
      }
    }, new Metadata());
    call.sendMessage(count + ",100");
    call.halfClose();
    for (int i = 0; i < count; i++) {
      call.request(1);
      String message = arrived.poll(30, TimeUnit.SECONDS);
      assertTrue(message != null, "message " + i + " never arrived");
      assertEquals(i, StreamingMethods.indexOf(message));
    }
    call.request(1);
    Status status = done.get(30, TimeUnit.SECONDS);
    assertEquals(Status.Code.OK, status.getCode(), status::toString);
  }

  @Test
  void serverMayEndBidiCallWhileClientStillSends() throws Exception {
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(CLOSE_EARLY, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    call.request(10);
    call.sendMessage("first");
    r.await();
    // Sending after the server ended the call is harmless: the messages are dropped.
    for (int i = 0; i < 100; i++) {
      call.sendMessage(StreamingMethods.payload(i, 1000));
    }
    call.halfClose();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("bye first"), r.messages);
  }

  @Test
  void messagesLargerThanTheStreamWindowArriveBothWays() throws Exception {
    // 10 MiB, 160 times the 64 KiB window: credit must flow while a message is still arriving.
    String big = StreamingMethods.payload(7, 10 << 20);
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(BIDI, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    call.request(2);
    call.sendMessage(big);
    call.sendMessage(big);
    call.halfClose();
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(2, r.messages.size());
    assertTrue(big.equals(r.messages.get(0)) && big.equals(r.messages.get(1)));
  }

  @Test
  void stalledCallDoesNotHoldUpOthersOnTheConnection() throws Exception {
    // A call whose client reads nothing: the server fills its stream window and waits.
    int before = naiveSent.get();
    CallResult<String> stalled = new CallResult<>();
    ClientCall<String, String> stalledCall = channel.newCall(NAIVE_STREAM, CallOptions.DEFAULT);
    stalledCall.start(stalled, new Metadata());
    stalledCall.sendMessage("100000,1000");
    stalledCall.halfClose();
    try {
      // Meanwhile other calls on the same connection stream megabytes.
      for (int i = 0; i < 3; i++) {
        CallResult<String> r = new CallResult<>();
        ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
        call.start(r, new Metadata());
        call.request(Integer.MAX_VALUE);
        call.sendMessage("2000,1000");
        call.halfClose();
        r.await();
        assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
        assertEquals(2000, r.messages.size());
      }
      assertTrue(!stalled.closed.isDone(), "the stalled call is still waiting");
      assertTrue(naiveSent.get() - before < 100000, "the stalled handler is held back");
    } finally {
      stalledCall.cancel("done", null);
    }
    stalled.await();
    assertEquals(Status.Code.CANCELLED, stalled.status.getCode());
  }

  @Test
  void everyCallTypeRunsConcurrentlyOnOneConnection() throws Exception {
    int calls = 200;
    CountDownLatch latch = new CountDownLatch(calls);
    List<CallResult<String>> results = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      CallResult<String> r = new CallResult<>();
      r.closed.thenRun(latch::countDown);
      results.add(r);
      ClientCall<String, String> call = channel.newCall(BIDI, CallOptions.DEFAULT);
      call.start(r, new Metadata());
      call.request(Integer.MAX_VALUE);
      for (int j = 0; j < 10; j++) {
        call.sendMessage(i + "/" + j);
      }
      call.halfClose();
    }
    assertTrue(latch.await(60, TimeUnit.SECONDS));
    for (int i = 0; i < calls; i++) {
      CallResult<String> r = results.get(i);
      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
      assertEquals(10, r.messages.size());
      assertEquals(i + "/9", r.messages.get(9));
    }
  }
}
