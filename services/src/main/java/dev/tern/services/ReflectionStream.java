package dev.tern.services;

import com.google.protobuf.Descriptors.FileDescriptor;
import dev.tern.Status;
import dev.tern.services.reflection.v1.ErrorResponse;
import dev.tern.services.reflection.v1.ExtensionNumberResponse;
import dev.tern.services.reflection.v1.ExtensionRequest;
import dev.tern.services.reflection.v1.FileDescriptorResponse;
import dev.tern.services.reflection.v1.ListServiceResponse;
import dev.tern.services.reflection.v1.ServerReflectionRequest;
import dev.tern.services.reflection.v1.ServerReflectionResponse;
import dev.tern.services.reflection.v1.ServiceResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Answers the requests of one {@code ServerReflectionInfo} stream (grpc
 * doc/server-reflection.md), one response per request. A file's dependencies go with it, each
 * file once per stream, so a client can build the whole schema from what it received; the file
 * asked for is always sent. Not thread-safe: used by one stream's request observer, which the
 * server calls serially.
 */
final class ReflectionStream {
  private final ReflectionIndex index;
  private final Set<String> sentFiles = new HashSet<>();

  ReflectionStream(ReflectionIndex index) {
    this.index = index;
  }

  ServerReflectionResponse answer(ServerReflectionRequest request) {
    ServerReflectionResponse.Builder response = ServerReflectionResponse.newBuilder()
        .setValidHost(request.getHost())
        .setOriginalRequest(request);
    switch (request.getMessageRequestCase()) {
      case LIST_SERVICES -> {
        ListServiceResponse.Builder list = ListServiceResponse.newBuilder();
        for (String name : index.serviceNames()) {
          list.addService(ServiceResponse.newBuilder().setName(name));
        }
        response.setListServicesResponse(list);
      }
      case FILE_BY_FILENAME -> files(response, index.fileByName(request.getFileByFilename()),
          "file " + request.getFileByFilename());
      case FILE_CONTAINING_SYMBOL -> files(response,
          index.fileBySymbol(request.getFileContainingSymbol()),
          "symbol " + request.getFileContainingSymbol());
      case FILE_CONTAINING_EXTENSION -> {
        ExtensionRequest x = request.getFileContainingExtension();
        files(response, index.fileByExtension(x.getContainingType(), x.getExtensionNumber()),
            "extension " + x.getExtensionNumber() + " of " + x.getContainingType());
      }
      case ALL_EXTENSION_NUMBERS_OF_TYPE -> {
        String type = request.getAllExtensionNumbersOfType();
        List<Integer> numbers = index.extensionNumbers(type);
        if (numbers == null) {
          error(response, Status.Code.NOT_FOUND, "message type " + type + " not found");
        } else {
          response.setAllExtensionNumbersResponse(ExtensionNumberResponse.newBuilder()
              .setBaseTypeName(type).addAllExtensionNumber(numbers));
        }
      }
      default -> error(response, Status.Code.UNIMPLEMENTED,
          "request " + request.getMessageRequestCase() + " is not supported");
    }
    return response.build();
  }

  /** The file and, breadth first, those of its dependencies not yet sent on this stream. */
  private void files(ServerReflectionResponse.Builder response, FileDescriptor file, String what) {
    if (file == null) {
      error(response, Status.Code.NOT_FOUND, what + " not found");
      return;
    }
    FileDescriptorResponse.Builder files = FileDescriptorResponse.newBuilder();
    files.addFileDescriptorProto(file.toProto().toByteString());
    sentFiles.add(file.getName());
    Deque<FileDescriptor> queue = new ArrayDeque<>(file.getDependencies());
    while (!queue.isEmpty()) {
      FileDescriptor dep = queue.poll();
      if (sentFiles.add(dep.getName())) {
        files.addFileDescriptorProto(dep.toProto().toByteString());
        queue.addAll(dep.getDependencies());
      }
    }
    response.setFileDescriptorResponse(files);
  }

  private static void error(ServerReflectionResponse.Builder response, Status.Code code,
      String message) {
    response.setErrorResponse(ErrorResponse.newBuilder()
        .setErrorCode(code.value()).setErrorMessage(message));
  }
}
