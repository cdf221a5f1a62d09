package dev.tern.conformance;

import dev.tern.CodecRegistry;
import dev.tern.conformance.StreamingContractTest.ClientConfig;

/** Builds the streaming contract's servers and clients for each implementation. */
final class Peers {
  private Peers() {}

  static int ternServer(TernPeer tern, Gates gates, int window) throws Exception {
    return tern.startServer(b -> {
      b.addService(StreamingContract.tern(gates))
          .maxInboundMessageSize(StreamingContractTest.MAX_INBOUND)
          .maxConcurrentStreams(2000);
      if (window > 0) {
        b.flowControlWindow(window);
      }
    }).port();
  }

  static int grpcServer(GrpcJavaPeer grpc, Gates gates, int window) throws Exception {
    return grpc.startServer(b -> {
      b.addService(StreamingContract.grpc(gates))
          .maxInboundMessageSize(StreamingContractTest.MAX_INBOUND);
      if (window > 0) {
        b.flowControlWindow(window);
      }
    }).getPort();
  }

  static StreamingClient ternClient(TernPeer tern, int port, ClientConfig config) {
    return StreamingClient.tern(tern.newChannel(port, b -> {
      b.maxInboundMessageSize(StreamingContractTest.MAX_INBOUND);
      if (config.window > 0) {
        b.flowControlWindow(config.window);
      }
      CodecRegistry codecs = config.acceptGzip ? CodecRegistry.getDefault() : CodecRegistry.empty();
      if (config.snappy) {
        codecs = codecs.with(SnappyStandIn.tern());
      }
      b.codecRegistry(codecs);
    }));
  }

  static StreamingClient grpcClient(GrpcJavaPeer grpc, int port, ClientConfig config) {
    return StreamingClient.grpc(grpc.newChannel(port, b -> {
      b.maxInboundMessageSize(StreamingContractTest.MAX_INBOUND);
      if (config.window > 0) {
        b.flowControlWindow(config.window);
      }
      if (!config.acceptGzip) {
        // grpc-java needs identity registered to read anything at all; not advertised.
        b.decompressorRegistry(io.grpc.DecompressorRegistry.emptyInstance()
            .with(io.grpc.Codec.Identity.NONE, false));
      }
      if (config.snappy) {
        io.grpc.CompressorRegistry compressors = io.grpc.CompressorRegistry.newEmptyInstance();
        compressors.register(new io.grpc.Codec.Gzip());
        compressors.register(SnappyStandIn.grpc());
        b.compressorRegistry(compressors);
      }
    }));
  }
}
