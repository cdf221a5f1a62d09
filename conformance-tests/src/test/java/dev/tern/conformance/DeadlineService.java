package dev.tern.conformance;

import com.google.protobuf.StringValue;
import dev.tern.protobuf.ProtoMarshaller;
import io.grpc.protobuf.ProtoUtils;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A service for deadline and cancellation tests, written once with Tern's API and once with
 * grpc-java's, over {@code google.protobuf.StringValue}. Each handler records what it saw in
 * {@link #seen}.
 *
 * <ul>
 *   <li>{@code Sleep} (unary): the handler blocks its thread until its context is cancelled (at
 *       most 10 s), then tries to answer OK, which must go nowhere.
 *   <li>{@code Remaining} (unary): answers the time its handler's context has left, in
 *       nanoseconds, or {@code "none"}.
 *   <li>{@code Ticks} (server streaming): answers one message at once, then waits to be
 *       cancelled.
 *   <li>{@code Hold} (bidi streaming): never answers; for cancelling a call that has begun but
 *       sent nothing (unary and server-streaming calls of grpc-java send their headers only with
 *       the request message).
 * </ul>
 *
 * <p>Thread-safe.
 */
final class DeadlineService {
  static final String SERVICE = "tern.conformance.Deadlines";

  /** What one server handler saw. Thread-safe. */
  static final class Seen {
    final String method;
    /** Time left on the handler's context deadline when it started; MAX_VALUE for none. */
    final long remainingNanosAtStart;
    /** Completes when the handler's listener is told of cancellation (onCancel). */
    final CompletableFuture<Void> onCancel = new CompletableFuture<>();
    /** Completes with the status code the handler's cancelled context stands for. */
    final CompletableFuture<String> contextCancelled = new CompletableFuture<>();

    Seen(String method, long remainingNanosAtStart) {
      this.method = method;
      this.remainingNanosAtStart = remainingNanosAtStart;
    }

    String awaitContextCancelled() throws Exception {
      return contextCancelled.get(10, TimeUnit.SECONDS);
    }

    void awaitOnCancel() throws Exception {
      onCancel.get(10, TimeUnit.SECONDS);
    }
  }

  final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

  /**
   * The next record of a {@code method} handler, waiting for it to start; records of other
   * methods (a cancelled call of an earlier test that reached the server late) are dropped.
   */
  Seen next(String method) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Seen s = seen.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (s == null) {
        throw new AssertionError("no " + method + " handler started");
      }
      if (s.method.equals(method)) {
        return s;
      }
    }
  }

  private static String methodName(String fullMethodName) {
    return fullMethodName.substring(fullMethodName.indexOf('/') + 1);
  }

  static String fullName(String method) {
    return SERVICE + "/" + method;
  }

  static StringValue message(String s) {
    return StringValue.of(s);
  }

  // ---------------------------------------------------------------- Tern

  static dev.tern.MethodDescriptor<StringValue, StringValue> ternMethod(String name) {
    return dev.tern.MethodDescriptor.newBuilder(
            ProtoMarshaller.of(StringValue.getDefaultInstance()),
            ProtoMarshaller.of(StringValue.getDefaultInstance()))
        .setFullMethodName(fullName(name))
        .setType(name.equals("Ticks") ? dev.tern.MethodDescriptor.MethodType.SERVER_STREAMING
            : name.equals("Hold") ? dev.tern.MethodDescriptor.MethodType.BIDI_STREAMING
            : dev.tern.MethodDescriptor.MethodType.UNARY)
        .build();
  }

  private Seen ternSeen(dev.tern.ServerCall<?, ?> call) {
    dev.tern.Context context = dev.tern.Context.current();
    dev.tern.Deadline d = context.getDeadline();
    Seen s = new Seen(methodName(call.getMethodDescriptor().getFullMethodName()), d == null ? Long.MAX_VALUE : d.timeRemaining(TimeUnit.NANOSECONDS));
    context.addListener(c -> s.contextCancelled.complete(
        dev.tern.Contexts.statusFromCancelled(c).getCode().name()), Runnable::run);
    seen.add(s);
    return s;
  }

  dev.tern.ServerServiceDefinition tern() {
    return dev.tern.ServerServiceDefinition.builder(SERVICE)
        .addMethod(ternMethod("Sleep"), (call, headers) -> {
          Seen s = ternSeen(call);
          call.request(1);
          return new dev.tern.ServerCall.Listener<StringValue>() {
            @Override
            public void onHalfClose() {
              try {
                s.contextCancelled.get(10, TimeUnit.SECONDS);
              } catch (Exception e) {
                // woke up anyway
              }
              call.sendHeaders(new dev.tern.Metadata());
              call.sendMessage(message("too late"));
              call.close(dev.tern.Status.OK, new dev.tern.Metadata());
            }

            @Override
            public void onCancel() {
              s.onCancel.complete(null);
            }
          };
        })
        .addMethod(ternMethod("Remaining"), (call, headers) -> {
          Seen s = ternSeen(call);
          call.request(1);
          return new dev.tern.ServerCall.Listener<StringValue>() {
            @Override
            public void onHalfClose() {
              call.sendHeaders(new dev.tern.Metadata());
              call.sendMessage(message(s.remainingNanosAtStart == Long.MAX_VALUE ? "none"
                  : Long.toString(s.remainingNanosAtStart)));
              call.close(dev.tern.Status.OK, new dev.tern.Metadata());
            }
          };
        })
        .addMethod(ternMethod("Ticks"), (call, headers) -> {
          Seen s = ternSeen(call);
          call.request(1);
          return new dev.tern.ServerCall.Listener<StringValue>() {
            @Override
            public void onHalfClose() {
              call.sendHeaders(new dev.tern.Metadata());
              call.sendMessage(message("tick 1"));
            }

            @Override
            public void onCancel() {
              s.onCancel.complete(null);
            }
          };
        })
        .addMethod(ternMethod("Hold"), (call, headers) -> {
          Seen s = ternSeen(call);
          call.request(1);
          return new dev.tern.ServerCall.Listener<StringValue>() {
            @Override
            public void onCancel() {
              s.onCancel.complete(null);
            }
          };
        })
        .build();
  }

  // ---------------------------------------------------------------- grpc-java

  static io.grpc.MethodDescriptor<StringValue, StringValue> grpcMethod(String name) {
    return io.grpc.MethodDescriptor.<StringValue, StringValue>newBuilder()
        .setFullMethodName(fullName(name))
        .setType(name.equals("Ticks") ? io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING
            : name.equals("Hold") ? io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING
            : io.grpc.MethodDescriptor.MethodType.UNARY)
        .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .build();
  }

  private Seen grpcSeen(io.grpc.ServerCall<?, ?> call) {
    io.grpc.Context context = io.grpc.Context.current();
    io.grpc.Deadline d = context.getDeadline();
    Seen s = new Seen(methodName(call.getMethodDescriptor().getFullMethodName()), d == null ? Long.MAX_VALUE : d.timeRemaining(TimeUnit.NANOSECONDS));
    context.addListener(c -> s.contextCancelled.complete(
        io.grpc.Contexts.statusFromCancelled(c).getCode().name()), Runnable::run);
    seen.add(s);
    return s;
  }

  io.grpc.ServerServiceDefinition grpc() {
    return io.grpc.ServerServiceDefinition.builder(SERVICE)
        .addMethod(grpcMethod("Sleep"), (call, headers) -> {
          Seen s = grpcSeen(call);
          call.request(1);
          return new io.grpc.ServerCall.Listener<StringValue>() {
            @Override
            public void onHalfClose() {
              try {
                s.contextCancelled.get(10, TimeUnit.SECONDS);
              } catch (Exception e) {
                // woke up anyway
              }
              try {
                call.sendHeaders(new io.grpc.Metadata());
                call.sendMessage(message("too late"));
                call.close(io.grpc.Status.OK, new io.grpc.Metadata());
              } catch (IllegalStateException e) {
                // grpc-java may refuse writes on a cancelled call
              }
            }

            @Override
            public void onCancel() {
              s.onCancel.complete(null);
            }
          };
        })
        .addMethod(grpcMethod("Remaining"), (call, headers) -> {
          Seen s = grpcSeen(call);
          call.request(1);
          return new io.grpc.ServerCall.Listener<StringValue>() {
            @Override
            public void onHalfClose() {
              call.sendHeaders(new io.grpc.Metadata());
              call.sendMessage(message(s.remainingNanosAtStart == Long.MAX_VALUE ? "none"
                  : Long.toString(s.remainingNanosAtStart)));
              call.close(io.grpc.Status.OK, new io.grpc.Metadata());
            }
          };
        })
        .addMethod(grpcMethod("Ticks"), (call, headers) -> {
          Seen s = grpcSeen(call);
          call.request(1);
          return new io.grpc.ServerCall.Listener<StringValue>() {
            @Override
            public void onHalfClose() {
              call.sendHeaders(new io.grpc.Metadata());
              call.sendMessage(message("tick 1"));
            }

            @Override
            public void onCancel() {
              s.onCancel.complete(null);
            }
          };
        })
        .addMethod(grpcMethod("Hold"), (call, headers) -> {
          Seen s = grpcSeen(call);
          call.request(1);
          return new io.grpc.ServerCall.Listener<StringValue>() {
            @Override
            public void onCancel() {
              s.onCancel.complete(null);
            }
          };
        })
        .build();
  }
}
