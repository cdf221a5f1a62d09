package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server's default executor (CallbackPool): handlers that block do not stall other calls. */
class DefaultExecutorTest {
  private static final MethodDescriptor<String, String> BLOCK = TestMethods.method("Block");

  @Test
  void aCallCompletesWhileMoreHandlersThanCoreThreadsAreBlocked() throws Exception {
    int blockedHandlers = 2 * Runtime.getRuntime().availableProcessors() + 2; // above the core
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch inHandler = new CountDownLatch(blockedHandlers);
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Echo")
        .addMethod(BLOCK, TestMethods.unary((request, headers, call) -> {
          inHandler.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          call.close(Status.OK, new Metadata());
        }))
        .addMethod(TestMethods.UNARY, TestMethods.unary((request, headers, call) -> {
          call.sendHeaders(new Metadata());
          call.sendMessage(request);
          call.close(Status.OK, new Metadata());
        }))
        .build();
    TernServer server = TernServer.builder().port(0).addService(service).build().start();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
    List<CallResult<String>> blocked = new ArrayList<>();
    try {
      for (int i = 0; i < blockedHandlers; i++) {
        CallResult<String> r = new CallResult<>();
        ClientCall<String, String> call = channel.newCall(BLOCK, CallOptions.DEFAULT);
        call.start(r, new Metadata());
        call.request(2);
        call.sendMessage("block");
        call.halfClose();
        blocked.add(r);
      }
      assertTrue(inHandler.await(30, TimeUnit.SECONDS), "not every blocking handler started");

      CallResult<String> r = CallResult.unary(channel, TestMethods.UNARY, "ping", new Metadata());
      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
      assertEquals(List.of("ping"), r.messages);
    } finally {
      release.countDown();
      for (CallResult<String> b : blocked) {
        b.await();
      }
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
