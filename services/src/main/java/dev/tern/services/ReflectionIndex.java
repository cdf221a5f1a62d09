package dev.tern.services;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.tern.ServerServiceDefinition;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What server reflection can answer about one set of services: their names, every file they
 * need (dependencies included, transitively), every symbol those files define, and every
 * extension by the type it extends. Built once per set of services from the protobuf
 * descriptors tern-codegen records as each service's schema descriptor. Immutable and
 * thread-safe.
 */
final class ReflectionIndex {
  private final List<String> serviceNames;
  private final Map<String, FileDescriptor> filesByName = new HashMap<>();
  private final Map<String, FileDescriptor> filesBySymbol = new HashMap<>();
  private final Set<String> messageTypes = new HashSet<>();
  /** Extended message's full name, then extension number. */
  private final Map<String, Map<Integer, FileDescriptor>> extensions = new HashMap<>();

  ReflectionIndex(Collection<ServerServiceDefinition> services) {
    TreeSet<String> names = new TreeSet<>();
    Deque<FileDescriptor> queue = new ArrayDeque<>();
    for (ServerServiceDefinition s : services) {
      Object schema = s.getServiceDescriptor().getSchemaDescriptor();
      if (schema instanceof ServiceDescriptor sd) {
        // Services without a protobuf schema cannot be described, so they are not listed.
        names.add(sd.getFullName());
        queue.add(sd.getFile());
      }
    }
    this.serviceNames = List.copyOf(names);
    while (!queue.isEmpty()) {
      FileDescriptor f = queue.poll();
      if (filesByName.putIfAbsent(f.getName(), f) != null) {
        continue;
      }
      indexFile(f);
      queue.addAll(f.getDependencies());
    }
  }

  private void indexFile(FileDescriptor f) {
    for (ServiceDescriptor s : f.getServices()) {
      filesBySymbol.putIfAbsent(s.getFullName(), f);
      for (MethodDescriptor m : s.getMethods()) {
        filesBySymbol.putIfAbsent(m.getFullName(), f);
      }
    }
    for (Descriptor d : f.getMessageTypes()) {
      indexMessage(d, f);
    }
    for (EnumDescriptor e : f.getEnumTypes()) {
      filesBySymbol.putIfAbsent(e.getFullName(), f);
    }
    for (FieldDescriptor x : f.getExtensions()) {
      indexExtension(x, f);
    }
  }

  private void indexMessage(Descriptor d, FileDescriptor f) {
    filesBySymbol.putIfAbsent(d.getFullName(), f);
    messageTypes.add(d.getFullName());
    for (Descriptor nested : d.getNestedTypes()) {
      indexMessage(nested, f);
    }
    for (EnumDescriptor e : d.getEnumTypes()) {
      filesBySymbol.putIfAbsent(e.getFullName(), f);
    }
    for (FieldDescriptor x : d.getExtensions()) {
      indexExtension(x, f);
    }
  }

  private void indexExtension(FieldDescriptor x, FileDescriptor f) {
    filesBySymbol.putIfAbsent(x.getFullName(), f);
    extensions.computeIfAbsent(x.getContainingType().getFullName(), k -> new TreeMap<>())
        .putIfAbsent(x.getNumber(), f);
  }

  /** Full names of the services with a protobuf schema, sorted. */
  List<String> serviceNames() {
    return serviceNames;
  }

  /** The file with this name, or null. */
  FileDescriptor fileByName(String name) {
    return filesByName.get(name);
  }

  /** The file defining this fully-qualified symbol, or null. */
  FileDescriptor fileBySymbol(String symbol) {
    return filesBySymbol.get(symbol);
  }

  /** The file declaring extension {@code number} of {@code type}, or null. */
  FileDescriptor fileByExtension(String type, int number) {
    Map<Integer, FileDescriptor> byNumber = extensions.get(type);
    return byNumber == null ? null : byNumber.get(number);
  }

  /** The extension numbers of a known message type, sorted; null if the type is unknown. */
  List<Integer> extensionNumbers(String type) {
    if (!messageTypes.contains(type)) {
      return null;
    }
    Map<Integer, FileDescriptor> byNumber = extensions.get(type);
    return byNumber == null ? List.of() : List.copyOf(byNumber.keySet());
  }
}
