package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tern.CallOptions;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerServiceDefinition;
import dev.tern.stub.BlockingServerCalls;
import dev.tern.stub.ClientCalls;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.junit.jupiter.api.Test;

/**
 * A server on {@code directExecutor()} (callbacks on the event loop, which must never block)
 * still serves blocking handlers: they run on Tern's fallback pool, off the event loop.
 */
class BlockingHandlersDirectExecutorTest {
  static final MethodDescriptor<String, String> WHERE =
      BlockingHandlersTest.method("Where", MethodType.UNARY);

  @Test
  void blockingHandlerRunsOffTheEventLoop() throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Blocking")
        .addMethod(WHERE, BlockingServerCalls.unaryCall(request ->
            (Thread.currentThread() instanceof FastThreadLocalThread ? "event loop " : "other ")
                + Thread.currentThread().getName()))
        .build();
    TernServer server = TernServer.builder().port(0).directExecutor().addService(service)
        .build().start();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
    try {
      String where = ClientCalls.blockingUnaryCall(channel, WHERE, CallOptions.DEFAULT, "?");
      assertFalse(where.startsWith("event loop"), where);
      assertEquals("other tern-blocking-handler", where.replaceAll("-\\d+$", ""));
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }
}
