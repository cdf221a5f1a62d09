/** The Greeter example, generated stubs included, as a named module. */
module dev.tern.examples {
  // Transitive: the exported generated messages and stubs expose Tern and protobuf types.
  requires transitive dev.tern.core;
  requires transitive dev.tern.netty;
  requires transitive dev.tern.protobuf;

  // Exported so protobuf-java (reflective toString/equals) and readers can use the messages.
  exports dev.tern.examples;
}
