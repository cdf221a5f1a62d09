package dev.tern.internal;

import dev.tern.Marshaller;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Serializes a message into one pooled buffer that starts with the 5-byte gRPC frame header
 * (PROTOCOL-HTTP2.md "Length-Prefixed-Message"), so the message bytes are written once and never
 * copied. Stateless and thread-safe.
 */
public final class MessageFramer {
  private static final int UNKNOWN_SIZE_GUESS = 256;

  private MessageFramer() {}

  /**
   * Returns a buffer holding the framed, uncompressed message.
   *
   * @throws dev.tern.StatusRuntimeException RESOURCE_EXHAUSTED if the message exceeds
   *     {@code maxMessageSize}, INTERNAL if the marshaller fails
   */
  public static <T> ByteBuf frame(
      Marshaller<T> marshaller, T message, ByteBufAllocator alloc, int maxMessageSize) {
    int size = marshaller.serializedSize(message);
    if (size > maxMessageSize) {
      throw tooLarge(size, maxMessageSize);
    }
    ByteBuf buf = alloc.buffer(
        MessageDeframer.HEADER_LENGTH + (size >= 0 ? size : UNKNOWN_SIZE_GUESS));
    try {
      buf.writerIndex(MessageDeframer.HEADER_LENGTH);
      marshaller.write(message, buf);
      int length = buf.writerIndex() - MessageDeframer.HEADER_LENGTH;
      if (length > maxMessageSize) {
        throw tooLarge(length, maxMessageSize);
      }
      buf.setByte(0, 0);
      buf.setInt(1, length);
      return buf;
    } catch (RuntimeException e) {
      buf.release();
      if (e instanceof dev.tern.StatusRuntimeException) {
        throw e;
      }
      throw Status.INTERNAL.withDescription("Failed to serialize message: " + e)
          .withCause(e).asRuntimeException();
    }
  }

  /** Writes a frame header for an already serialized body (e.g. a compressed one). */
  public static void writeHeader(ByteBuf out, boolean compressed, int length) {
    out.writeByte(compressed ? 1 : 0);
    out.writeInt(length);
  }

  private static dev.tern.StatusRuntimeException tooLarge(long size, int max) {
    return Status.RESOURCE_EXHAUSTED.withDescription(String.format(java.util.Locale.ROOT,
        "gRPC message exceeds maximum size %d: %d", max, size)).asRuntimeException();
  }
}
