package dev.tern.netty.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the details of a serialized {@code google.rpc.Status} (field 3, repeated
 * {@code google.protobuf.Any}: type_url = 1, value = 2) with a minimal protobuf wire-format reader,
 * so that the runtime needs no protobuf dependency. Malformed input yields no details. Stateless.
 */
final class RpcStatusReader {
  private static final int WIRE_VARINT = 0;
  private static final int WIRE_FIXED64 = 1;
  private static final int WIRE_LENGTH_DELIMITED = 2;
  private static final int WIRE_FIXED32 = 5;

  private RpcStatusReader() {}

  /** The details as {type_url bytes, value bytes} pairs; empty if none or malformed. */
  static List<byte[][]> details(byte[] status) {
    List<byte[][]> out = new ArrayList<>();
    try {
      Reader r = new Reader(status, 0, status.length);
      while (r.more()) {
        long tag = r.varint();
        if (tag >>> 3 == 3 && (tag & 7) == WIRE_LENGTH_DELIMITED) {
          int len = r.length();
          out.add(any(new Reader(status, r.pos, r.pos + len)));
          r.pos += len;
        } else {
          r.skip((int) (tag & 7));
        }
      }
      return out;
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }

  private static byte[][] any(Reader r) {
    byte[] type = new byte[0];
    byte[] value = new byte[0];
    while (r.more()) {
      long tag = r.varint();
      if ((tag & 7) == WIRE_LENGTH_DELIMITED && (tag >>> 3 == 1 || tag >>> 3 == 2)) {
        int len = r.length();
        byte[] bytes = Arrays.copyOfRange(r.buf, r.pos, r.pos + len);
        r.pos += len;
        if (tag >>> 3 == 1) {
          type = bytes;
        } else {
          value = bytes;
        }
      } else {
        r.skip((int) (tag & 7));
      }
    }
    return new byte[][] {type, value};
  }

  private static final class Reader {
    final byte[] buf;
    int pos;
    final int end;

    Reader(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    boolean more() {
      return pos < end;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new IllegalArgumentException("truncated varint");
        }
        byte b = buf[pos++];
        v |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("malformed varint");
    }

    int length() {
      long len = varint();
      if (len < 0 || len > end - pos) {
        throw new IllegalArgumentException("bad length");
      }
      return (int) len;
    }

    void skip(int wireType) {
      switch (wireType) {
        case WIRE_VARINT -> varint();
        case WIRE_FIXED64 -> advance(8);
        case WIRE_LENGTH_DELIMITED -> advance(length());
        case WIRE_FIXED32 -> advance(4);
        default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
      }
    }

    private void advance(int n) {
      if (n > end - pos) {
        throw new IllegalArgumentException("truncated field");
      }
      pos += n;
    }
  }
}
