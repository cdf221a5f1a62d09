/** Health checking, server reflection and ORCA load reports. */
module dev.tern.services {
  requires transitive dev.tern.protobuf;

  exports dev.tern.services;
  exports dev.tern.services.health.v1;
  exports dev.tern.services.orca.v3;
  exports dev.tern.services.reflection.v1;
  exports dev.tern.services.reflection.v1alpha;
}
