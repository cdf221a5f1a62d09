package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Context;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A unary call on a server's executor: one executor task per call (the call's completion does
 * not need a second one unless the listener has an {@code onComplete}), and the context closes
 * after the handler has finished.
 */
class PoolCompletionTest {
  static final MethodDescriptor<Integer, Integer> ECHO =
      MethodDescriptor.newBuilder(TestMethods.ZEROS, TestMethods.ZEROS)
          .setFullMethodName("tern.test.Completion/Echo").setType(MethodType.UNARY).build();

  private final AtomicInteger tasks = new AtomicInteger();
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "completion-app");
    t.setDaemon(true);
    return t;
  });
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final CountDownLatch contextClosed = new CountDownLatch(1);
  private TernServer server;
  private TernChannel channel;

  private void start(boolean overrideOnComplete) throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Completion")
        .addMethod(ECHO, (ServerCall<Integer, Integer> call, Metadata headers) -> {
          call.request(1);
          Context.current().addListener(c -> {
            events.add("context closed");
            contextClosed.countDown();
          }, Runnable::run);
          if (!overrideOnComplete) {
            return new Listener(call);
          }
          return new Listener(call) {
            @Override
            public void onComplete() {
              events.add("onComplete on " + Thread.currentThread().getName());
            }
          };
        })
        .build();
    server = TernServer.builder().port(0).addService(service)
        .executor(task -> {
          tasks.incrementAndGet();
          pool.execute(task);
        })
        .build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
  }

  /** Answers the request with a message of the same size, then OK. */
  private class Listener extends ServerCall.Listener<Integer> {
    private final ServerCall<Integer, Integer> call;

    Listener(ServerCall<Integer, Integer> call) {
      this.call = call;
    }

    @Override
    public void onMessage(Integer size) {
      call.sendHeaders(new Metadata());
      call.sendMessage(size);
      call.close(Status.OK, new Metadata());
      events.add("handler done");
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    pool.shutdownNow();
  }

  private void callOnce() throws Exception {
    CallResult<Integer> r = new CallResult<>();
    ClientCall<Integer, Integer> call = channel.newCall(ECHO, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    call.request(1);
    call.sendMessage(3);
    call.halfClose();
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertTrue(contextClosed.await(10, TimeUnit.SECONDS), "the call's context never closed");
  }

  @Test
  void aUnaryCallWithoutOnCompleteCostsOneExecutorTask() throws Exception {
    start(false);
    callOnce();
    assertEquals(1, tasks.get(), "executor tasks for one unary call");
    assertEquals(List.of("handler done", "context closed"), events);
  }

  @Test
  void anOverriddenOnCompleteRunsOnTheExecutorBeforeTheContextCloses() throws Exception {
    start(true);
    callOnce();
    assertEquals(
        List.of("handler done", "onComplete on completion-app", "context closed"), events);
  }
}
