package dev.tern.netty.internal;

import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Base64;

/**
 * Base64 for gRPC-Web text mode (PROTOCOL-WEB.md "application/grpc-web-text"): a request body
 * arrives in arbitrary pieces and may be the concatenation of separately padded chunks, so it is
 * decoded in 4-character quanta, each allowed its own padding. Stateless apart from
 * {@link Decoder}.
 */
final class Base64Text {
  private static final int[] VALUES = new int[128];

  static {
    java.util.Arrays.fill(VALUES, -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      VALUES[alphabet.charAt(i)] = i;
    }
  }

  private Base64Text() {}

  /** Encodes {@code frame} (released) as one padded base64 chunk. */
  static ByteBuf encode(ByteBuf frame) {
    try {
      byte[] in = new byte[frame.readableBytes()];
      frame.readBytes(in);
      return Unpooled.wrappedBuffer(Base64.getEncoder().encode(in));
    } finally {
      frame.release();
    }
  }

  /** Decodes a base64 request body piece by piece. Event loop only. */
  static final class Decoder {
    /** Up to 3 characters of an unfinished quantum. */
    private final byte[] pending = new byte[4];
    private int pendingLength;

    /**
     * Decodes {@code in} (released); characters of an unfinished quantum wait for the next piece.
     *
     * @throws dev.tern.StatusRuntimeException INTERNAL for a character outside the alphabet or
     *     misplaced padding
     */
    ByteBuf decode(ByteBuf in) {
      try {
        ByteBuf out = ByteBufAllocator.DEFAULT.heapBuffer(in.readableBytes() * 3 / 4 + 3);
        try {
          while (in.isReadable()) {
            byte c = in.readByte();
            if (c == '\r' || c == '\n') {
              continue;
            }
            pending[pendingLength++] = c;
            if (pendingLength == 4) {
              quantum(out);
              pendingLength = 0;
            }
          }
          return out;
        } catch (RuntimeException e) {
          out.release();
          throw e;
        }
      } finally {
        in.release();
      }
    }

    /** The body ended: an unfinished quantum is malformed. */
    void end() {
      if (pendingLength != 0) {
        throw bad("the body's length is not a multiple of 4");
      }
    }

    void release() {
      pendingLength = 0;
    }

    private void quantum(ByteBuf out) {
      int padding = pending[3] == '=' ? (pending[2] == '=' ? 2 : 1) : 0;
      int bits = 0;
      for (int i = 0; i < 4 - padding; i++) {
        int v = pending[i] < 0 ? -1 : VALUES[pending[i]];
        if (v < 0) {
          throw bad("invalid character 0x" + Integer.toHexString(pending[i] & 0xff));
        }
        bits = bits << 6 | v;
      }
      bits <<= 6 * padding;
      out.writeByte(bits >> 16);
      if (padding < 2) {
        out.writeByte(bits >> 8);
      }
      if (padding < 1) {
        out.writeByte(bits);
      }
    }

    private static RuntimeException bad(String why) {
      return Status.INTERNAL.withDescription("Malformed grpc-web-text body: invalid base64 ("
          + why + ")").asRuntimeException();
    }
  }
}
