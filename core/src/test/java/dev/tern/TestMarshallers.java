package dev.tern;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** String marshalling and method descriptors for tests that need no protobuf. */
public final class TestMarshallers {
  public static final Marshaller<String> STRING = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public String parse(ByteBuf in) {
      return in.readCharSequence(in.readableBytes(), StandardCharsets.UTF_8).toString();
    }
  };

  private TestMarshallers() {}

  public static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.newBuilder(STRING, STRING)
        .setFullMethodName("test.Service/" + name)
        .setType(type)
        .build();
  }
}
