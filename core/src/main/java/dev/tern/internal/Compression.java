package dev.tern.internal;

import dev.tern.Codec;
import dev.tern.Marshaller;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/**
 * Per-message compression for the transports: frames a message compressed with a call's codec,
 * and decompresses a received one under the inbound size limit. Calls without an encoding never
 * come here, so identity costs nothing. Stateless and thread-safe.
 */
public final class Compression {
  private Compression() {}

  /**
   * Returns the framed message, compressed with {@code codec} (compressed flag set) unless that
   * would not make it smaller, in which case it is sent as is (flag clear; PROTOCOL-HTTP2.md
   * lets a sender leave any message uncompressed). {@code maxMessageSize} applies to the
   * uncompressed size, the size the receiver's limit is checked against.
   *
   * @throws StatusRuntimeException RESOURCE_EXHAUSTED if the message exceeds the limit, INTERNAL
   *     if it cannot be serialized or compressed
   */
  public static <T> ByteBuf frame(Marshaller<T> marshaller, T message, ByteBufAllocator alloc,
      int maxMessageSize, Codec codec) {
    ByteBuf plain = MessageFramer.frame(marshaller, message, alloc, maxMessageSize);
    return codec == null ? plain : compressFramed(plain, alloc, codec);
  }

  /**
   * Compresses an already framed message ({@link MessageFramer#frame}) with {@code codec},
   * unless that would not make it smaller; releases {@code plain} unless it is returned. For
   * callers that need the uncompressed size too (tracers): {@link #frame} is this after framing.
   *
   * @throws StatusRuntimeException INTERNAL if it cannot be compressed
   */
  public static ByteBuf compressFramed(ByteBuf plain, ByteBufAllocator alloc, Codec codec) {
    int length = plain.readableBytes() - MessageDeframer.HEADER_LENGTH;
    ByteBuf compressed = alloc.buffer(
        MessageDeframer.HEADER_LENGTH + Math.max(64, length >> 1));
    try {
      compressed.writerIndex(MessageDeframer.HEADER_LENGTH);
      codec.compress(plain.slice(MessageDeframer.HEADER_LENGTH, length), compressed);
    } catch (IOException | RuntimeException e) {
      compressed.release();
      plain.release();
      throw Status.INTERNAL.withDescription("Failed to compress message with "
          + codec.encoding() + ": " + e).withCause(e).asRuntimeException();
    }
    int compressedLength = compressed.readableBytes() - MessageDeframer.HEADER_LENGTH;
    if (compressedLength >= length) {
      compressed.release();
      return plain;
    }
    plain.release();
    compressed.setByte(0, 1);
    compressed.setInt(1, compressedLength);
    return compressed;
  }

  /**
   * Decompresses a received message with {@code codec}, never holding more than
   * {@code maxMessageSize} decompressed bytes. Releases {@code message}.
   *
   * @throws StatusRuntimeException RESOURCE_EXHAUSTED past the limit, INTERNAL for corrupt data
   */
  public static ByteBuf decompress(Codec codec, ByteBuf message, ByteBufAllocator alloc,
      int maxMessageSize) {
    try {
      return codec.decompress(message, alloc, maxMessageSize);
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw Status.INTERNAL.withDescription("Failed to decompress message with "
          + codec.encoding() + ": " + e.getMessage()).withCause(e).asRuntimeException();
    } finally {
      message.release();
    }
  }
}
