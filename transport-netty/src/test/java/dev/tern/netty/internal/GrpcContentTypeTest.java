package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

/**
 * Which request content-types are gRPC's (PROTOCOL-HTTP2.md "Content-Type"): the exact value
 * clients send is recognised by a byte comparison, every other spelling by the case-blind match.
 */
class GrpcContentTypeTest {
  @Test
  void exactGrpcContentTypeAsDecodedIsGrpc() {
    assertTrue(GrpcHeaders.isGrpcContentType(new AsciiString("application/grpc")));
  }

  @Test
  void exactGrpcContentTypeAsStringIsGrpc() {
    assertTrue(GrpcHeaders.isGrpcContentType("application/grpc"));
  }

  @Test
  void grpcContentTypeInOtherCaseIsGrpc() {
    assertTrue(GrpcHeaders.isGrpcContentType(new AsciiString("Application/GRPC")));
  }

  @Test
  void grpcContentTypeWithSuffixOrParametersIsGrpc() {
    assertTrue(GrpcHeaders.isGrpcContentType(new AsciiString("application/grpc+proto")));
    assertTrue(GrpcHeaders.isGrpcContentType(new AsciiString("application/grpc;charset=utf-8")));
  }

  @Test
  void otherContentTypesAreNotGrpc() {
    assertFalse(GrpcHeaders.isGrpcContentType(null));
    assertFalse(GrpcHeaders.isGrpcContentType(new AsciiString("application/grpcx")));
    assertFalse(GrpcHeaders.isGrpcContentType(new AsciiString("application/grp")));
    assertFalse(GrpcHeaders.isGrpcContentType(new AsciiString("application/json")));
  }
}
