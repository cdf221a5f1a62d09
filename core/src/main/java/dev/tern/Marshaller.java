package dev.tern;

import io.netty.buffer.ByteBuf;

/**
 * Converts messages to and from their wire bytes. Implementations are stateless and thread-safe.
 *
 * <p>Tern frames messages without copying: it asks for {@link #serializedSize} first, allocates
 * one pooled buffer with room for the 5-byte gRPC frame header plus the message, and calls
 * {@link #write} to fill it; that buffer goes out as the DATA frame. Inbound, {@link #parse} gets
 * a retained slice of the DATA frame the message arrived in (a composite of slices when it spans
 * frames), never a copy.
 *
 * <p>Why Netty's {@link ByteBuf} and not {@code InputStream} (as grpc-java's marshaller): that
 * zero-copy path from pooled buffers straight to the parser and from the serializer straight to
 * the wire. The price is a Netty type in this API: marshallers are written against
 * {@code ByteBuf}, follow its reference counting (never keep or release the buffers given), and
 * move with Netty's buffer API. The decision is explained in {@code docs/architecture.md}
 * ("Messages are Netty ByteBufs").
 */
public interface Marshaller<T> {
  /** Appends the serialized {@code value} to {@code out}. */
  void write(T value, ByteBuf out);

  /** The exact serialized size of {@code value} if known cheaply, else -1. */
  default int serializedSize(T value) {
    return -1;
  }

  /**
   * Parses one whole message from the readable bytes of {@code in}. The buffer is released by the
   * caller after this returns; implementations must not keep a reference to it.
   */
  T parse(ByteBuf in);
}
