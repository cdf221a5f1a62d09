package dev.tern.netty;

import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A unary method whose calls stay open until the test answers them: for tests of calls in flight
 * during shutdowns and timeouts. Thread-safe.
 */
final class HangService {
  static final MethodDescriptor<String, String> HANG =
      MethodDescriptor.newBuilder(TestMethods.STRING, TestMethods.STRING)
          .setFullMethodName("tern.test.Life/Hang")
          .setType(MethodDescriptor.MethodType.UNARY)
          .build();

  /** A call the handler has received, with its request once it arrived. */
  static final class Pending {
    final ServerCall<String, String> call;
    final java.util.concurrent.CompletableFuture<String> request =
        new java.util.concurrent.CompletableFuture<>();
    final java.util.concurrent.CompletableFuture<Void> cancelled =
        new java.util.concurrent.CompletableFuture<>();

    Pending(ServerCall<String, String> call) {
      this.call = call;
    }

    /** Answers with {@code response} and OK. */
    void answer(String response) {
      call.sendHeaders(new Metadata());
      call.sendMessage(response);
      call.close(Status.OK, new Metadata());
    }
  }

  final BlockingQueue<Pending> calls = new LinkedBlockingQueue<>();

  ServerServiceDefinition service() {
    return ServerServiceDefinition.builder("tern.test.Life")
        .addMethod(HANG, (call, headers) -> {
          Pending p = new Pending(call);
          call.request(1);
          calls.add(p);
          return new ServerCall.Listener<String>() {
            @Override
            public void onMessage(String message) {
              p.request.complete(message);
            }

            @Override
            public void onCancel() {
              p.cancelled.complete(null);
            }
          };
        })
        .build();
  }

  /** The next call to arrive, waiting up to 20 s. */
  Pending next() throws InterruptedException {
    Pending p = calls.poll(20, TimeUnit.SECONDS);
    if (p == null) {
      throw new AssertionError("no call arrived");
    }
    return p;
  }
}
