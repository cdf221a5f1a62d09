package dev.tern.netty.internal;

import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.ReadOnlyHttp2Headers;
import io.netty.util.AsciiString;

/**
 * What every connection of one server shares, built once per server rather than once per
 * connection: its settings, the method router (whose caches fill from any connection), the
 * gRPC-Web / Connect dispatcher with its CORS header lists, and the response headers of a call
 * that adds none. A burst of connections then pays only for what each must hold itself.
 *
 * <p>Thread-safe: immutable, and the router's caches are concurrent maps.
 */
record ServerShared(ServerSettings settings, WebSettings web, MethodRouter router,
    WebDispatcher webDispatcher, Http2Headers plainResponseHeaders) {

  static ServerShared of(ServerSettings settings, WebSettings web) {
    String accept = settings.codecs().acceptEncoding();
    Http2Headers plain = accept == null
        ? ReadOnlyHttp2Headers.serverHeaders(false, GrpcHeaders.STATUS_OK,
            GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC)
        : ReadOnlyHttp2Headers.serverHeaders(false, GrpcHeaders.STATUS_OK,
            GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC,
            GrpcHeaders.GRPC_ACCEPT_ENCODING, AsciiString.of(accept));
    return new ServerShared(settings, web, new MethodRouter(settings, web.jsonFormat()),
        new WebDispatcher(settings, web), plain);
  }
}
