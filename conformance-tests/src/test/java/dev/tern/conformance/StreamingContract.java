package dev.tern.conformance;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The streaming service both implementations serve in the streaming conformance tests, written
 * once on Tern's raw call API and once on grpc-java's, over plain byte-array messages.
 *
 * <ul>
 *   <li>{@code Unary}: echoes the request.
 *   <li>{@code ServerStream}: the request is {@link #streamRequest(int, int) count and size};
 *       answers {@code count} messages of {@code size} bytes, the first four the message index,
 *       sending only while the call is ready and resuming from onReady.
 *   <li>{@code ClientStream}: reads every message, then answers {@link #countAndBytes}.
 *   <li>{@code Bidi}: echoes each message as it arrives; ends when the client half-closes.
 *   <li>{@code Zeros}: unary; answers as many zero bytes as the 4-byte request says.
 *   <li>{@code Held}: client streaming like {@code ClientStream}, but asks for no message until
 *       the test releases the gate named by the {@code x-gate} header.
 * </ul>
 *
 * Every method answers in the encoding named by the {@code x-respond-encoding} request header,
 * if there is one (and the client accepts it).
 */
final class StreamingContract {
  static final String SERVICE = "tern.conformance.Streaming";
  static final String RESPOND_ENCODING = "x-respond-encoding";
  static final String GATE = "x-gate";

  private StreamingContract() {}

  static String fullName(String method) {
    return SERVICE + "/" + method;
  }

  // ---------------------------------------------------------------- messages

  static byte[] streamRequest(int count, int size) {
    return ByteBuffer.allocate(8).putInt(count).putInt(size).array();
  }

  static byte[] indexed(int index, int size) {
    byte[] b = new byte[Math.max(4, size)];
    ByteBuffer.wrap(b).putInt(index);
    return b;
  }

  static int indexOf(byte[] message) {
    return ByteBuffer.wrap(message).getInt();
  }

  static byte[] countAndBytes(int count, long bytes) {
    return ByteBuffer.allocate(12).putInt(count).putLong(bytes).array();
  }

  static byte[] intBytes(int value) {
    return ByteBuffer.allocate(4).putInt(value).array();
  }

  // ---------------------------------------------------------------- descriptors

  static final dev.tern.Marshaller<byte[]> TERN_BYTES = new dev.tern.Marshaller<>() {
    @Override
    public void write(byte[] value, ByteBuf out) {
      out.writeBytes(value);
    }

    @Override
    public int serializedSize(byte[] value) {
      return value.length;
    }

    @Override
    public byte[] parse(ByteBuf in) {
      return ByteBufUtil.getBytes(in);
    }
  };

  static final io.grpc.MethodDescriptor.Marshaller<byte[]> GRPC_BYTES =
      new io.grpc.MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static dev.tern.MethodDescriptor.MethodType ternType(String method) {
    switch (method) {
      case "ServerStream":
        return dev.tern.MethodDescriptor.MethodType.SERVER_STREAMING;
      case "ClientStream":
      case "Held":
        return dev.tern.MethodDescriptor.MethodType.CLIENT_STREAMING;
      case "Bidi":
        return dev.tern.MethodDescriptor.MethodType.BIDI_STREAMING;
      default:
        return dev.tern.MethodDescriptor.MethodType.UNARY;
    }
  }

  static dev.tern.MethodDescriptor<byte[], byte[]> ternMethod(String method) {
    return dev.tern.MethodDescriptor.newBuilder(TERN_BYTES, TERN_BYTES)
        .setFullMethodName(fullName(method))
        .setType(ternType(method))
        .build();
  }

  static io.grpc.MethodDescriptor<byte[], byte[]> grpcMethod(String method) {
    return io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
        .setFullMethodName(fullName(method))
        .setType(io.grpc.MethodDescriptor.MethodType.valueOf(ternType(method).name()))
        .setRequestMarshaller(GRPC_BYTES)
        .setResponseMarshaller(GRPC_BYTES)
        .build();
  }

  static final String[] METHODS = {"Unary", "ServerStream", "ClientStream", "Bidi", "Zeros", "Held"};

  // ---------------------------------------------------------------- Tern implementation

  static dev.tern.ServerServiceDefinition tern(Gates gates) {
    dev.tern.ServerServiceDefinition.Builder b = dev.tern.ServerServiceDefinition.builder(SERVICE);
    for (String m : METHODS) {
      b.addMethod(ternMethod(m), (call, headers) -> ternHandler(m, call, headers, gates));
    }
    return b.build();
  }

  private static dev.tern.ServerCall.Listener<byte[]> ternHandler(String method,
      dev.tern.ServerCall<byte[], byte[]> call, dev.tern.Metadata headers, Gates gates) {
    String encoding = headers.get(dev.tern.Metadata.Key.ascii(RESPOND_ENCODING));
    if (encoding != null) {
      call.setCompression(encoding);
    }
    TernSide side = new TernSide(call);
    if (method.equals("Held")) {
      String gate = headers.get(dev.tern.Metadata.Key.ascii(GATE));
      gates.arrived(gate).complete(null);
      gates.released(gate).thenRun(() -> call.request(Integer.MAX_VALUE));
    } else {
      call.request(1);
    }
    return new dev.tern.ServerCall.Listener<>() {
      final Behaviour behaviour = new Behaviour(method, side);

      @Override
      public void onMessage(byte[] message) {
        behaviour.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        behaviour.onHalfClose();
      }

      @Override
      public void onReady() {
        behaviour.onReady();
      }
    };
  }

  /** What a handler does with its call, whichever implementation the call belongs to. */
  private interface Side {
    void request(int n);

    void send(byte[] message);

    boolean isReady();

    void closeOk();
  }

  private static final class TernSide implements Side {
    private final dev.tern.ServerCall<byte[], byte[]> call;

    TernSide(dev.tern.ServerCall<byte[], byte[]> call) {
      this.call = call;
    }

    @Override
    public void request(int n) {
      call.request(n);
    }

    @Override
    public void send(byte[] message) {
      call.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void closeOk() {
      call.close(dev.tern.Status.OK, new dev.tern.Metadata());
    }
  }

  private static final class GrpcSide implements Side {
    private final io.grpc.ServerCall<byte[], byte[]> call;
    private boolean headersSent;

    GrpcSide(io.grpc.ServerCall<byte[], byte[]> call) {
      this.call = call;
    }

    @Override
    public void request(int n) {
      call.request(n);
    }

    @Override
    public void send(byte[] message) {
      if (call.isCancelled()) {
        return; // grpc-java may have ended the call itself (e.g. a request it could not read)
      }
      if (!headersSent) {
        headersSent = true;
        call.sendHeaders(new io.grpc.Metadata());
      }
      call.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void closeOk() {
      if (call.isCancelled()) {
        return;
      }
      call.close(io.grpc.Status.OK, new io.grpc.Metadata());
    }
  }

  /** The contract's behaviour, written once. Runs serially, on the call's callbacks. */
  private static final class Behaviour {
    private final String method;
    private final Side side;
    private byte[] request;
    private int count = -1;
    private int size;
    private int sent;
    private int received;
    private long bytes;
    private boolean closed;

    Behaviour(String method, Side side) {
      this.method = method;
      this.side = side;
    }

    void onMessage(byte[] message) {
      switch (method) {
        case "Bidi":
          side.send(message);
          side.request(1);
          break;
        case "ClientStream":
        case "Held":
          received++;
          bytes += message.length;
          if (method.equals("ClientStream")) {
            side.request(1);
          }
          break;
        default:
          request = message;
          side.request(1);
      }
    }

    void onHalfClose() {
      switch (method) {
        case "Unary":
          side.send(request);
          side.closeOk();
          break;
        case "Zeros":
          side.send(new byte[ByteBuffer.wrap(request).getInt()]);
          side.closeOk();
          break;
        case "ClientStream":
        case "Held":
          side.send(countAndBytes(received, bytes));
          side.closeOk();
          break;
        case "ServerStream":
          ByteBuffer b = ByteBuffer.wrap(request);
          count = b.getInt();
          size = b.getInt();
          onReady();
          break;
        default: // Bidi
          side.closeOk();
      }
    }

    void onReady() {
      if (count < 0 || closed) {
        return;
      }
      while (sent < count && side.isReady()) {
        side.send(indexed(sent++, size));
      }
      if (sent == count) {
        closed = true;
        side.closeOk();
      }
    }
  }

  // ---------------------------------------------------------------- grpc-java implementation

  static io.grpc.ServerServiceDefinition grpc(Gates gates) {
    io.grpc.ServerServiceDefinition.Builder b = io.grpc.ServerServiceDefinition.builder(SERVICE);
    for (String m : METHODS) {
      b.addMethod(grpcMethod(m), (call, headers) -> grpcHandler(m, call, headers, gates));
    }
    return b.build();
  }

  private static io.grpc.ServerCall.Listener<byte[]> grpcHandler(String method,
      io.grpc.ServerCall<byte[], byte[]> call, io.grpc.Metadata headers, Gates gates) {
    String encoding = headers.get(
        io.grpc.Metadata.Key.of(RESPOND_ENCODING, io.grpc.Metadata.ASCII_STRING_MARSHALLER));
    if (encoding != null) {
      call.setCompression(encoding);
    }
    GrpcSide side = new GrpcSide(call);
    if (method.equals("Held")) {
      String gate = headers.get(
          io.grpc.Metadata.Key.of(GATE, io.grpc.Metadata.ASCII_STRING_MARSHALLER));
      gates.arrived(gate).complete(null);
      gates.released(gate).thenRun(() -> call.request(Integer.MAX_VALUE));
    } else {
      call.request(1);
    }
    return new io.grpc.ServerCall.Listener<>() {
      final Behaviour behaviour = new Behaviour(method, side);

      @Override
      public void onMessage(byte[] message) {
        behaviour.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        behaviour.onHalfClose();
      }

      @Override
      public void onReady() {
        behaviour.onReady();
      }
    };
  }
}
