package dev.tern.internal;

import dev.tern.Codec;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * {@code gzip} (RFC 1952) on {@link Deflater} / {@link Inflater} in raw-deflate mode, with the
 * gzip header and trailer written and checked here.
 *
 * <p>Why the JDK's zlib and not Netty's {@code JdkZlibEncoder}: the JDK classes take and fill
 * {@link ByteBuffer}s, so they read a message straight out of its (possibly composite, possibly
 * direct) {@link ByteBuf} and write into the pooled frame buffer with no intermediate arrays,
 * and inflation can stop at any output size, which is how the size limit is enforced while
 * inflating. Netty's zlib codecs are channel handlers built for a pipeline; using them per
 * message would need an embedded channel and give no control over output growth. The core
 * module also stays free of netty-codec.
 *
 * <p>Deflaters and inflaters hold native memory and are costly to create, so a small pool of
 * each is kept. Thread-safe.
 */
public final class GzipCodec implements Codec {
  public static final GzipCodec INSTANCE = new GzipCodec();

  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;
  private static final int RESERVED_FLAGS = 0xE0;
  /** ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=unknown (RFC 1952 §2.3). */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
  private static final int TRAILER_LENGTH = 8;
  private static final int MIN_CHUNK = 256;
  private static final int POOL_LIMIT = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  private final Pool<Deflater> deflaters =
      new Pool<>(() -> new Deflater(Deflater.DEFAULT_COMPRESSION, true), Deflater::reset,
          Deflater::end);
  private final Pool<Inflater> inflaters =
      new Pool<>(() -> new Inflater(true), Inflater::reset, Inflater::end);

  private GzipCodec() {}

  @Override
  public String encoding() {
    return "gzip";
  }

  @Override
  public void compress(ByteBuf src, ByteBuf dst) {
    Deflater deflater = deflaters.take();
    try {
      dst.writeBytes(HEADER);
      CRC32 crc = new CRC32();
      int length = src.readableBytes();
      if (length > 0) {
        for (ByteBuffer in : src.nioBuffers(src.readerIndex(), length)) {
          crc.update(in.duplicate());
          deflater.setInput(in);
          while (!deflater.needsInput()) {
            deflateInto(deflater, dst);
          }
        }
      }
      deflater.finish();
      while (!deflater.finished()) {
        deflateInto(deflater, dst);
      }
      dst.writeIntLE((int) crc.getValue());
      dst.writeIntLE(length);
    } finally {
      deflaters.give(deflater);
    }
  }

  private static void deflateInto(Deflater deflater, ByteBuf dst) {
    if (dst.writableBytes() < MIN_CHUNK) {
      dst.ensureWritable(Math.max(MIN_CHUNK, dst.capacity() >> 1));
    }
    ByteBuffer out = dst.nioBuffer(dst.writerIndex(), dst.writableBytes());
    int written = deflater.deflate(out, Deflater.NO_FLUSH);
    dst.writerIndex(dst.writerIndex() + written);
  }

  @Override
  public ByteBuf decompress(ByteBuf src, ByteBufAllocator alloc, int maxSize) throws IOException {
    ByteBuf in = src.duplicate();
    ByteBuf out = alloc.buffer(initialCapacity(in, maxSize), maxSize);
    Inflater inflater = inflaters.take();
    boolean ok = false;
    try {
      // A gzip stream may hold several members, one after another (RFC 1952 §2.2).
      do {
        readHeader(in);
        int start = out.writerIndex();
        inflateMember(inflater, in, out, maxSize);
        readTrailer(in, out, start);
        inflater.reset();
      } while (in.isReadable());
      ok = true;
      return out;
    } catch (IndexOutOfBoundsException e) {
      throw new EOFException("gzip data truncated");
    } catch (DataFormatException e) {
      throw new IOException("invalid deflate data: " + e.getMessage(), e);
    } finally {
      inflaters.give(inflater);
      if (!ok) {
        out.release();
      }
    }
  }

  /**
   * The output buffer's first size: the trailer's ISIZE when there is one (exact for the usual
   * single member), never above the limit. A lying ISIZE costs at most the limit, like any
   * message.
   */
  private static int initialCapacity(ByteBuf in, int maxSize) {
    if (in.readableBytes() < HEADER.length + TRAILER_LENGTH) {
      return Math.min(MIN_CHUNK, maxSize);
    }
    long isize = in.getUnsignedIntLE(in.writerIndex() - 4);
    return (int) Math.min(Math.max(isize, 1), maxSize);
  }

