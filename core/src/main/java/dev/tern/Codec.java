package dev.tern;

import dev.tern.internal.GzipCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/**
 * A message encoding (PROTOCOL-HTTP2.md "Message-Encoding"): compresses the messages of a call
 * whose {@code grpc-encoding} names it and decompresses received ones. {@code identity} is not a
 * codec: it is the absence of one, and costs nothing.
 *
 * <p>Implementations are stateless from the caller's point of view and thread-safe.
 *
 * <p>Codecs speak Netty's {@link ByteBuf}, like {@link Marshaller}, so that compressed messages
 * go from the received DATA frames to the decompressor and from the compressor to the wire in
 * pooled buffers, with no {@code byte[]} round trip and the size limit enforced while inflating.
 * The price is a Netty type in this API: a codec follows {@code ByteBuf} reference counting (it
 * neither keeps nor releases {@code src}) and moves with Netty's buffer API. The decision is
 * explained in {@code docs/architecture.md} ("Messages are Netty ByteBufs").
 */
public interface Codec {
  /** The {@code gzip} codec (RFC 1952), as every gRPC implementation offers it. */
  static Codec gzip() {
    return GzipCodec.INSTANCE;
  }

  /** The name in {@code grpc-encoding} and {@code grpc-accept-encoding}, e.g. {@code gzip}. */
  String encoding();

  /**
   * Appends the compressed form of the readable bytes of {@code src} to {@code dst}, growing it
   * as needed. Leaves {@code src} unchanged.
   */
  void compress(ByteBuf src, ByteBuf dst) throws IOException;

  /**
   * Decompresses the readable bytes of {@code src} into a new buffer from {@code alloc}, which
   * the caller releases. Must produce at most {@code maxSize} bytes and hold no more than that
   * in memory: the limit is enforced while decompressing, never after, so that a small message
   * that inflates hugely (a compression bomb) costs at most {@code maxSize}.
   *
   * @throws StatusRuntimeException RESOURCE_EXHAUSTED if the output would exceed {@code maxSize}
   * @throws IOException if {@code src} is not valid in this encoding
   */
  ByteBuf decompress(ByteBuf src, ByteBufAllocator alloc, int maxSize) throws IOException;
}
