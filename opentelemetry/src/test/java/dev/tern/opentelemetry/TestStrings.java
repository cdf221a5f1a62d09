package dev.tern.opentelemetry;

import dev.tern.Marshaller;
import dev.tern.MethodDescriptor;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** UTF-8 strings as messages, and unary methods over them, for this module's tests. */
final class TestStrings {
  /** Knows its serialized size, so sent message sizes are measured. */
  static final Marshaller<String> UTF8 = new Marshaller<>() {
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

  private TestStrings() {}

  /** A unary method named {@code fullMethodName} ({@code package.Service/Method}). */
  static MethodDescriptor<String, String> unary(String fullMethodName) {
    return MethodDescriptor.newBuilder(UTF8, UTF8)
        .setFullMethodName(fullMethodName)
        .setType(MethodDescriptor.MethodType.UNARY)
        .build();
  }
}
