package dev.tern.netty.internal;

import dev.tern.Marshaller;
import io.netty.buffer.ByteBuf;
import java.util.ServiceLoader;

/**
 * A message format other than the binary protobuf encoding, for the {@code +json} content-types
 * of gRPC-Web and Connect (and {@code application/json}). The optional module tern-json provides
 * one (proto3 JSON mapping) through {@link ServiceLoader}; the runtime has none of its own.
 *
 * <p>Implementations are thread-safe and stateless.
 */
public interface WebMessageFormat {
  /** The content-type subtype it serves, e.g. {@code "json"}. */
  String subtype();

  /**
   * A marshaller reading and writing this format for messages that {@code binary} (the method's
   * own marshaller) handles, or null if this format cannot handle them (e.g. not protobuf).
   */
  <T> Marshaller<T> marshaller(Marshaller<T> binary);

  /** The format registered under {@code META-INF/services}, or null if none is on the path. */
  static WebMessageFormat loadJson() {
    for (WebMessageFormat format : ServiceLoader.load(WebMessageFormat.class,
        WebMessageFormat.class.getClassLoader())) {
      if ("json".equals(format.subtype())) {
        return format;
      }
    }
    return null;
  }

  /** Reads all of {@code in} into a byte array without consuming it. */
  static byte[] bytes(ByteBuf in) {
    byte[] out = new byte[in.readableBytes()];
    in.getBytes(in.readerIndex(), out);
    return out;
  }
}
