/** The JSON message format for gRPC-Web and Connect-style clients. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.tern.json {
  requires transitive dev.tern.netty;
  requires transitive dev.tern.protobuf;
  requires com.google.protobuf.util;

  exports dev.tern.json;

  provides dev.tern.netty.WebMessageFormat with dev.tern.json.JsonMessageFormat;
}
