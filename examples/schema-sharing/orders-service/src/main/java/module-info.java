/** The orders service: generated from orders-schema's .proto files, as a named module. */
module dev.tern.examples.orders.service {
  // Transitive: the exported generated stubs and messages expose Tern and protobuf types.
  requires transitive dev.tern.core;
  requires transitive dev.tern.netty;
  requires transitive dev.tern.protobuf;

  exports dev.tern.examples.orders.service;
  // The code generated in this module; protobuf-java reads the messages reflectively.
  exports dev.tern.examples.orders.v1;
}
