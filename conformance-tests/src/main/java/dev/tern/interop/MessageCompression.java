package dev.tern.interop;

import dev.tern.Codec;
import dev.tern.CodecRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/**
 * Whether a received message was compressed: for the server's CompressedRequest feature
 * ({@code expect_compressed}) and the client's checks in server_compressed_*. Tern's API, like grpc-java's, does not show a message's compressed
 * flag to handlers; but a message is decompressed only when the flag is set, on the thread that
 * then hands it to the call's listener. So the gzip codec notes each decompression on
 * that thread, and the listener takes the note for the message it is given.
 *
 * <p>Thread-safe: the note is per thread, and set and taken on the one that delivers the message.
 */
final class MessageCompression {
  private static final ThreadLocal<Boolean> DECOMPRESSED = new ThreadLocal<>();

  private MessageCompression() {}

  /** gzip that notes each decompression, for a server's or channel's {@code codecRegistry}. */
  static CodecRegistry recordingRegistry() {
    Codec gzip = Codec.gzip();
    return CodecRegistry.empty().with(new Codec() {
      @Override
      public String encoding() {
        return gzip.encoding();
      }

      @Override
      public void compress(ByteBuf src, ByteBuf dst) throws IOException {
        gzip.compress(src, dst);
      }

      @Override
      public ByteBuf decompress(ByteBuf src, ByteBufAllocator alloc, int maxSize)
          throws IOException {
        DECOMPRESSED.set(Boolean.TRUE);
        return gzip.decompress(src, alloc, maxSize);
      }
    });
  }

  /**
   * Whether the message now being delivered to a listener on this thread arrived compressed;
   * clears the note so the next message starts afresh.
   */
  static boolean takeWasCompressed() {
    boolean compressed = DECOMPRESSED.get() != null;
    DECOMPRESSED.remove();
    return compressed;
  }
}
