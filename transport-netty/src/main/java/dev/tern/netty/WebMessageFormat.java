package dev.tern.netty;

import dev.tern.Marshaller;
import java.util.ServiceLoader;

/**
 * A message format other than the binary protobuf encoding, for the {@code +json} content-types
 * of gRPC-Web and Connect (and {@code application/json}): the service provider interface the
 * optional module tern-json implements (proto3 JSON mapping), found through
 * {@link ServiceLoader}. The runtime modules have none of their own.
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

  /**
   * The {@code json} format registered under {@code META-INF/services}, or null if none is on
   * the class path.
   */
  static WebMessageFormat loadJson() {
    for (WebMessageFormat format : ServiceLoader.load(WebMessageFormat.class,
        WebMessageFormat.class.getClassLoader())) {
      if ("json".equals(format.subtype())) {
        return format;
      }
    }
    return null;
  }
}
