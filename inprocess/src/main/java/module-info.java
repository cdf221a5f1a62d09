/** The in-process transport: channel and server in one JVM, no sockets. */
module dev.tern.inprocess {
  requires transitive dev.tern.core;

  exports dev.tern.inprocess;
}
