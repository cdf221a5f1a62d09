package dev.tern.inprocess;

import dev.tern.Marshaller;
import dev.tern.MethodDescriptor;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** UTF-8 strings as messages, and methods over them, for this module's tests. */
final class Strings {
  static final String SERVICE = "test.Strings";

  /** A UTF-8 marshaller that counts what it writes and parses. */
  static class Utf8 implements Marshaller<String> {
    final AtomicInteger written = new AtomicInteger();
    final AtomicInteger parsed = new AtomicInteger();

    @Override
    public void write(String value, ByteBuf out) {
      written.incrementAndGet();
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public int serializedSize(String value) {
      return value.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String parse(ByteBuf in) {
      parsed.incrementAndGet();
      return in.toString(StandardCharsets.UTF_8);
    }
  }

  static final Utf8 UTF8 = new Utf8();

  private Strings() {}

  static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
    return method(name, type, UTF8);
  }

  static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type,
      Marshaller<String> marshaller) {
    return MethodDescriptor.newBuilder(marshaller, marshaller)
        .setFullMethodName(SERVICE + "/" + name)
        .setType(type)
        .build();
  }

  static final MethodDescriptor<String, String> UNARY =
      method("Unary", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<String, String> SERVER_STREAMING =
      method("ServerStreaming", MethodDescriptor.MethodType.SERVER_STREAMING);
  static final MethodDescriptor<String, String> CLIENT_STREAMING =
      method("ClientStreaming", MethodDescriptor.MethodType.CLIENT_STREAMING);
  static final MethodDescriptor<String, String> BIDI =
      method("Bidi", MethodDescriptor.MethodType.BIDI_STREAMING);
}
