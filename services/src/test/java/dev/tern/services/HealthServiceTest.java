package dev.tern.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.netty.TernServer;
import dev.tern.services.health.v1.HealthCheckResponse.ServingStatus;
import dev.tern.services.health.v1.HealthListRequest;
import dev.tern.services.health.v1.HealthListResponse;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** grpc.health.v1.Health served by Tern, checked with grpc-java's HealthGrpc client. */
class HealthServiceTest {
  private static final String GREETER = "helloworld.Greeter";

  private HealthStatusManager health;
  private TernServer server;
  private ManagedChannel channel;
  private HealthGrpc.HealthBlockingStub blocking;

  @BeforeEach
  void start() throws Exception {
    health = new HealthStatusManager();
    server = TernServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .addService(health.getHealthService())
        .onShutdown(health::enterTerminalState)
        .build()
        .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    blocking = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  private HealthCheckResponse.ServingStatus check(String service) {
    return blocking.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  @Test
  void checkReportsEachServiceAndTheServer() {
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, check(""));
    health.setStatus(GREETER, ServingStatus.NOT_SERVING);
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, check(GREETER));
    health.setStatus(GREETER, ServingStatus.SERVING);
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, check(GREETER));
  }

  @Test
  void checkOfUnknownServiceIsNotFound() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> check("nope.Svc"));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    health.setStatus(GREETER, ServingStatus.SERVING);
    health.clearStatus(GREETER);
    e = assertThrows(StatusRuntimeException.class, () -> check(GREETER));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  @Test
  void listShowsEveryService() {
    health.setStatus(GREETER, ServingStatus.NOT_SERVING);
    HealthListResponse list = list();
    assertEquals(2, list.getStatusesCount());
    assertEquals(ServingStatus.SERVING, list.getStatusesOrThrow("").getStatus());
    assertEquals(ServingStatus.NOT_SERVING, list.getStatusesOrThrow(GREETER).getStatus());
  }

  @Test
  void listRefusesMoreThanAHundredServices() {
    for (int i = 0; i < HealthServiceImpl.MAX_LIST_SIZE; i++) {
      health.setStatus("svc" + i, ServingStatus.SERVING);
    }
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::list);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
  }

  @Test
  void watchSeesServingThenNotServing() throws Exception {
    health.setStatus(GREETER, ServingStatus.SERVING);
    Watch watch = watch(GREETER);
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, watch.next());
    health.setStatus(GREETER, ServingStatus.NOT_SERVING);
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, watch.next());
    // Setting the same status again sends nothing; the next change arrives next.
    health.setStatus(GREETER, ServingStatus.NOT_SERVING);
    health.setStatus(GREETER, ServingStatus.SERVING);
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, watch.next());
    watch.cancel();
  }

  @Test
  void watchOfUnknownServiceWaitsForIt() throws Exception {
    Watch watch = watch(GREETER);
    assertEquals(HealthCheckResponse.ServingStatus.SERVICE_UNKNOWN, watch.next());
    health.setStatus(GREETER, ServingStatus.SERVING);
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, watch.next());
    health.clearStatus(GREETER);
    assertEquals(HealthCheckResponse.ServingStatus.SERVICE_UNKNOWN, watch.next());
    watch.cancel();
  }

  @Test
  void terminalStateMakesEverythingNotServingForGoodAndEndsWatches() throws Exception {
    health.setStatus(GREETER, ServingStatus.SERVING);
    Watch server = watch("");
    Watch greeter = watch(GREETER);
    Watch unknown = watch("not.Yet");
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, server.next());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, greeter.next());
    assertEquals(HealthCheckResponse.ServingStatus.SERVICE_UNKNOWN, unknown.next());

    health.enterTerminalState();
    // Each watch gets NOT_SERVING, then ends with OK so it cannot hold the server's drain.
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, server.next());
    server.assertCompleted();
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, greeter.next());
    greeter.assertCompleted();
    unknown.assertCompleted();
    assertEquals(0, health.watcherCount(GREETER));

    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, check(""));
    health.setStatus(GREETER, ServingStatus.SERVING); // ignored from now on
    health.clearStatus(GREETER);
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, check(GREETER));
    // A watch started now is told and ended at once.
    Watch late = watch(GREETER);
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, late.next());
    late.assertCompleted();
  }

  @Test
  void serverShutdownTurnsHealthNotServingWhileCallsDrain() throws Exception {
    Watch watch = watch("");
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, watch.next());

    server.shutdown();
    // The Watch opened before the GOAWAY is still served: it is told, then ended.
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, watch.next());
    watch.assertCompleted();
  }

  @Test
  void cancelledWatchIsForgotten() throws Exception {
    Watch watch = watch(GREETER);
    assertEquals(HealthCheckResponse.ServingStatus.SERVICE_UNKNOWN, watch.next());
    assertEquals(1, health.watcherCount(GREETER));
    watch.cancel();
    // The server learns of the cancel through RST_STREAM; wait until the watcher is gone by
    // asking through the same connection until it is (each check is a round trip after it).
    while (health.watcherCount(GREETER) != 0) {
      check("");
    }
    assertEquals(0, health.watcherCount(GREETER));
  }

  /**
   * Health/List, which grpc-java 1.85's HealthGrpc predates: a grpc-java call with
   * Tern's generated messages.
   */
  private HealthListResponse list() {
    io.grpc.MethodDescriptor<HealthListRequest, HealthListResponse> method =
        io.grpc.MethodDescriptor.<HealthListRequest, HealthListResponse>newBuilder()
            .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("grpc.health.v1.Health/List")
            .setRequestMarshaller(ProtoUtils.marshaller(HealthListRequest.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(HealthListResponse.getDefaultInstance()))
            .build();
    return ClientCalls.blockingUnaryCall(channel, method,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        HealthListRequest.getDefaultInstance());
  }

  private Watch watch(String service) {
    Watch w = new Watch();
    HealthGrpc.newStub(channel).watch(
        HealthCheckRequest.newBuilder().setService(service).build(), w);
    return w;
  }

  /** A Watch call's responses as a queue. */
  private static final class Watch
      implements ClientResponseObserver<HealthCheckRequest, HealthCheckResponse> {
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile ClientCallStreamObserver<HealthCheckRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> requestStream) {
      call = requestStream;
      started.countDown();
    }

    HealthCheckResponse.ServingStatus next() throws InterruptedException {
      Object e = events.poll(30, TimeUnit.SECONDS);
      assertNotNull(e, "no status within 30 s");
      if (e instanceof Throwable t) {
        throw new AssertionError("watch failed", t);
      }
      return ((HealthCheckResponse) e).getStatus();
    }

    void assertCompleted() throws InterruptedException {
      Object e = events.poll(30, TimeUnit.SECONDS);
      assertTrue(e instanceof IllegalStateException ise && ise.getMessage().equals("completed"),
          () -> "expected the end of the watch, got " + e);
    }

    void cancel() throws InterruptedException {
      started.await();
      call.cancel("test done", null);
    }

    @Override
    public void onNext(HealthCheckResponse value) {
      events.add(value);
    }

    @Override
    public void onError(Throwable t) {
      events.add(t);
    }

    @Override
    public void onCompleted() {
      events.add(new IllegalStateException("completed"));
    }
  }
}
