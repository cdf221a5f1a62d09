package dev.tern.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import dev.tern.netty.TernServer;
import dev.tern.services.HealthStatusManager;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.integration.Messages.Payload;
import io.grpc.testing.integration.Messages.ResponseParameters;
import io.grpc.testing.integration.Messages.StreamingOutputCallRequest;
import io.grpc.testing.integration.Messages.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the interop server offers outside tools besides TestService (health, reflection), and how
 * it stops on SIGTERM: {@link InteropServer#drain} lets a call in flight finish.
 */
class InteropServerExtrasTest {

  @Test
  void servesHealthAndReflection() throws Exception {
    TernServer server = InteropServer.start(0, null);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      assertEquals(HealthCheckResponse.ServingStatus.SERVING,
          HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance()).getStatus());

      BlockingQueue<Object> events = new LinkedBlockingQueue<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new Collector<>(events));
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      ServerReflectionResponse list = (ServerReflectionResponse) take(events);
      assertTrue(list.getListServicesResponse().getServiceList().stream()
          .anyMatch(s -> s.getName().equals("grpc.testing.TestService")), list.toString());
      requests.onNext(ServerReflectionRequest.newBuilder()
          .setFileContainingSymbol("grpc.testing.TestService").build());
      ServerReflectionResponse files = (ServerReflectionResponse) take(events);
      List<ByteString> protos = files.getFileDescriptorResponse().getFileDescriptorProtoList();
      assertEquals(3, protos.size(), files.toString()); // test.proto, empty.proto, messages.proto
      assertEquals("grpc/testing/test.proto", FileDescriptorProto.parseFrom(protos.get(0))
          .getName());
      requests.onCompleted();
      assertEquals("completed", take(events));
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void drainLetsTheCallInFlightFinish() throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    TernServer server = InteropServer.start(0, null, health);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      BlockingQueue<Object> events = new LinkedBlockingQueue<>();
      StreamObserver<StreamingOutputCallRequest> call =
          TestServiceGrpc.newStub(channel).fullDuplexCall(new Collector<>(events));
      call.onNext(pingOf(1));
      assertEquals(1, ((StreamingOutputCallResponse) take(events)).getPayload().getBody().size());

      // SIGTERM arrives while the call is open.
      CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
        try {
          InteropServer.drain(server, health, 60);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      // The open call keeps the server up, and still works: another ping, another pong.
      call.onNext(pingOf(2));
      assertEquals(2, ((StreamingOutputCallResponse) take(events)).getPayload().getBody().size());
      assertFalse(drained.isDone(), "the server stopped with a call in flight");

      call.onCompleted();
      assertEquals("completed", take(events)); // OK, not cancelled
      drained.get(60, TimeUnit.SECONDS);
      assertTrue(server.isTerminated());
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static StreamingOutputCallRequest pingOf(int size) {
    return StreamingOutputCallRequest.newBuilder()
        .addResponseParameters(ResponseParameters.newBuilder().setSize(size))
        .setPayload(Payload.newBuilder().setBody(ByteString.copyFrom(new byte[size])))
        .build();
  }

  private static Object take(BlockingQueue<Object> events) throws InterruptedException {
    Object e = events.poll(30, TimeUnit.SECONDS);
    assertNotNull(e, "nothing within 30 s");
    if (e instanceof Throwable t) {
      throw new AssertionError("call failed", t);
    }
    return e;
  }

  /** Puts responses, the error, or "completed" on a queue. */
  private static final class Collector<T> implements StreamObserver<T> {
    private final BlockingQueue<Object> events;

    Collector(BlockingQueue<Object> events) {
      this.events = events;
    }

    @Override
    public void onNext(T value) {
      events.add(value);
    }

    @Override
    public void onError(Throwable t) {
      events.add(t);
    }

    @Override
    public void onCompleted() {
      events.add("completed");
    }
  }
}
