package dev.tern.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Flow control through request(n), isReady and onReady, with a bounded buffer per call. Both
 * sides run on directExecutor(), so every interleaving below is the only one possible.
 */
class InProcessFlowControlTest {
  private static final int LIMIT = 2;

  private final InProcessFixture fixture = new InProcessFixture();
  private final String name = InProcessFixture.uniqueName();
  private final AtomicReference<ServerCall<String, String>> serverCall = new AtomicReference<>();
  private final AtomicInteger serverReadyCalls = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  /** A server that keeps its call for the test to drive. */
  private InProcessChannel heldServer() throws Exception {
    fixture.server(name, b -> b.directExecutor().bufferLimit(LIMIT)
        .addService(ServerServiceDefinition.builder(Strings.SERVICE)
            .addMethod(Strings.BIDI, (call, headers) -> {
              serverCall.set(call);
              return new ServerCall.Listener<>() {
                @Override
                public void onReady() {
                  serverReadyCalls.incrementAndGet();
                }
              };
            }).build()));
    return fixture.channel(name, b -> b.directExecutor().bufferLimit(LIMIT));
  }

  private ClientCall<String, String> startBidi(InProcessChannel channel, Recorder r) {
    ClientCall<String, String> call = channel.newCall(Strings.BIDI, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    return call;
  }

  @Test
  void requestDeliversOnlyAsManyMessagesAsAsked() throws Exception {
    InProcessChannel channel = heldServer();
    Recorder r = new Recorder();
    ClientCall<String, String> call = startBidi(channel, r);
    ServerCall<String, String> server = serverCall.get();
    server.sendMessage("a");
    server.sendMessage("b");
    call.request(1);
    assertEquals(List.of("a"), r.messages);
    call.request(1);
    assertEquals(List.of("a", "b"), r.messages);
    server.close(Status.OK, new Metadata());
    assertEquals(Status.Code.OK, r.awaitStatus().getCode());
  }

  @Test
  void statusWaitsBehindResponsesNotYetRequested() throws Exception {
    InProcessChannel channel = heldServer();
    Recorder r = new Recorder();
    ClientCall<String, String> call = startBidi(channel, r);
    serverCall.get().sendMessage("a");
    serverCall.get().close(Status.OK, new Metadata());
    assertFalse(r.closed.isDone(), "the status comes after the response the client still owes");
    call.request(1);
    assertEquals(List.of("a"), r.messages);
    assertTrue(r.closed.isDone());
  }

  @Test
  void senderIsNotReadyOnceTheBufferIsFullAndHearsOnReadyWhenItDrains() throws Exception {
    InProcessChannel channel = heldServer();
    Recorder r = new Recorder();
    ClientCall<String, String> call = startBidi(channel, r);
    ServerCall<String, String> server = serverCall.get();
    int sent = 0;
    while (server.isReady()) {
      server.sendMessage("m" + sent++);
    }
    assertEquals(LIMIT, sent);
    int readyBefore = serverReadyCalls.get();
    call.request(1);
    assertTrue(server.isReady());
    assertEquals(readyBefore + 1, serverReadyCalls.get());
    call.cancel("done", null);
  }

  @Test
  void clientIsNotReadyUntilTheServerRequests() throws Exception {
    InProcessChannel channel = heldServer();
    Recorder r = new Recorder();
    ClientCall<String, String> call = startBidi(channel, r);
    call.sendMessage("1");
    call.sendMessage("2");
    assertFalse(call.isReady());
    int readyBefore = r.readyCalls;
    serverCall.get().request(1);
    assertTrue(call.isReady());
    assertEquals(readyBefore + 1, r.readyCalls);
    call.cancel("done", null);
  }

  @Test
  void overrunOnADirectCallbackThreadFailsWithResourceExhausted() throws Exception {
    fixture.server(name, b -> b.directExecutor().bufferLimit(LIMIT)
        .addService(ServerServiceDefinition.builder(Strings.SERVICE)
            .addMethod(Strings.BIDI, (call, headers) -> {
              // Ignores isReady, on a thread that must not block.
              for (int i = 0; i <= LIMIT; i++) {
                call.sendMessage("m" + i);
              }
              return new ServerCall.Listener<>() {};
            }).build()));
    Recorder r = new Recorder();
    startBidi(fixture.channel(name, b -> b.directExecutor()), r);
    Status status = r.awaitStatus();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
    assertTrue(status.getDescription().contains("isReady"), status::toString);
  }

  @Test
  void senderThatIgnoresReadinessWaitsUntilTheReceiverCatchesUp() throws Exception {
    int count = 20 * LIMIT;
    fixture.server(name, b -> b.bufferLimit(LIMIT)
        .addService(ServerServiceDefinition.builder(Strings.SERVICE)
            .addMethod(Strings.BIDI, (call, headers) -> {
              // On the server's pool: sendMessage waits whenever LIMIT are undelivered.
              for (int i = 0; i < count; i++) {
                call.sendMessage(Integer.toString(i));
              }
              call.close(Status.OK, new Metadata());
              return new ServerCall.Listener<>() {};
            }).build()));
    AtomicInteger received = new AtomicInteger();
    Recorder r = new Recorder() {
      @Override
      public void onMessage(String message) {
        super.onMessage(message);
        received.incrementAndGet();
      }
    };
    ClientCall<String, String> call = fixture.channel(name, b -> {})
        .newCall(Strings.BIDI, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    for (int i = 0; i < count; i++) {
      call.request(1);
    }
    assertEquals(Status.Code.OK, r.awaitStatus().getCode());
    assertEquals(count, r.messages.size());
    assertEquals(Integer.toString(count - 1), r.messages.get(count - 1));
  }
}
