package dev.tern.conformance;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An encoding named {@code snappy} that copies bytes unchanged: stands for an encoding the
 * client has and the server lacks, for both implementations.
 */
final class SnappyStandIn {
  static final String NAME = "snappy";

  private SnappyStandIn() {}

  static dev.tern.Codec tern() {
    return new dev.tern.Codec() {
      @Override
      public String encoding() {
        return NAME;
      }

      @Override
      public void compress(ByteBuf src, ByteBuf dst) {
        dst.writeBytes(src, src.readerIndex(), src.readableBytes());
      }

      @Override
      public ByteBuf decompress(ByteBuf src, ByteBufAllocator alloc, int maxSize) {
        return src.retainedDuplicate();
      }
    };
  }

  static io.grpc.Codec grpc() {
    return new io.grpc.Codec() {
      @Override
      public String getMessageEncoding() {
        return NAME;
      }

      @Override
      public OutputStream compress(OutputStream os) {
        return os;
      }

      @Override
      public InputStream decompress(InputStream is) {
        return is;
      }
    };
  }
}
