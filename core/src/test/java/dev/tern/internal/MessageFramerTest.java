package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.Marshaller;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageFramerTest {
  private static final Marshaller<String> SIZED = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.US_ASCII);
    }

    @Override
    public int serializedSize(String value) {
      return value.length();
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.US_ASCII);
    }
  };

  private static final Marshaller<String> UNSIZED = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.US_ASCII);
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.US_ASCII);
    }
  };

  @Test
  void writesHeaderAndMessageIntoOneExactBuffer() {
    ByteBuf buf = MessageFramer.frame(SIZED, "hello", PooledByteBufAllocator.DEFAULT, 100);
    try {
      assertEquals(0, buf.getByte(0));
      assertEquals(5, buf.getInt(1));
      assertEquals("hello", buf.toString(5, 5, StandardCharsets.US_ASCII));
      assertEquals(10, buf.readableBytes());
    } finally {
      buf.release();
    }
  }

  @Test
  void unsizedMessagesGrowTheBuffer() {
    String big = "x".repeat(1000);
    ByteBuf buf = MessageFramer.frame(UNSIZED, big, PooledByteBufAllocator.DEFAULT, 2000);
    try {
      assertEquals(1000, buf.getInt(1));
    } finally {
      buf.release();
    }
  }

  @Test
  void oversizedMessageIsResourceExhaustedAndReleased() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> MessageFramer.frame(SIZED, "toolong", PooledByteBufAllocator.DEFAULT, 3));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    StatusRuntimeException e2 = assertThrows(StatusRuntimeException.class,
        () -> MessageFramer.frame(UNSIZED, "toolong", PooledByteBufAllocator.DEFAULT, 3));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e2.getStatus().getCode());
  }

  @Test
  void marshallerFailureIsInternal() {
    Marshaller<String> broken = new Marshaller<>() {
      @Override
      public void write(String value, ByteBuf out) {
        throw new IllegalStateException("boom");
      }

      @Override
      public String parse(ByteBuf in) {
        return null;
      }
    };
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> MessageFramer.frame(broken, "x", PooledByteBufAllocator.DEFAULT, 3));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
  }
}
