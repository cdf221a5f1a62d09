package dev.tern.protobuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.DescriptorProtos.FeatureSet;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.JavaFeaturesProto;
import com.google.protobuf.JavaFeaturesProto.JavaFeatures;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ProtoMarshallerTest {
  private static final ProtoMarshaller<Struct> STRUCTS = ProtoMarshaller.of(Struct.getDefaultInstance());
  private static final ProtoMarshaller<BytesValue> BYTES =
      ProtoMarshaller.of(BytesValue.getDefaultInstance());

  private static Struct sampleStruct() {
    return Struct.newBuilder()
        .putFields("name", Value.newBuilder().setStringValue("tern \u2708").build())
        .putFields("count", Value.newBuilder().setNumberValue(42).build())
        .putFields("nested", Value.newBuilder().setStructValue(Struct.newBuilder()
            .putFields("list", Value.newBuilder().setListValue(ListValue.newBuilder()
                .addValues(Value.newBuilder().setBoolValue(true))
                .addValues(Value.newBuilder().setNullValueValue(0))).build())).build())
        .build();
  }

  private static BytesValue bytesOf(int length) {
    byte[] data = new byte[length];
    for (int i = 0; i < length; i++) {
      data[i] = (byte) (i * 31 + 7);
    }
    return BytesValue.newBuilder().setValue(ByteString.copyFrom(data)).build();
  }

  private static <T> T withBuffer(ByteBuf buf, Function<ByteBuf, T> body) {
    try {
      return body.apply(buf);
    } finally {
      buf.release();
    }
  }

  @Test
  void serializedSizeIsTheMessagesOwnSize() {
    Struct s = sampleStruct();
    assertEquals(s.getSerializedSize(), STRUCTS.serializedSize(s));
  }

  @Test
  void roundTripsThroughHeapBuffer() {
    Struct s = sampleStruct();
    Struct parsed = withBuffer(Unpooled.buffer(), buf -> {
      STRUCTS.write(s, buf);
      assertEquals(s.getSerializedSize(), buf.readableBytes());
      assertArrayEquals(s.toByteArray(), bytes(buf));
      return STRUCTS.parse(buf);
    });
    assertEquals(s, parsed);
  }

  @Test
  void roundTripsThroughPooledDirectBuffer() {
    Struct s = sampleStruct();
    Struct parsed = withBuffer(PooledByteBufAllocator.DEFAULT.directBuffer(16), buf -> {
      assertFalse(buf.hasArray());
      STRUCTS.write(s, buf);
      assertArrayEquals(s.toByteArray(), bytes(buf));
      return STRUCTS.parse(buf);
    });
    assertEquals(s, parsed);
  }

  @Test
  void messageParsedFromDirectBufferKeepsItsBytesAfterLaterParsesOnTheSameThread() {
    // Direct buffers are parsed from a reused per-thread copy: no field may alias that copy.
    BytesValue first = bytesOf(1000);
    BytesValue parsedFirst = withBuffer(PooledByteBufAllocator.DEFAULT.directBuffer(), buf -> {
      BYTES.write(first, buf);
      return BYTES.parse(buf);
    });
    for (int i = 0; i < 3; i++) {
      BytesValue other = BytesValue.newBuilder()
          .setValue(ByteString.copyFrom(new byte[1000 + i])).build();
      assertEquals(other, withBuffer(PooledByteBufAllocator.DEFAULT.directBuffer(), buf -> {
        BYTES.write(other, buf);
        return BYTES.parse(buf);
      }));
    }
    assertEquals(first, parsedFirst);
  }

  @Test
  void parseConsumesTheBytesOfDirectAndCompositeBuffers() {
    BytesValue value = bytesOf(300);
    withBuffer(PooledByteBufAllocator.DEFAULT.directBuffer(), buf -> {
      BYTES.write(value, buf);
      assertEquals(value, BYTES.parse(buf));
      assertFalse(buf.isReadable());
      return null;
    });
    byte[] wire = value.toByteArray();
    CompositeByteBuf composite = Unpooled.compositeBuffer();
    composite.addComponent(true, Unpooled.directBuffer().writeBytes(wire, 0, 100));
    composite.addComponent(true, Unpooled.directBuffer().writeBytes(wire, 100, wire.length - 100));
    withBuffer(composite, buf -> {
      assertEquals(value, BYTES.parse(buf));
      assertFalse(buf.isReadable());
      return null;
    });
  }

  @Test
  void writeAppendsAfterBytesAlreadyInTheBuffer() {
    Struct s = sampleStruct();
    for (ByteBufAllocator alloc :
        new ByteBufAllocator[] {UnpooledByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT}) {
      for (boolean direct : new boolean[] {false, true}) {
        ByteBuf buf = direct ? alloc.directBuffer(8) : alloc.heapBuffer(8);
        try {
          buf.writeBytes(new byte[] {0, 0, 0, 0, 5});
          STRUCTS.write(s, buf);
          assertEquals(5 + s.getSerializedSize(), buf.readableBytes());
          buf.skipBytes(5);
          assertArrayEquals(s.toByteArray(), bytes(buf));
          assertEquals(s, STRUCTS.parse(buf));
        } finally {
          buf.release();
        }
      }
    }
  }

  @Test
  void writeFillsASliceOfALargerBuffer() {
    Struct s = sampleStruct();
    int size = s.getSerializedSize();
    ByteBuf parent = Unpooled.directBuffer(size + 20);
    try {
      parent.writerIndex(size + 20);
      ByteBuf window = parent.slice(10, size).writerIndex(0);
      STRUCTS.write(s, window);
      assertEquals(size, window.readableBytes());
      assertArrayEquals(s.toByteArray(), bytes(parent.slice(10, size)));
    } finally {
      parent.release();
    }
  }

  @Test
  void writeIntoCompositeBufferSpreadsAcrossComponents() {
    BytesValue big = bytesOf(20_000);
    CompositeByteBuf composite = Unpooled.compositeBuffer();
    try {
      composite.addComponent(true, Unpooled.buffer(3).writeBytes(new byte[] {1, 2, 3}));
      BYTES.write(big, composite);
      assertEquals(3 + big.getSerializedSize(), composite.readableBytes());
      composite.skipBytes(3);
      assertArrayEquals(big.toByteArray(), bytes(composite));
      assertEquals(big, BYTES.parse(composite));
    } finally {
      composite.release();
    }
  }

  @Test
  void parseReadsCompositeBufferSpanningManySmallComponents() {
    BytesValue big = bytesOf(50_000); // several stream refills at the 8 KiB buffer size
    byte[] wire = big.toByteArray();
    CompositeByteBuf composite = Unpooled.compositeBuffer(Integer.MAX_VALUE);
    try {
      for (int off = 0; off < wire.length; off += 997) {
        int len = Math.min(997, wire.length - off);
        ByteBuf part = (off / 997) % 2 == 0
            ? Unpooled.directBuffer(len) : Unpooled.buffer(len);
        composite.addComponent(true, part.writeBytes(wire, off, len));
      }
      assertTrue(composite.nioBufferCount() > 1);
      BytesValue parsed = BYTES.parse(composite);
      assertEquals(big, parsed);
      assertEquals(0, composite.readableBytes());
    } finally {
      composite.release();
    }
  }

  @Test
  void parseConsumesTheReadableBytes() {
    Struct s = sampleStruct();
    withBuffer(Unpooled.wrappedBuffer(s.toByteArray()), buf -> {
      STRUCTS.parse(buf);
      assertEquals(0, buf.readableBytes());
      return null;
    });
  }

  @Test
  void parsedBytesFieldsDoNotAliasTheBuffer() {
    BytesValue original = bytesOf(300);
    for (boolean direct : new boolean[] {false, true}) {
      ByteBuf buf = direct ? Unpooled.directBuffer(512) : Unpooled.buffer(512);
      BytesValue parsed;
      try {
        BYTES.write(original, buf);
        parsed = BYTES.parse(buf);
        // The transport reuses pooled memory once parse returns: scribble over it.
        buf.setZero(0, buf.capacity());
      } finally {
        buf.release();
      }
      assertEquals(original, parsed);
    }
  }

  @Test
  void emptyMessageWritesNothingAndEmptyBufferParsesToDefault() {
    Struct parsed = withBuffer(Unpooled.buffer(0), buf -> {
      STRUCTS.write(Struct.getDefaultInstance(), buf);
      assertEquals(0, buf.readableBytes());
      return STRUCTS.parse(buf);
    });
    assertSame(Struct.getDefaultInstance(), parsed);
  }

  @Test
  void writeGrowsABufferThatIsTooSmall() {
    BytesValue v = bytesOf(5000);
    BytesValue parsed = withBuffer(Unpooled.buffer(1), buf -> {
      BYTES.write(v, buf);
      return BYTES.parse(buf);
    });
    assertEquals(v, parsed);
  }

  @Test
  void truncatedInputBecomesInternalStatus() {
    byte[] wire = sampleStruct().toByteArray();
    byte[] truncated = Arrays.copyOf(wire, wire.length - 3);
    StatusRuntimeException e = withBuffer(Unpooled.wrappedBuffer(truncated),
        buf -> assertThrows(StatusRuntimeException.class, () -> STRUCTS.parse(buf)));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("Struct"), e.getStatus().toString());
    assertInstanceOf(InvalidProtocolBufferException.class, e.getStatus().getCause());
  }

  @Test
  void truncatedCompositeInputBecomesInternalStatus() {
    byte[] wire = bytesOf(100).toByteArray();
    CompositeByteBuf composite = Unpooled.compositeBuffer();
    composite.addComponent(true, Unpooled.wrappedBuffer(wire, 0, 40));
    composite.addComponent(true, Unpooled.wrappedBuffer(wire, 40, 30));
    StatusRuntimeException e = withBuffer(composite,
        buf -> assertThrows(StatusRuntimeException.class, () -> BYTES.parse(buf)));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
  }

  @Test
  void strayEndGroupTagIsRejected() {
    // Field 1, wire type 4 (END_GROUP) at top level, followed by bytes a lenient parser would skip.
    byte[] wire = {0x0c, 0x0a, 0x01, 0x41};
    StatusRuntimeException e = withBuffer(Unpooled.wrappedBuffer(wire),
        buf -> assertThrows(StatusRuntimeException.class, () -> BYTES.parse(buf)));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
  }

  @Test
  void extensionsParseWithTheGivenRegistry() {
    FeatureSet withExtension = FeatureSet.newBuilder()
        .setExtension(JavaFeaturesProto.java_,
            JavaFeatures.newBuilder().setLegacyClosedEnum(true).build())
        .build();
    ExtensionRegistryLite registry = ExtensionRegistryLite.newInstance();
    registry.add(JavaFeaturesProto.java_);
    ProtoMarshaller<FeatureSet> withRegistry =
        ProtoMarshaller.of(FeatureSet.getDefaultInstance(), registry);
    ProtoMarshaller<FeatureSet> without = ProtoMarshaller.of(FeatureSet.getDefaultInstance());

    FeatureSet known = withBuffer(Unpooled.buffer(), buf -> {
      withRegistry.write(withExtension, buf);
      return withRegistry.parse(buf);
    });
    assertTrue(known.hasExtension(JavaFeaturesProto.java_));
    assertTrue(known.getExtension(JavaFeaturesProto.java_).getLegacyClosedEnum());

    FeatureSet unknown = withBuffer(Unpooled.buffer(), buf -> {
      without.write(withExtension, buf);
      return without.parse(buf);
    });
    assertFalse(unknown.hasExtension(JavaFeaturesProto.java_));
    assertFalse(unknown.getUnknownFields().asMap().isEmpty());
  }

  @Test
  void prototypeIsTheDefaultInstance() {
    assertSame(Struct.getDefaultInstance(), STRUCTS.getMessagePrototype());
  }

  private static byte[] bytes(ByteBuf buf) {
    byte[] out = new byte[buf.readableBytes()];
    buf.getBytes(buf.readerIndex(), out);
    return out;
  }
}
