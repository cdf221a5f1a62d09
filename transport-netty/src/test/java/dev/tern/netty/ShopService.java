package dev.tern.netty;

import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.auth.AuthContext;
import dev.tern.auth.Principal;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small service for interceptor tests: strings whose marshaller knows their size (so bytes can
 * be counted). Get answers "got " + request and records the caller's principal; Delete answers
 * "deleted"; Throw throws; ThrowStatus throws a status with trailers; Slow waits for {@link #release} before answering.
 */
final class ShopService {
  static final Marshaller<String> STRING = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public int serializedSize(String value) {
      return value.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.UTF_8);
    }
  };

  static final String SERVICE = "tern.test.Shop";
  static final MethodDescriptor<String, String> GET = method("Get");
  static final MethodDescriptor<String, String> DELETE = method("Delete");
  static final MethodDescriptor<String, String> THROW = method("Throw");
  static final MethodDescriptor<String, String> SLOW = method("Slow");
  static final MethodDescriptor<String, String> THROW_STATUS = method("ThrowStatus");
  static final Metadata.Key<String> REASON = Metadata.Key.ascii("x-reason");

  final AtomicInteger handled = new AtomicInteger();
  final List<Principal> principals = new CopyOnWriteArrayList<>();
  final CountDownLatch slowStarted = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);

  static MethodDescriptor<String, String> method(String name) {
    return MethodDescriptor.newBuilder(STRING, STRING)
        .setFullMethodName(SERVICE + "/" + name)
        .setType(MethodDescriptor.MethodType.UNARY)
        .build();
  }

  ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(GET, unary((request, call) -> {
          principals.add(AuthContext.PRINCIPAL.get());
          reply(call, "got " + request);
        }))
        .addMethod(DELETE, unary((request, call) -> reply(call, "deleted")))
        .addMethod(THROW, unary((request, call) -> {
          throw new IllegalStateException("secret detail");
        }))
        .addMethod(THROW_STATUS, unary((request, call) -> {
          Metadata trailers = new Metadata();
          trailers.put(REASON, "stock");
          throw Status.FAILED_PRECONDITION.withDescription("out of stock")
              .asRuntimeException(trailers);
        }))
        .addMethod(SLOW, unary((request, call) -> {
          slowStarted.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          reply(call, "slow " + request);
        }))
        .build();
  }

  private static void reply(ServerCall<String, String> call, String response) {
    call.sendHeaders(new Metadata());
    call.sendMessage(response);
    call.close(Status.OK, new Metadata());
  }

  interface Handler {
    void handle(String request, ServerCall<String, String> call);
  }

  ServerCallHandler<String, String> unary(Handler handler) {
    return TestMethods.unary((request, headers, call) -> {
      handled.incrementAndGet();
      handler.handle(request, call);
    });
  }
}
