package dev.tern.netty;

import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.Metadata;
import java.util.concurrent.atomic.AtomicInteger;

/** Streaming methods on the raw call API for transport tests; strings as messages. */
final class StreamingMethods {
  static final String SERVICE = "tern.test.Stream";

  private StreamingMethods() {}

  static MethodDescriptor<String, String> method(String name, MethodType type) {
    return MethodDescriptor.newBuilder(TestMethods.STRING, TestMethods.STRING)
        .setFullMethodName(SERVICE + "/" + name)
        .setType(type)
        .build();
  }

  /** A service of one method. */
  static ServerServiceDefinition service(MethodDescriptor<String, String> method,
      ServerCallHandler<String, String> handler) {
    return ServerServiceDefinition.builder(SERVICE).addMethod(method, handler).build();
  }

  /**
   * Server streaming: the request is "count,size"; answers count messages of size bytes
   * (each starting with its index), sending only while the call is ready and resuming from
   * onReady, then OK.
   */
  static ServerCallHandler<String, String> politeServerStream() {
    return (call, headers) -> {
      call.request(1);
      return new ServerCall.Listener<>() {
        int count = -1;
        int size;
        int sent;
        boolean closed;

        @Override
        public void onMessage(String message) {
          String[] parts = message.split(",");
          count = Integer.parseInt(parts[0]);
          size = Integer.parseInt(parts[1]);
        }

        @Override
        public void onHalfClose() {
          call.sendHeaders(new Metadata());
          onReady();
        }

        @Override
        public void onReady() {
          if (count < 0 || closed) {
            return;
          }
          while (sent < count && call.isReady()) {
            call.sendMessage(payload(sent++, size));
          }
          if (sent == count) {
            closed = true;
            call.close(Status.OK, new Metadata());
          }
        }
      };
    };
  }

  /** Like {@link #politeServerStream} but sends everything at once, ignoring isReady. */
  static ServerCallHandler<String, String> naiveServerStream(AtomicInteger sentCounter) {
    return TestMethods.unary((request, headers, call) -> {
      String[] parts = request.split(",");
      int count = Integer.parseInt(parts[0]);
      int size = Integer.parseInt(parts[1]);
      for (int i = 0; i < count && !call.isCancelled(); i++) {
        call.sendMessage(payload(i, size));
        sentCounter.incrementAndGet();
      }
      if (!call.isCancelled()) {
        call.close(Status.OK, new Metadata());
      }
    });
  }

  /** Client streaming: counts messages and bytes, answers "count,bytes" on half-close. */
  static ServerCallHandler<String, String> countingClientStream() {
    return (call, headers) -> {
      call.request(1);
      return new ServerCall.Listener<>() {
        long count;
        long bytes;

        @Override
        public void onMessage(String message) {
          count++;
          bytes += message.length();
          call.request(1);
        }

        @Override
        public void onHalfClose() {
          call.sendMessage(count + "," + bytes);
          call.close(Status.OK, new Metadata());
        }
      };
    };
  }

  /** Bidi: echoes each message as it arrives; OK once the client half-closes. */
  static ServerCallHandler<String, String> echoBidi() {
    return (call, headers) -> {
      call.request(1);
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(String message) {
          call.sendMessage(message);
          call.request(1);
        }

        @Override
        public void onHalfClose() {
          call.close(Status.OK, new Metadata());
        }
      };
    };
  }

  /** A message of {@code size} bytes (at least the index) that starts with {@code index}. */
  static String payload(int index, int size) {
    String head = index + ":";
    if (head.length() >= size) {
      return head;
    }
    StringBuilder sb = new StringBuilder(size).append(head);
    while (sb.length() < size) {
      sb.append((char) ('a' + sb.length() % 26));
    }
    return sb.toString();
  }

  static int indexOf(String payload) {
    return Integer.parseInt(payload.substring(0, payload.indexOf(':')));
  }
}
