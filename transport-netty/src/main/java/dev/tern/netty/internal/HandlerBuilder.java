package dev.tern.netty.internal;

import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Netty's handler builder as both sides use it: on a connection they configured themselves
 * (flow controllers, stream distributor), announcing their first SETTINGS. Netty keeps these
 * steps protected; this is the one place that opens them. Not thread-safe; one use.
 */
abstract class HandlerBuilder<T extends Http2ConnectionHandler, B extends HandlerBuilder<T, B>>
    extends AbstractHttp2ConnectionHandlerBuilder<T, B> {

  /** Builds the handler on {@code connection}, announcing {@code initial}. */
  final T build(Http2Connection connection, Http2Settings initial) {
    return connection(connection).initialSettings(initial).build();
  }
}
