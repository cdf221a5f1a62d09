/** Protocol Buffers marshalling and rich error details for Tern. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.tern.protobuf {
  requires transitive dev.tern.core;
  // protobuf-java is an automatic module (Automatic-Module-Name: com.google.protobuf).
  requires transitive com.google.protobuf;
  requires transitive proto.google.common.protos;

  exports dev.tern.protobuf;
}
