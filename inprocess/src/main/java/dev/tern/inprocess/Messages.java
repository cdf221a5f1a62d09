package dev.tern.inprocess;

import dev.tern.Marshaller;
import dev.tern.inprocess.InProcessStream.Serialized;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Messages as they travel in-process: the application's object itself when both sides use the
 * same marshaller, or its bytes, written by the sender's marshaller and parsed by the
 * receiver's, when they differ or serialization was asked for. Stateless.
 */
final class Messages {
  private Messages() {}

  /** What to queue for {@code message}: the object, or its serialized bytes. */
  static <T> Object prepare(Marshaller<T> marshaller, T message, boolean serialize) {
    if (!serialize) {
      return message;
    }
    int size = marshaller.serializedSize(message);
    ByteBuf bytes = size >= 0
        ? ByteBufAllocator.DEFAULT.heapBuffer(size)
        : ByteBufAllocator.DEFAULT.heapBuffer();
    try {
      marshaller.write(message, bytes);
      return new Serialized(bytes);
    } catch (RuntimeException | Error e) {
      bytes.release();
      throw e;
    }
  }

  /**
   * The size {@code item} has on the wire (without the 5-byte prefix), or -1 if its marshaller
   * cannot tell without serializing it.
   */
  @SuppressWarnings("unchecked")
  static <T> long size(Marshaller<T> marshaller, Object item) {
    if (item instanceof Serialized s) {
      return s.bytes().readableBytes();
    }
    return marshaller.serializedSize((T) item);
  }

  /** The message {@code item} stands for; releases its bytes if it was serialized. */
  @SuppressWarnings("unchecked")
  static <T> T open(Marshaller<T> marshaller, Object item) {
    if (!(item instanceof Serialized s)) {
      return (T) item;
    }
    try {
      return marshaller.parse(s.bytes());
    } finally {
      s.bytes().release();
    }
  }

  /** Whether messages must be serialized between these marshallers. */
  static boolean mustSerialize(Marshaller<?> sender, Marshaller<?> receiver, boolean asked) {
    return asked || !sender.equals(receiver);
  }
}