  private static void readHeader(ByteBuf in) throws IOException {
    int headerStart = in.readerIndex();
    if (in.readUnsignedByte() != 0x1f || in.readUnsignedByte() != 0x8b) {
      throw new IOException("not in gzip format");
    }
    if (in.readUnsignedByte() != 8) {
      throw new IOException("unsupported gzip compression method");
    }
    int flags = in.readUnsignedByte();
    if ((flags & RESERVED_FLAGS) != 0) {
      throw new IOException("reserved gzip flags set");
    }
    in.skipBytes(6); // MTIME, XFL, OS
    if ((flags & FEXTRA) != 0) {
      in.skipBytes(in.readUnsignedShortLE());
    }
    if ((flags & FNAME) != 0) {
      skipZeroTerminated(in);
    }
    if ((flags & FCOMMENT) != 0) {
      skipZeroTerminated(in);
    }
    if ((flags & FHCRC) != 0) {
      CRC32 crc = new CRC32();
      crc.update(in.nioBuffer(headerStart, in.readerIndex() - headerStart));
      if (in.readUnsignedShortLE() != (int) (crc.getValue() & 0xffff)) {
        throw new IOException("gzip header CRC mismatch");
      }
    }
  }

  private static void skipZeroTerminated(ByteBuf in) throws EOFException {
    int zero = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
    if (zero < 0) {
      throw new EOFException("gzip header truncated");
    }
    in.readerIndex(zero + 1);
  }

  /**
   * Inflates one member's deflate data into {@code out}, whose maximum capacity is the limit.
   * The output grows by doubling; once it is at the limit, one more byte is tried in a scratch
   * buffer: if the data has one, the message is too large and inflation stops there.
   */
  private static void inflateMember(Inflater inflater, ByteBuf in, ByteBuf out, int maxSize)
      throws DataFormatException, IOException {
    ByteBuffer[] inputs = in.nioBuffers(in.readerIndex(), in.readableBytes());
    int[] starts = new int[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      starts[i] = inputs[i].position();
    }
    int next = 0;
    ByteBuffer scratch = null;
    while (!inflater.finished()) {
      if (inflater.needsInput()) {
        while (next < inputs.length && !inputs[next].hasRemaining()) {
          next++;
        }
        if (next == inputs.length) {
          throw new EOFException("gzip data truncated");
        }
        inflater.setInput(inputs[next]);
      }
      int room = out.writableBytes();
      if (room == 0) {
        int maxGrowth = out.maxCapacity() - out.writerIndex();
        if (maxGrowth == 0) {
          if (scratch == null) {
            scratch = ByteBuffer.allocate(1);
          }
          scratch.clear();
          if (inflater.inflate(scratch) > 0) {
            throw tooLarge(maxSize);
          }
          if (inflater.needsDictionary()) {
            throw new IOException("gzip data needs a preset dictionary");
          }
          continue;
        }
        out.ensureWritable(Math.min(maxGrowth, Math.max(MIN_CHUNK, out.capacity())));
        room = out.writableBytes();
      }
      int produced = inflater.inflate(out.nioBuffer(out.writerIndex(), room));
      out.writerIndex(out.writerIndex() + produced);
      if (produced == 0 && inflater.needsDictionary()) {
        throw new IOException("gzip data needs a preset dictionary");
      }
    }
    int consumed = 0;
    for (int i = 0; i < inputs.length; i++) {
      consumed += inputs[i].position() - starts[i];
    }
    in.skipBytes(consumed);
  }

  private static void readTrailer(ByteBuf in, ByteBuf out, int memberStart) throws IOException {
    long expectedCrc = in.readUnsignedIntLE();
    long expectedSize = in.readUnsignedIntLE();
    int size = out.writerIndex() - memberStart;
    CRC32 crc = new CRC32();
    if (size > 0) {
      for (ByteBuffer b : out.nioBuffers(memberStart, size)) {
        crc.update(b);
      }
    }
    if (crc.getValue() != expectedCrc) {
      throw new IOException("gzip CRC mismatch");
    }
    if ((size & 0xffffffffL) != expectedSize) {
      throw new IOException("gzip ISIZE mismatch");
    }
  }

  private static RuntimeException tooLarge(int maxSize) {
    return Status.RESOURCE_EXHAUSTED.withDescription(String.format(Locale.ROOT,
        "Decompressed gRPC message exceeds maximum size %d", maxSize)).asRuntimeException();
  }

  /** A bounded pool of zlib objects, which hold native memory. Thread-safe. */
  private static final class Pool<T> {
    interface Factory<T> {
      T create();
    }

    interface Action<T> {
      void apply(T t);
    }

    private final Queue<T> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final Factory<T> factory;
    private final Action<T> reset;
    private final Action<T> end;

    Pool(Factory<T> factory, Action<T> reset, Action<T> end) {
      this.factory = factory;
      this.reset = reset;
      this.end = end;
    }

    T take() {
      T t = items.poll();
      if (t == null) {
        return factory.create();
      }
      size.decrementAndGet();
      return t;
    }

    void give(T t) {
      reset.apply(t);
      if (size.incrementAndGet() <= POOL_LIMIT) {
        items.add(t);
      } else {
        size.decrementAndGet();
        end.apply(t);
      }
    }
  }
}
