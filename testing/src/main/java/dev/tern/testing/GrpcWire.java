package dev.tern.testing;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * gRPC's HTTP/2 mapping (grpc PROTOCOL-HTTP2.md) written out by hand for raw-frame tests:
 * request and response header blocks and length-prefixed messages. Stateless.
 */
public final class GrpcWire {
  private GrpcWire() {}

  /** The headers of a gRPC request: POST, http, {@code path}, content-type, te. */
  public static Http2Headers requestHeaders(String path) {
    return new DefaultHttp2Headers(false)
        .method("POST")
        .scheme("http")
        .path(path)
        .authority("localhost")
        .set("content-type", "application/grpc")
        .set("te", "trailers");
  }

  /** The headers that start a gRPC response: {@code :status 200}, content-type. */
  public static Http2Headers responseHeaders() {
    return new DefaultHttp2Headers(false)
        .status("200")
        .set("content-type", "application/grpc");
  }

  /** Trailers: {@code grpc-status} and, unless null, {@code grpc-message} exactly as given. */
  public static Http2Headers trailers(int code, String rawMessage) {
    Http2Headers h = new DefaultHttp2Headers(false).set("grpc-status", Integer.toString(code));
    if (rawMessage != null) {
      h.set("grpc-message", rawMessage);
    }
    return h;
  }

  /** A Trailers-Only response: response headers and trailers in one block. */
  public static Http2Headers trailersOnly(int code, String rawMessage) {
    Http2Headers h = responseHeaders();
    h.add(trailers(code, rawMessage));
    return h;
  }

  /** {@code message} with its 5-byte prefix: compressed flag 0, big-endian length. */
  public static byte[] lengthPrefixed(byte[] message) {
    return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length)
        .put(message).array();
  }

  /** {@code text} in UTF-8 as one uncompressed length-prefixed message. */
  public static byte[] lengthPrefixed(String text) {
    return lengthPrefixed(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Just a prefix declaring {@code length} bytes (to test limits without sending them). */
  public static byte[] prefix(boolean compressed, long length) {
    return ByteBuffer.allocate(5).put((byte) (compressed ? 1 : 0)).putInt((int) length).array();
  }

  /**
   * Splits the concatenated DATA of a stream into its messages.
   *
   * @throws IllegalArgumentException if the bytes do not end on a message boundary
   */
  public static List<byte[]> messages(byte[] data) {
    List<byte[]> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(data);
    while (b.hasRemaining()) {
      if (b.remaining() < 5) {
        throw new IllegalArgumentException("partial message prefix: " + b.remaining() + " bytes");
      }
      b.get();
      int length = b.getInt();
      if (b.remaining() < length) {
        throw new IllegalArgumentException("partial message: " + b.remaining() + " of " + length);
      }
      byte[] m = new byte[length];
      b.get(m);
      out.add(m);
    }
    return out;
  }

  /** Concatenates byte arrays (e.g. the payloads of consecutive DATA frames). */
  public static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
