package dev.tern.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.netty.TernServer;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Tern server's graceful shutdown as grpc-java 1.85.1's client sees it: the calls in flight
 * complete, and new calls go to a fresh connection (here to a new server on the same port), never
 * to the draining one.
 */
class GracefulShutdownInteropTest {
  private static final String SERVICE = "tern.interop.Shutdown";

  private final GrpcJavaPeer grpc = new GrpcJavaPeer();
  private final List<TernServer> servers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    grpc.close();
    for (TernServer s : servers) {
      s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  // ---------------------------------------------------------------- both APIs, string messages

  private static final dev.tern.Marshaller<String> TERN_STRING = new dev.tern.Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.UTF_8);
    }
  };

  private static final io.grpc.MethodDescriptor.Marshaller<String> GRPC_STRING =
      new io.grpc.MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
      };

  private static dev.tern.MethodDescriptor<String, String> ternMethod(String name) {
    return dev.tern.MethodDescriptor.newBuilder(TERN_STRING, TERN_STRING)
        .setFullMethodName(SERVICE + "/" + name)
        .setType(dev.tern.MethodDescriptor.MethodType.UNARY)
        .build();
  }

  private static io.grpc.MethodDescriptor<String, String> grpcMethod(String name) {
    return io.grpc.MethodDescriptor.<String, String>newBuilder()
        .setFullMethodName(SERVICE + "/" + name)
        .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
        .setRequestMarshaller(GRPC_STRING)
        .setResponseMarshaller(GRPC_STRING)
        .build();
  }

  /**
   * Hold: answered ("done " + request) when the test runs what it queued. Who: answers with the
   * server's name.
   */
  private static ServerServiceDefinition service(String serverName,
      BlockingQueue<Runnable> held) {
    ServerCallHandler<String, String> hold = (call, headers) -> {
      call.request(1);
      return new ServerCall.Listener<>() {
        private String request;

        @Override
        public void onMessage(String message) {
          request = message;
        }

        @Override
        public void onHalfClose() {
          held.add(() -> {
            call.sendHeaders(new Metadata());
            call.sendMessage("done " + request);
            call.close(Status.OK, new Metadata());
          });
        }
      };
    };
    ServerCallHandler<String, String> who = (call, headers) -> {
      call.request(1);
      return new ServerCall.Listener<>() {
        @Override
        public void onHalfClose() {
          call.sendHeaders(new Metadata());
          call.sendMessage(serverName);
          call.close(Status.OK, new Metadata());
        }
      };
    };
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(ternMethod("Hold"), hold)
        .addMethod(ternMethod("Who"), who)
        .build();
  }

  private TernServer start(int port, String name, BlockingQueue<Runnable> held)
      throws Exception {
    IOException last = null;
    // The old server's listener closes asynchronously: the port may be busy a moment longer.
    for (int i = 0; i < 100; i++) {
      try {
        TernServer s = TernServer.builder().port(port).addService(service(name, held)).build()
            .start();
        servers.add(s);
        return s;
      } catch (IOException e) {
        last = e;
        Thread.sleep(50); // Retrying a bind; there is nothing to wait on.
      }
    }
    throw last;
  }

  @Test
  void callsInFlightCompleteAndNewCallsGoToAFreshConnection() throws Exception {
    BlockingQueue<Runnable> heldByA = new LinkedBlockingQueue<>();
    TernServer a = start(0, "A", heldByA);
    int port = a.port();
    ManagedChannel channel = grpc.newChannel(port, b -> {});

    assertEquals("A", ClientCalls.blockingUnaryCall(channel, grpcMethod("Who"),
        io.grpc.CallOptions.DEFAULT, "?"));
    List<Future<String>> inFlight = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      inFlight.add(ClientCalls.futureUnaryCall(
          channel.newCall(grpcMethod("Hold"), io.grpc.CallOptions.DEFAULT), "held " + i));
    }
    List<Runnable> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Runnable answer = heldByA.poll(20, TimeUnit.SECONDS);
      assertTrue(answer != null, "call " + i + " did not reach the server");
      held.add(answer);
    }

    a.shutdown();
    // grpc-java leaves READY once the GOAWAY arrives: its next call needs a new connection.
    CountDownLatch leftReady = new CountDownLatch(1);
    channel.notifyWhenStateChanged(ConnectivityState.READY, leftReady::countDown);
    assertTrue(leftReady.await(20, TimeUnit.SECONDS), "grpc-java never saw the GOAWAY");
    TernServer b = start(port, "B", new LinkedBlockingQueue<>());

    String fresh = ClientCalls.blockingUnaryCall(channel, grpcMethod("Who"),
        io.grpc.CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(20, TimeUnit.SECONDS),
        "?");
    assertEquals("B", fresh, "a new call went to the draining connection");
    assertEquals(1, b.connectionCount());

    // The draining server still finishes what it accepted.
    for (Future<String> f : inFlight) {
      assertTrue(!f.isDone(), "a call in flight ended early");
    }
    for (Runnable answer : held) {
      answer.run();
    }
    for (int i = 0; i < inFlight.size(); i++) {
      assertEquals("done held " + i, inFlight.get(i).get(20, TimeUnit.SECONDS));
    }
    assertTrue(a.awaitTermination(20, TimeUnit.SECONDS), "A did not terminate after its calls");
    assertNotEquals(0, b.connectionCount());
  }
}
