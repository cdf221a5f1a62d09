package dev.tern.conformance;

import dev.tern.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts calls of the {@link StreamingContract} service through one client implementation (Tern
 * or grpc-java, each on its raw call API), so one test body drives both. Thread-safe.
 */
interface StreamingClient {
  /** Per-call choices. */
  final class Spec {
    static final Spec DEFAULT = new Spec(null, null, null, null);

    final String compression;
    final String respondEncoding;
    final String gate;
    /** Called with each received message, on the call's callback thread. */
    final Consumer<byte[]> onMessage;

    Spec(String compression, String respondEncoding, String gate, Consumer<byte[]> onMessage) {
      this.compression = compression;
      this.respondEncoding = respondEncoding;
      this.gate = gate;
      this.onMessage = onMessage;
    }

    Spec compression(String c) {
      return new Spec(c, respondEncoding, gate, onMessage);
    }

    Spec respondEncoding(String e) {
      return new Spec(compression, e, gate, onMessage);
    }

    Spec gate(String g) {
      return new Spec(compression, respondEncoding, g, onMessage);
    }

    Spec onMessage(Consumer<byte[]> hook) {
      return new Spec(compression, respondEncoding, gate, hook);
    }
  }

  /** How a call ended and what it received. */
  final class Outcome {
    final Status.Code code;
    final String description;
    final List<byte[]> messages;

    Outcome(Status.Code code, String description, List<byte[]> messages) {
      this.code = code;
      this.description = description;
      this.messages = messages;
    }

    @Override
    public String toString() {
      return code + ": " + description + " (" + messages.size() + " messages)";
    }
  }

  /** A started call. Methods other than isReady/awaitReady are called by one thread at a time. */
  abstract class Call {
    private final List<byte[]> messages = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final Object readyLock = new Object();
    private final Consumer<byte[]> hook;

    Call(Spec spec) {
      this.hook = spec.onMessage;
    }

    abstract void request(int n);

    abstract void send(byte[] message);

    abstract void halfClose();

    abstract boolean isReady();

    abstract void cancel();

    /** Sends when ready, waiting for onReady otherwise: how a well-behaved client streams. */
    void sendWhenReady(byte[] message) throws InterruptedException {
      synchronized (readyLock) {
        while (!isReady() && !outcome.isDone()) {
          readyLock.wait(100);
        }
      }
      send(message);
    }

    CompletableFuture<Outcome> outcome() {
      return outcome;
    }

    Outcome await() throws Exception {
      return outcome.get(60, TimeUnit.SECONDS);
    }

    int received() {
      return messages.size();
    }

    // Listener side, called by the implementations.

    void received(byte[] message) {
      messages.add(message);
      if (hook != null) {
        hook.accept(message);
      }
    }

    void ready() {
      synchronized (readyLock) {
        readyLock.notifyAll();
      }
    }

    void closed(Status.Code code, String description) {
      synchronized (messages) {
        outcome.complete(new Outcome(code, description, new ArrayList<>(messages)));
      }
      ready();
    }
  }

  /** Starts a call of {@code method} (a bare method name of the contract). */
  Call start(String method, Spec spec);

  /** A client on a Tern channel. */
  static StreamingClient tern(dev.tern.Channel channel) {
    return (method, spec) -> {
      dev.tern.CallOptions options = dev.tern.CallOptions.DEFAULT;
      if (spec.compression != null) {
        options = options.withCompression(spec.compression);
      }
      dev.tern.ClientCall<byte[], byte[]> call =
          channel.newCall(StreamingContract.ternMethod(method), options);
      Call handle = new Call(spec) {
        @Override
        void request(int n) {
          call.request(n);
        }

        @Override
        void send(byte[] message) {
          call.sendMessage(message);
        }

        @Override
        void halfClose() {
          call.halfClose();
        }

        @Override
        boolean isReady() {
          return call.isReady();
        }

        @Override
        void cancel() {
          call.cancel("test cancelled", null);
        }
      };
      dev.tern.Metadata headers = new dev.tern.Metadata();
      if (spec.respondEncoding != null) {
        headers.put(dev.tern.Metadata.Key.ascii(StreamingContract.RESPOND_ENCODING),
            spec.respondEncoding);
      }
      if (spec.gate != null) {
        headers.put(dev.tern.Metadata.Key.ascii(StreamingContract.GATE), spec.gate);
      }
      call.start(new dev.tern.ClientCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          handle.received(message);
        }

        @Override
        public void onReady() {
          handle.ready();
        }

        @Override
        public void onClose(Status status, dev.tern.Metadata trailers) {
          handle.closed(status.getCode(), status.getDescription());
        }
      }, headers);
      return handle;
    };
  }

  /** A client on a grpc-java channel. */
  static StreamingClient grpc(io.grpc.Channel channel) {
    return (method, spec) -> {
      io.grpc.CallOptions options = io.grpc.CallOptions.DEFAULT;
      if (spec.compression != null) {
        options = options.withCompression(spec.compression);
      }
      io.grpc.ClientCall<byte[], byte[]> call =
          channel.newCall(StreamingContract.grpcMethod(method), options);
      Call handle = new Call(spec) {
        @Override
        void request(int n) {
          call.request(n);
        }

        @Override
        void send(byte[] message) {
          call.sendMessage(message);
        }

        @Override
        void halfClose() {
          call.halfClose();
        }

        @Override
        boolean isReady() {
          return call.isReady();
        }

        @Override
        void cancel() {
          call.cancel("test cancelled", null);
        }
      };
      io.grpc.Metadata headers = new io.grpc.Metadata();
      if (spec.respondEncoding != null) {
        headers.put(io.grpc.Metadata.Key.of(StreamingContract.RESPOND_ENCODING,
            io.grpc.Metadata.ASCII_STRING_MARSHALLER), spec.respondEncoding);
      }
      if (spec.gate != null) {
        headers.put(io.grpc.Metadata.Key.of(StreamingContract.GATE,
            io.grpc.Metadata.ASCII_STRING_MARSHALLER), spec.gate);
      }
      call.start(new io.grpc.ClientCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          handle.received(message);
        }

        @Override
        public void onReady() {
          handle.ready();
        }

        @Override
        public void onClose(io.grpc.Status status, io.grpc.Metadata trailers) {
          handle.closed(Status.Code.fromValue(status.getCode().value()),
              status.getDescription());
        }
      }, headers);
      return handle;
    };
  }
}
