/** JUnit 5 extensions that start Tern servers and channels for tests. */
module dev.tern.junit {
  requires transitive dev.tern.core;
  requires transitive org.junit.jupiter.api;
  requires dev.tern.inprocess;
  requires dev.tern.netty;
  requires dev.tern.testing;

  exports dev.tern.junit;
}
