package dev.tern.examples;

import com.google.protobuf.StringValue;
import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientCalls;
import dev.tern.ClientInterceptor;
import dev.tern.ClientInterceptors;
import dev.tern.ForwardingClientCall;
import dev.tern.ForwardingClientCallListener;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The README's demo: starts a Tern server on a free port of 127.0.0.1, calls it twice with a Tern
 * channel — a successful unary call with metadata and one that fails with a status — prints what
 * went over the wire, and shuts both down.
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    if (!run(out)) {
      System.exit(1);
    }
  }

  /** Runs the demo, printing to {@code out}; returns whether everything went as expected. */
  public static boolean run(PrintStream out) throws Exception {
    TernServer server = TernServer.builder()
        .port(0)
        .addService(Greeter.bindService(new GreeterService()))
        .intercept(new EchoMetadataInterceptor())
        .build()
        .start();
    TernChannel ternChannel = TernChannel.builder().forAddress("127.0.0.1", server.port()).build();
    out.println("Tern demo: server listening on 127.0.0.1:" + server.port());
    boolean ok;
    try {
      Channel channel = ClientInterceptors.intercept(ternChannel, new PrintingInterceptor(out));

      out.println();
      out.println("call " + Greeter.SAY_HELLO.getFullMethodName() + "(\"world\")");
      StringValue reply = ClientCalls.blockingUnaryCall(
          channel, Greeter.SAY_HELLO, CallOptions.DEFAULT, StringValue.of("world"));
      out.println("  returned \"" + reply.getValue() + "\"");
      ok = reply.getValue().equals("Hello, world!");

      out.println();
      out.println("call " + Greeter.SAY_HELLO.getFullMethodName() + "(\"\")");
      try {
        ClientCalls.blockingUnaryCall(
            channel, Greeter.SAY_HELLO, CallOptions.DEFAULT, StringValue.of(""));
        out.println("  unexpected success");
        ok = false;
      } catch (StatusRuntimeException e) {
        out.println("  threw StatusRuntimeException: " + e.getStatus().getCode());
        ok &= e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT;
      }
    } finally {
      ternChannel.shutdown();
      server.shutdown();
    }
    boolean stopped = ternChannel.awaitTermination(10, TimeUnit.SECONDS)
        & server.awaitTermination(10, TimeUnit.SECONDS);
    out.println();
    out.println("shut down " + (stopped ? "cleanly" : "with calls still running"));
    return ok && stopped;
  }

  /** Adds request headers to each call and prints the headers, status and trailers it gets. */
  private static final class PrintingInterceptor implements ClientInterceptor {
    private final PrintStream out;
    private final AtomicInteger calls = new AtomicInteger();

    PrintingInterceptor(PrintStream out) {
      this.out = out;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(
          next.newCall(method, callOptions)) {
        @Override
        public void start(Listener<RespT> listener, Metadata headers) {
          headers.put(EchoMetadataInterceptor.REQUEST_ID, "demo-" + calls.incrementAndGet());
          headers.put(EchoMetadataInterceptor.TRACE, new byte[] {0x01, 0x02, (byte) 0xFE});
          out.println("  -> headers   " + format(headers));
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
              listener) {
            @Override
            public void onHeaders(Metadata responseHeaders) {
              out.println("  <- headers   " + format(responseHeaders));
              super.onHeaders(responseHeaders);
            }

            @Override
            public void onMessage(RespT message) {
              out.println("  <- message   " + (message instanceof StringValue
                  ? "\"" + ((StringValue) message).getValue() + "\"" : message));
              super.onMessage(message);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              out.println("  <- status    " + status.getCode()
                  + (status.getDescription() == null ? "" : ": " + status.getDescription()));
              out.println("  <- trailers  " + format(trailers));
              super.onClose(status, trailers);
            }
          }, headers);
        }
      };
    }
  }

  /** Metadata as {@code key=value, ...}; binary values in hex. */
  static String format(Metadata md) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < md.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(md.nameAt(i)).append('=');
      Object value = md.rawValueAt(i);
      if (value instanceof byte[]) {
        sb.append("0x");
        for (byte b : (byte[]) value) {
          sb.append(String.format("%02x", b & 0xFF));
        }
      } else {
        sb.append(value);
      }
    }
    return sb.length() == 0 ? "(none)" : sb.toString();
  }
}
