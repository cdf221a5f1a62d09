package dev.tern.protobuf;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.tern.Marshaller;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A {@link Marshaller} for protobuf messages that serializes straight into, and parses straight
 * out of, Netty buffers: no intermediate {@code byte[]} on either path when the buffer exposes a
 * single memory region. Immutable and thread-safe.
 *
 * <pre>{@code
 * Marshaller<HelloRequest> m = ProtoMarshaller.of(HelloRequest.getDefaultInstance());
 * }</pre>
 *
 * <p>Parsed messages never alias the inbound buffer (Tern releases it right after {@link #parse}
 * returns), so {@code bytes} fields are copied out of it.
 */
public final class ProtoMarshaller<T extends MessageLite> implements Marshaller<T> {
  // Below this size a stream-backed CodedInputStream reads the message in one buffer fill.
  private static final int MAX_STREAM_BUFFER = 8192;

  // Messages up to this size are parsed from a per-thread copy (see parse); larger ones are rare
  // enough that a fresh array costs little next to the message itself.
  private static final int MAX_SCRATCH = 64 * 1024;
  private static final ThreadLocal<byte[]> SCRATCH = new ThreadLocal<>();

  private final T defaultInstance;
  private final Parser<T> parser;
  private final ExtensionRegistryLite extensionRegistry;

  private ProtoMarshaller(T defaultInstance, ExtensionRegistryLite extensionRegistry) {
    this.defaultInstance = Objects.requireNonNull(defaultInstance, "defaultInstance");
    this.extensionRegistry = Objects.requireNonNull(extensionRegistry, "extensionRegistry");
    @SuppressWarnings("unchecked") // a message's parser parses its own type
    Parser<T> p = (Parser<T>) defaultInstance.getParserForType();
    this.parser = p;
  }

  /** A marshaller for the type of {@code defaultInstance}, parsing without extensions. */
  public static <T extends MessageLite> ProtoMarshaller<T> of(T defaultInstance) {
    return new ProtoMarshaller<>(defaultInstance, ExtensionRegistryLite.getEmptyRegistry());
  }

  /** A marshaller for the type of {@code defaultInstance} that parses the extensions in
   * {@code extensionRegistry}. */
  public static <T extends MessageLite> ProtoMarshaller<T> of(
      T defaultInstance, ExtensionRegistryLite extensionRegistry) {
    return new ProtoMarshaller<>(defaultInstance, extensionRegistry);
  }

  /** The default instance of the marshalled type. */
  public T getMessagePrototype() {
    return defaultInstance;
  }

  @Override
  public int serializedSize(T value) {
    return value.getSerializedSize();
  }

  @Override
  public void write(T value, ByteBuf out) {
    int size = value.getSerializedSize();
    if (size == 0) {
      return;
    }
    out.ensureWritable(size);
    int writerIndex = out.writerIndex();
    try {
      CodedOutputStream cos = directEncoder(out, writerIndex, size);
      if (cos != null) {
        value.writeTo(cos);
        // Fails if the message wrote fewer bytes than it claimed: the frame length would lie.
        cos.checkNoSpaceLeft();
        out.writerIndex(writerIndex + size);
      } else {
        // Composite or otherwise fragmented buffer: let the buffer place the bytes.
        ByteBufOutputStream stream = new ByteBufOutputStream(out);
        CodedOutputStream streamed =
            CodedOutputStream.newInstance(stream, Math.min(size, MAX_STREAM_BUFFER));
        value.writeTo(streamed);
        streamed.flush();
        if (out.writerIndex() - writerIndex != size) {
          throw new IllegalStateException("message wrote " + (out.writerIndex() - writerIndex)
              + " bytes but getSerializedSize() said " + size);
        }
      }
    } catch (IOException | RuntimeException e) {
      out.writerIndex(writerIndex);
      throw Status.INTERNAL
          .withDescription("Failed to serialize " + typeName())
          .withCause(e)
          .asRuntimeException();
    }
  }

  /**
   * An encoder writing into {@code out}'s own memory at {@code [index, index + size)}, or null
   * when the buffer cannot expose that range as one region it shares (composites may hand back
   * a merged copy, so they are never used this way).
   */
  private static CodedOutputStream directEncoder(ByteBuf out, int index, int size) {
    if (out instanceof CompositeByteBuf) {
      return null;
    }
    if (out.hasArray()) {
      return CodedOutputStream.newInstance(out.array(), out.arrayOffset() + index, size);
    }
    if (out.nioBufferCount() == 1) {
      ByteBuffer nio = out.nioBuffer(index, size);
      if (nio.remaining() == size && !nio.isReadOnly()) {
        return CodedOutputStream.newInstance(nio);
      }
    }
    return null;
  }

  @Override
  public T parse(ByteBuf in) {
    int length = in.readableBytes();
    try {
      CodedInputStream cis;
      if (length == 0) {
        return defaultInstance;
      } else if (in.hasArray()) {
        // Heap buffer: decode from the backing array; bytes fields are copied out because the
        // array is not marked immutable.
        cis = CodedInputStream.newInstance(in.array(), in.arrayOffset() + in.readerIndex(), length);
        in.skipBytes(length);
      } else if (length <= MAX_SCRATCH) {
        // Direct or composite buffer (what the transport receives): protobuf would copy a direct
        // ByteBuffer into a new array of its own; a per-thread scratch array makes that copy
        // garbage-free. Not marked immutable, so no parsed field aliases the scratch array.
        byte[] scratch = scratch(length);
        in.readBytes(scratch, 0, length);
        cis = CodedInputStream.newInstance(scratch, 0, length);
      } else if (in.nioBufferCount() == 1) {
        cis = CodedInputStream.newInstance(in.nioBuffer(in.readerIndex(), length));
        in.skipBytes(length);
      } else {
        cis = CodedInputStream.newInstance(
            new ByteBufInputStream(in, length), Math.min(length, MAX_STREAM_BUFFER));
      }
      T message = parser.parseFrom(cis, extensionRegistry);
      // A stray top-level END_GROUP tag stops the parser early; the rest would be ignored.
      cis.checkLastTagWas(0);
      return message;
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL
          .withDescription("Invalid protobuf byte sequence for " + typeName())
          .withCause(e)
          .asRuntimeException();
    }
  }

  /** This thread's scratch array, grown (up to {@link #MAX_SCRATCH}) to hold {@code length}. */
  private static byte[] scratch(int length) {
    byte[] scratch = SCRATCH.get();
    if (scratch == null || scratch.length < length) {
      scratch = new byte[Math.max(length, 1024)];
      SCRATCH.set(scratch);
    }
    return scratch;
  }

  private String typeName() {
    return defaultInstance.getClass().getName();
  }

  @Override
  public String toString() {
    return "ProtoMarshaller{" + typeName() + "}";
  }
}
