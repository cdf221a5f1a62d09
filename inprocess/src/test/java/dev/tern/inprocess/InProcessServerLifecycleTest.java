package dev.tern.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Starting, draining and stopping servers and channels. */
class InProcessServerLifecycleTest {
  private final InProcessFixture fixture = new InProcessFixture();
  private final String name = InProcessFixture.uniqueName();
  private final CompletableFuture<ServerCall<String, String>> held = new CompletableFuture<>();
  private final CompletableFuture<Void> serverCancelled = new CompletableFuture<>();

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  /** A server whose calls wait for the test to close them. */
  private InProcessServer holdingServer() throws Exception {
    return fixture.server(name, b -> b.addService(ServerServiceDefinition.builder(Strings.SERVICE)
        .addMethod(Strings.UNARY, (call, headers) -> {
          held.complete(call);
          return new ServerCall.Listener<>() {
            @Override
            public void onCancel() {
              serverCancelled.complete(null);
            }
          };
        }).build()));
  }

  private static Recorder start(InProcessChannel channel) {
    ClientCall<String, String> call = channel.newCall(Strings.UNARY, CallOptions.DEFAULT);
    Recorder r = new Recorder();
    call.start(r, new Metadata());
    call.request(1);
    call.sendMessage("x");
    call.halfClose();
    return r;
  }

  @Test
  void shutdownLetsTheCallInFlightFinishAndRefusesNewOnes() throws Exception {
    InProcessServer server = holdingServer();
    InProcessChannel channel = fixture.channel(name, b -> {});
    Recorder inFlight = start(channel);
    ServerCall<String, String> call = held.get(30, TimeUnit.SECONDS);
    server.shutdown();
    assertEquals(Status.Code.UNAVAILABLE, start(channel).awaitStatus().getCode());
    assertFalse(server.isTerminated(), "a call is in flight");

    call.sendMessage("late");
    call.close(Status.OK, new Metadata());
    assertEquals(Status.Code.OK, inFlight.awaitStatus().getCode());
    assertTrue(server.awaitTermination(30, TimeUnit.SECONDS));
    assertEquals(0, server.callsInFlight());
  }

  @Test
  void shutdownNowCancelsTheCallsInFlight() throws Exception {
    InProcessServer server = holdingServer();
    Recorder inFlight = start(fixture.channel(name, b -> {}));
    held.get(30, TimeUnit.SECONDS);
    server.shutdownNow();
    assertEquals(Status.Code.UNAVAILABLE, inFlight.awaitStatus().getCode());
    serverCancelled.get(30, TimeUnit.SECONDS);
    assertTrue(server.awaitTermination(30, TimeUnit.SECONDS));
  }

  @Test
  void startFailsWhileAnotherServerHasTheName() throws Exception {
    holdingServer();
    InProcessServer second = InProcessServer.builder(name).build();
    assertThrows(IOException.class, second::start);
  }

  @Test
  void nameIsFreeOnceTheServerShutsDown() throws Exception {
    holdingServer().shutdown();
    fixture.server(name, b -> {});
  }

  @Test
  void channelShutdownNowCancelsItsCallsAndRefusesNewOnes() throws Exception {
    holdingServer();
    InProcessChannel channel = fixture.channel(name, b -> {});
    Recorder inFlight = start(channel);
    held.get(30, TimeUnit.SECONDS);
    channel.shutdownNow();
    assertEquals(Status.Code.UNAVAILABLE, inFlight.awaitStatus().getCode());
    serverCancelled.get(30, TimeUnit.SECONDS);
    assertEquals(Status.Code.UNAVAILABLE, start(channel).awaitStatus().getCode());
    assertTrue(channel.awaitTermination(30, TimeUnit.SECONDS));
  }
}
