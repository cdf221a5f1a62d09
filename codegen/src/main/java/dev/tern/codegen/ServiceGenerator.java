package dev.tern.codegen;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileOptions.OptimizeMode;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes the Java source of one service's {@code <Service>Tern} class. Not thread-safe; one
 * instance per service.
 */
final class ServiceGenerator {
  /** Suffix of the generated class: service {@code Greeter} gives {@code GreeterTern}. */
  static final String CLASS_SUFFIX = "Tern";

  /** The private static method returning the protobuf service descriptor. */
  private static final String SCHEMA_METHOD = "protoDescriptor";

  /** Lines longer than this are wrapped. */
  private static final int WIDTH = 100;

  /** Simple names of the Tern and JDK types the generated code may import. */
  private static final Set<String> IMPORTABLE = Set.of("AbstractStub", "CallOptions", "Channel",
      "ClientCalls", "CloseableIterator", "MethodDescriptor", "ServerCalls",
      "ServerServiceDefinition", "ServiceDescriptor", "StreamObserver", "ProtoMarshaller",
      "CompletableFuture", "BlockingClientCall", "BlockingServerCalls", "MessageSink",
      "MessageSource", "StatusException");

  // Field numbers in descriptor.proto, for SourceCodeInfo paths.
  private static final int FILE_SERVICE = 6;
  private static final int SERVICE_METHOD = 2;

  private final FileDescriptorProto file;
  private final ServiceDescriptorProto service;
  private final int serviceIndex;
  private final JavaNames names;

  private final String javaPackage;
  private final String className;
  private final String fullServiceName;
  private final List<Method> methods = new ArrayList<>();
  private final Set<String> imports = new TreeSet<>();
  private final Set<String> reservedSimpleNames = new HashSet<>();
  private final Map<String, String> locationComments = new HashMap<>();
  /** How the code names the file's outer class (protoc's Java output), if it has a schema. */
  private String outerClassRef;

  private final StringBuilder out = new StringBuilder(16 * 1024);
  private int indent;

  /** One RPC method and the Java names chosen for it. */
  private static final class Method {
    MethodDescriptorProto proto;
    int index;
    String javaName;
    String getter;
    String constant;
    String requestType;
    String responseType;
    boolean clientStreaming;
    boolean serverStreaming;
    boolean deprecated;

    String methodType() {
      if (clientStreaming) {
        return serverStreaming ? "BIDI_STREAMING" : "CLIENT_STREAMING";
      }
      return serverStreaming ? "SERVER_STREAMING" : "UNARY";
    }
  }

  ServiceGenerator(FileDescriptorProto file, int serviceIndex, JavaNames names) {
    this.file = file;
    this.service = file.getService(serviceIndex);
    this.serviceIndex = serviceIndex;
    this.names = names;
    this.javaPackage = JavaNames.javaPackage(file);
    this.className = service.getName() + CLASS_SUFFIX;
    this.fullServiceName = file.getPackage().isEmpty()
        ? service.getName()
        : file.getPackage() + "." + service.getName();
    for (SourceCodeInfo.Location loc : file.getSourceCodeInfo().getLocationList()) {
      if (loc.hasLeadingComments()) {
        locationComments.put(loc.getPathList().toString(), loc.getLeadingComments());
      }
    }
    String qualified = JavaNames.qualify(javaPackage, className);
    if (names.isTopLevelClass(qualified)) {
      throw new GeneratorException(file.getName() + ": service " + service.getName()
          + " would generate class " + qualified + ", which protoc's Java output already"
          + " defines; rename the service or the clashing type");
    }
    planMethods();
  }

  /** The path of the generated file inside the output directory. */
  String fileName() {
    String dir = javaPackage.isEmpty() ? "" : javaPackage.replace('.', '/') + "/";
    return dir + className + ".java";
  }

  String generate() {
    reservedSimpleNames.add(className);
    reservedSimpleNames.add("AsyncService");
    reservedSimpleNames.add("BlockingService");
    reservedSimpleNames.add(implBaseName());
    reservedSimpleNames.add(stubName());
    reservedSimpleNames.add(blockingStubName());
    reservedSimpleNames.add(futureStubName());
    Set<String> nestedNames = new HashSet<>(reservedSimpleNames);
    if (hasSchema()) {
      outerClassRef = classRef(JavaNames.outerClassName(file), nestedNames);
      reservedSimpleNames.add(firstSegment(outerClassRef));
    }
    for (Method m : methods) {
      m.requestType = messageRef(m.proto.getInputType(), nestedNames);
      m.responseType = messageRef(m.proto.getOutputType(), nestedNames);
      // A message referred to by a simple name keeps that name from being imported.
      reservedSimpleNames.add(firstSegment(m.requestType));
      reservedSimpleNames.add(firstSegment(m.responseType));
    }

    writeClass();
    String body = out.toString();

    StringBuilder header = new StringBuilder();
    header.append("// Generated by tern-codegen from ").append(file.getName())
        .append(". Do not edit.\n");
    if (!javaPackage.isEmpty()) {
      header.append("package ").append(javaPackage).append(";\n\n");
    }
    for (String imp : imports) {
      header.append("import ").append(imp).append(";\n");
    }
    if (!imports.isEmpty()) {
      header.append('\n');
    }
    return header + body;
  }

  /**
   * How the generated class names a message: relative to its package when it is in the same one
   * and the name cannot be shadowed (by a nested class here or an import), else fully qualified.
   */
  private String messageRef(String protoType, Set<String> nestedNames) {
    String qualified = names.messageClass(protoType);
    String pkg = names.messagePackage(protoType);
    if (pkg.equals(javaPackage)) {
      String relative = pkg.isEmpty() ? qualified : qualified.substring(pkg.length() + 1);
      String first = firstSegment(relative);
      if (!IMPORTABLE.contains(first) && !nestedNames.contains(first)) {
        return relative;
      }
    }
    return qualified;
  }

  /**
   * How the generated class names a class of its own package: by simple name unless a nested
   * class here or an import could shadow it.
   */
  private String classRef(String simpleName, Set<String> nestedNames) {
    if (javaPackage.isEmpty()
        || (!IMPORTABLE.contains(simpleName) && !nestedNames.contains(simpleName))) {
      return simpleName;
    }
    return JavaNames.qualify(javaPackage, simpleName);
  }

  /**
   * Whether the descriptors carry protobuf's {@code Descriptors} objects as schema (for server
   * reflection). Lite-runtime classes have no descriptors.
   */
  private boolean hasSchema() {
    return file.getOptions().getOptimizeFor() != OptimizeMode.LITE_RUNTIME;
  }

  private static String firstSegment(String qualifiedName) {
    int dot = qualifiedName.indexOf('.');
    return dot < 0 ? qualifiedName : qualifiedName.substring(0, dot);
  }

  private String implBaseName() {
    return service.getName() + "ImplBase";
  }

  private String stubName() {
    return service.getName() + "Stub";
  }

  private String blockingStubName() {
    return service.getName() + "BlockingStub";
  }

  private String futureStubName() {
    return service.getName() + "FutureStub";
  }

  private void planMethods() {
    Set<String> javaNames = new HashSet<>();
    Set<String> getters = new HashSet<>();
    Set<String> constants = new HashSet<>(Set.of("SERVICE_NAME", "SERVICE_DESCRIPTOR"));
    for (int i = 0; i < service.getMethodCount(); i++) {
      MethodDescriptorProto proto = service.getMethod(i);
      Method m = new Method();
      m.proto = proto;
      m.index = i;
      m.javaName = unique(JavaNames.javaMethodName(proto.getName()), javaNames);
      String camel = Character.toUpperCase(m.javaName.charAt(0)) + m.javaName.substring(1);
      if (camel.endsWith("_") && JavaNames.isReserved(m.javaName.substring(0,
          m.javaName.length() - 1))) {
        camel = camel.substring(0, camel.length() - 1); // getImportMethod, not getImport_Method
      }
      m.getter = unique("get" + camel + "Method", getters);
      m.constant = unique(JavaNames.upperSnake(proto.getName()) + "_METHOD", constants);
      names.messageClass(proto.getInputType()); // fails early on an unknown type
      names.messageClass(proto.getOutputType());
      m.clientStreaming = proto.getClientStreaming();
      m.serverStreaming = proto.getServerStreaming();
      m.deprecated = proto.getOptions().getDeprecated();
      methods.add(m);
    }
  }

  /** {@code name}, or name with underscores appended until it is not in {@code used}. */
  private static String unique(String name, Set<String> used) {
    String candidate = name;
    while (!used.add(candidate)) {
      candidate = candidate + "_";
    }
    return candidate;
  }

  /** A Tern (or JDK) type by simple name, imported, unless the name is taken in this file. */
  private String type(String qualifiedName) {
    String simple = qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
    if (reservedSimpleNames.contains(simple)) {
      return qualifiedName;
    }
    imports.add(qualifiedName);
    return simple;
  }

  private String methodDescriptor() {
    return type("dev.tern.MethodDescriptor");
  }

  private String streamObserver() {
    return type("dev.tern.stub.StreamObserver");
  }

  // ---- output helpers ----

  private void line(String text) {
    if (!text.isEmpty()) {
      for (int i = 0; i < indent; i++) {
        out.append("  ");
      }
      out.append(text);
    }
    out.append('\n');
  }

  /**
   * Opens a method: {@code head(params) {}, wrapped after the parenthesis when too long (all
   * parameters on one continuation line if they fit, else one per line).
   */
  private void openSignature(String head, String... params) {
    openSignatureThrowing(head, "", params);
  }

  /** Like {@link #openSignature}, with {@code tail} (a throws clause) after the parameters. */
  private void openSignatureThrowing(String head, String tail, String... params) {
    String joined = String.join(", ", params);
    if (params.length == 0
        || indent * 2 + head.length() + joined.length() + tail.length() + 4 <= WIDTH) {
      open(head + "(" + joined + ")" + tail);
      return;
    }
    line(head + "(");
    indent += 2;
    if (indent * 2 + joined.length() + tail.length() + 3 <= WIDTH) {
      line(joined + ")" + tail + " {");
    } else {
      for (int i = 0; i < params.length; i++) {
        line(params[i] + (i == params.length - 1 ? ")" + tail + " {" : ","));
      }
    }
    indent -= 1; // body is one level in from the method, not two
  }

  /** A statement {@code prefix + args + suffix}, with args on a continuation line if long. */
  private void wrapped(String prefix, String args, String suffix) {
    if (indent * 2 + prefix.length() + args.length() + suffix.length() <= WIDTH) {
      line(prefix + args + suffix);
    } else {
      line(prefix);
      line("    " + args + suffix);
    }
  }

  private void blank() {
    out.append('\n');
  }

  private void open(String text) {
    line(text + " {");
    indent++;
  }

  private void close() {
    indent--;
    line("}");
  }

  /** A Javadoc comment; lines outside {@code <pre>} blocks are wrapped to the width. */
  private void javadoc(List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    int width = WIDTH - indent * 2 - 3;
    if (lines.size() == 1 && lines.get(0).length() + 4 <= width) {
      line("/** " + lines.get(0) + " */");
      return;
    }
    line("/**");
    boolean inPre = false;
    for (String l : lines) {
      if (l.equals("<pre>")) {
        inPre = true;
      } else if (l.equals("</pre>")) {
        inPre = false;
      }
      if (l.isEmpty()) {
        line(" *");
      } else if (inPre) {
        line(" * " + l);
      } else {
        for (String part : Javadoc.wrap(l, width)) {
          line(" * " + part);
        }
      }
    }
    line(" */");
  }

  private String comment(List<Integer> path) {
    return locationComments.get(path.toString());
  }

  private List<Integer> servicePath() {
    return List.of(FILE_SERVICE, serviceIndex);
  }

  private List<Integer> methodPath(Method m) {
    return List.of(FILE_SERVICE, serviceIndex, SERVICE_METHOD, m.index);
  }

  /** Our summary sentence followed by the method's proto comment, if any. */
  private List<String> methodDoc(Method m, String summary) {
    List<String> doc = new ArrayList<>();
    doc.add(summary);
    List<String> pre = Javadoc.preBlock(comment(methodPath(m)));
    if (!pre.isEmpty()) {
      doc.add("");
      doc.addAll(pre);
    }
    return doc;
  }

  private void deprecatedAnnotation(boolean deprecated) {
    if (deprecated) {
      line("@java.lang.Deprecated");
    }
  }

  private String fullMethodName(Method m) {
    return fullServiceName + "/" + m.proto.getName();
  }

  private String code(String text) {
    return "{@code " + Javadoc.escape(text) + "}";
  }

  private String callKind(Method m) {
    switch (m.methodType()) {
      case "UNARY":
        return "Unary";
      case "SERVER_STREAMING":
        return "Server-streaming";
      case "CLIENT_STREAMING":
        return "Client-streaming";
      default:
        return "Bidi-streaming";
    }
  }

  // ---- the class ----

  private void writeClass() {
    List<String> doc = new ArrayList<>();
    doc.add("Tern client stubs and server bindings for the " + code(fullServiceName)
        + " service.");
    List<String> pre = Javadoc.preBlock(comment(servicePath()));
    if (!pre.isEmpty()) {
      doc.add("");
      doc.addAll(pre);
    }
    doc.add("");
    doc.add("<p>Clients: {@link #newStub} (async, every call type), {@link #newBlockingStub}"
        + " (blocking, every call type) and {@link #newFutureStub} (unary). Servers: extend"
        + " {@link " + implBaseName() + "} or implement {@link AsyncService} and call"
        + " {@link #bindService(AsyncService)}; or write plain blocking code: implement"
        + " {@link BlockingService} and call {@link #bindService(BlockingService)}.");
    javadoc(doc);
    boolean usesDeprecatedMessage = false;
    for (Method m : methods) {
      usesDeprecatedMessage |= names.isDeprecated(m.proto.getInputType())
          || names.isDeprecated(m.proto.getOutputType());
    }
    if (usesDeprecatedMessage) {
      // The message classes are deprecated, not this service: using them here is not news.
      line("@java.lang.SuppressWarnings(\"deprecation\")");
    }
    deprecatedAnnotation(service.getOptions().getDeprecated());
    open("public final class " + className);
    writeConstants();
    blank();
    line("private " + className + "() {}");
    if (hasSchema()) {
      blank();
      writeSchemaMethod();
    }
    for (Method m : methods) {
      blank();
      writeGetter(m);
    }
    blank();
    javadoc(List.of("The service's name and methods."));
    open("public static " + type("dev.tern.ServiceDescriptor") + " getServiceDescriptor()");
    line("return SERVICE_DESCRIPTOR;");
    close();
    writeFactories();
    blank();
    writeBindService();
    blank();
    writeBindBlockingService();
    blank();
    writeAsyncService();
    blank();
    writeBlockingService();
    blank();
    writeImplBase();
    blank();
    writeAsyncStub();
    blank();
    writeBlockingStub();
    blank();
    writeFutureStub();
    close();
  }

  private void writeConstants() {
    javadoc(List.of("The service's full name, {@value}."));
    line("public static final java.lang.String SERVICE_NAME = \"" + fullServiceName + "\";");
    String marshaller = type("dev.tern.protobuf.ProtoMarshaller");
    for (Method m : methods) {
      blank();
      line("private static final " + methodDescriptor() + "<" + m.requestType + ", "
          + m.responseType + "> " + m.constant + " =");
      indent += 2;
      line(methodDescriptor() + ".newBuilder(");
      indent += 2;
      line(marshaller + ".of(" + m.requestType + ".getDefaultInstance()),");
      line(marshaller + ".of(" + m.responseType + ".getDefaultInstance()))");
      indent -= 2;
      line(".setFullMethodName(\"" + fullMethodName(m) + "\")");
      line(".setType(" + methodDescriptor() + ".MethodType." + m.methodType() + ")");
      if (hasSchema()) {
        line(".setSchemaDescriptor(" + SCHEMA_METHOD + "().findMethodByName(\""
            + m.proto.getName() + "\"))");
      }
      IdempotencyLevel level = m.proto.getOptions().getIdempotencyLevel();
      if (level == IdempotencyLevel.NO_SIDE_EFFECTS) {
        line(".setSafe(true)");
        line(".setIdempotent(true)");
      } else if (level == IdempotencyLevel.IDEMPOTENT) {
        line(".setIdempotent(true)");
      }
      line(".build();");
      indent -= 2;
    }
    blank();
    String serviceDescriptor = type("dev.tern.ServiceDescriptor");
    line("private static final " + serviceDescriptor + " SERVICE_DESCRIPTOR =");
    indent += 2;
    if (methods.isEmpty() && !hasSchema()) {
      line(serviceDescriptor + ".newBuilder(SERVICE_NAME).build();");
    } else {
      line(serviceDescriptor + ".newBuilder(SERVICE_NAME)");
      indent += 2;
      if (hasSchema()) {
        line(".setSchemaDescriptor(" + SCHEMA_METHOD + "())");
      }
      for (Method m : methods) {
        line(".addMethod(" + m.constant + ")");
      }
      line(".build();");
      indent -= 2;
    }
    indent -= 2;
  }

  /**
   * The private static method returning the service's protobuf descriptor: the schema of the
   * service and method descriptors, from which a reflection service finds the file (and its
   * imports) that defines them.
   */
  private void writeSchemaMethod() {
    javadoc(List.of("The service's protobuf descriptor, from protoc's Java output for "
        + code(file.getName()) + "."));
    open("private static com.google.protobuf.Descriptors.ServiceDescriptor " + SCHEMA_METHOD
        + "()");
    wrapped("return " + outerClassRef + ".getDescriptor()",
        ".findServiceByName(\"" + service.getName() + "\")", ";");
    close();
  }

  private void writeGetter(Method m) {
    javadoc(methodDoc(m, callKind(m) + " method " + code(fullMethodName(m)) + "."));
    deprecatedAnnotation(m.deprecated);
    openSignature("public static " + methodDescriptor() + "<" + m.requestType + ", "
        + m.responseType + "> " + m.getter);
    line("return " + m.constant + ";");
    close();
  }

  private void writeFactories() {
    String channel = type("dev.tern.Channel");
    String callOptions = type("dev.tern.CallOptions");
    String[][] factories = {
        {"newStub", stubName(), "An async stub: every call type, responses to a"
            + " {@code StreamObserver}."},
        {"newBlockingStub", blockingStubName(), "A blocking stub: every call type, waiting on"
            + " the calling thread."},
        {"newFutureStub", futureStubName(), "A future stub: unary calls returning a"
            + " {@code CompletableFuture}."},
    };
    for (String[] f : factories) {
      blank();
      javadoc(List.of(f[2]));
      open("public static " + f[1] + " " + f[0] + "(" + channel + " channel)");
      line("return new " + f[1] + "(channel, " + callOptions + ".DEFAULT);");
      close();
    }
  }

  private void writeBindService() {
    writeBindService("AsyncService", type("dev.tern.stub.ServerCalls"),
        "Binds {@code service}'s methods, ready to add to a server.",
        "asyncUnaryCall", "asyncServerStreamingCall", "asyncClientStreamingCall",
        "asyncBidiStreamingCall");
  }

  /**
   * {@code bindService(<serviceType> service)}: each method bound through {@code calls}' adapter
   * for its type, given in the order unary, server, client, bidi streaming.
   */
  private void writeBindService(String serviceType, String calls, String doc,
      String... adapters) {
    String definition = type("dev.tern.ServerServiceDefinition");
    javadoc(List.of(doc));
    open("public static " + definition + " bindService(" + serviceType + " service)");
    if (methods.isEmpty()) {
      line("return " + definition + ".builder(SERVICE_DESCRIPTOR).build();");
      close();
      return;
    }
    line("return " + definition + ".builder(SERVICE_DESCRIPTOR)");
    indent += 2;
    for (Method m : methods) {
      int type = m.clientStreaming ? (m.serverStreaming ? 3 : 2) : (m.serverStreaming ? 1 : 0);
      wrapped(".addMethod(" + m.constant + ",",
          " " + calls + "." + adapters[type] + "(service::" + m.javaName + "))", "");
    }
    line(".build();");
    indent -= 2;
    close();
  }

  private void writeAsyncService() {
    String serverCalls = type("dev.tern.stub.ServerCalls");
    javadoc(List.of(
        "The service's methods, for servers. Every method answers UNIMPLEMENTED until"
            + " overridden.",
        "",
        "<p>A response observer is a {@code ServerCallStreamObserver}: cast it to watch for"
            + " cancellation or to send only while the client keeps up ({@code isReady()},"
            + " {@code setOnReadyHandler})."));
    open("public interface AsyncService");
    boolean first = true;
    for (Method m : methods) {
      if (!first) {
        blank();
      }
      first = false;
      javadoc(methodDoc(m, callKind(m) + " " + code(m.proto.getName()) + "."));
      deprecatedAnnotation(m.deprecated);
      if (m.clientStreaming) {
        openSignature("default " + streamObserver() + "<" + m.requestType + "> " + m.javaName,
            streamObserver() + "<" + m.responseType + "> responseObserver");
        wrapped("return " + serverCalls + ".asyncUnimplementedStreamingCall(",
            m.getter + "(), responseObserver", ");");
      } else {
        openSignature("default void " + m.javaName, m.requestType + " request",
            streamObserver() + "<" + m.responseType + "> responseObserver");
        wrapped(serverCalls + ".asyncUnimplementedUnaryCall(",
            m.getter + "(), responseObserver", ");");
      }
      close();
    }
    close();
  }

  private void writeImplBase() {
    javadoc(List.of("Base class for server implementations: override the methods you serve and"
        + " add {@link #bindService()} to a server."));
    deprecatedAnnotation(service.getOptions().getDeprecated());
    open("public abstract static class " + implBaseName() + " implements AsyncService");
    javadoc(List.of("For subclasses."));
    line("protected " + implBaseName() + "() {}");
    blank();
    javadoc(List.of("This service's methods bound to this object."));
    open("public final " + type("dev.tern.ServerServiceDefinition") + " bindService()");
    line("return " + className + ".bindService(this);");
    close();
    close();
  }

  private void writeStubPreamble(String name) {
    String channel = type("dev.tern.Channel");
    String callOptions = type("dev.tern.CallOptions");
    open("private " + name + "(" + channel + " channel, " + callOptions + " callOptions)");
    line("super(channel, callOptions);");
    close();
    blank();
    line("@java.lang.Override");
    open("protected " + name + " build(" + channel + " channel, " + callOptions
        + " callOptions)");
    line("return new " + name + "(channel, callOptions);");
    close();
  }

  private String newCall(Method m) {
    return "getChannel().newCall(" + m.getter + "(), getCallOptions())";
  }

  private void writeAsyncStub() {
    String name = stubName();
    String clientCalls = type("dev.tern.stub.ClientCalls");
    javadoc(List.of("Async stub: every call type; responses go to a {@code StreamObserver}"
        + " on the call's executor. Immutable and thread-safe."));
    deprecatedAnnotation(service.getOptions().getDeprecated());
    open("public static final class " + name + " extends " + type("dev.tern.stub.AbstractStub")
        + "<" + name + ">");
    writeStubPreamble(name);
    for (Method m : methods) {
      blank();
      javadoc(methodDoc(m, callKind(m) + " call of " + code(m.proto.getName()) + "."));
      deprecatedAnnotation(m.deprecated);
      switch (m.methodType()) {
        case "UNARY":
        case "SERVER_STREAMING":
          openSignature("public void " + m.javaName, m.requestType + " request",
              streamObserver() + "<" + m.responseType + "> responseObserver");
          wrapped(clientCalls + "."
              + (m.serverStreaming ? "asyncServerStreamingCall" : "asyncUnaryCall") + "(",
              newCall(m) + ", request, responseObserver", ");");
          break;
        default:
          openSignature("public " + streamObserver() + "<" + m.requestType + "> " + m.javaName,
              streamObserver() + "<" + m.responseType + "> responseObserver");
          wrapped("return " + clientCalls + "."
              + (m.serverStreaming ? "asyncBidiStreamingCall" : "asyncClientStreamingCall")
              + "(", newCall(m) + ", responseObserver", ");");
      }
      close();
    }
    close();
  }

  private void writeBlockingStub() {
    String name = blockingStubName();
    javadoc(List.of("Blocking stub: calls that wait on the calling thread; client- and"
        + " bidi-streaming ones return a {@code BlockingClientCall}. Immutable and thread-safe."));
    deprecatedAnnotation(service.getOptions().getDeprecated());
    open("public static final class " + name + " extends " + type("dev.tern.stub.AbstractStub")
        + "<" + name + ">");
    writeStubPreamble(name);
    for (Method m : methods) {
      if (m.clientStreaming) {
        writeBlockingStreamingCall(m);
        continue;
      }
      String clientCalls = type("dev.tern.stub.ClientCalls");
      blank();
      if (m.serverStreaming) {
        javadoc(methodDoc(m, "Calls " + code(m.proto.getName()) + "; iterate the responses"
            + " and close the iterator (try-with-resources) to cancel a stream not read to"
            + " its end."));
        deprecatedAnnotation(m.deprecated);
        openSignature("public " + type("dev.tern.stub.CloseableIterator") + "<" + m.responseType
            + "> " + m.javaName, m.requestType + " request");
        wrapped("return " + clientCalls + ".blockingServerStreamingCall(",
            "getChannel(), " + m.getter + "(), getCallOptions(), request", ");");
      } else {
        javadoc(methodDoc(m, "Calls " + code(m.proto.getName()) + " and waits for the"
            + " response; a failure throws {@code StatusRuntimeException}."));
        deprecatedAnnotation(m.deprecated);
        openSignature("public " + m.responseType + " " + m.javaName,
            m.requestType + " request");
        wrapped("return " + clientCalls + ".blockingUnaryCall(",
            "getChannel(), " + m.getter + "(), getCallOptions(), request", ");");
      }
      close();
    }
    close();
  }

  // ---- blocking server and blocking streaming calls ----

  private void writeBindBlockingService() {
    writeBindService("BlockingService", type("dev.tern.stub.BlockingServerCalls"),
        "Binds {@code service}'s blocking methods, ready to add to a server; each call runs on a"
            + " thread of its own (see {@code BlockingServerCalls}).",
        "unaryCall", "serverStreamingCall", "clientStreamingCall", "bidiStreamingCall");
  }

  private void writeBlockingService() {
    String calls = type("dev.tern.stub.BlockingServerCalls");
    String source = type("dev.tern.stub.MessageSource");
    String sink = type("dev.tern.stub.MessageSink");
    String thrown = " throws " + type("dev.tern.StatusException");
    javadoc(List.of(
        "The service's methods as plain blocking code, for servers. Every method answers"
            + " UNIMPLEMENTED until overridden.",
        "",
        "<p>Each call runs on a thread of its own (a virtual thread with the server's"
            + " {@code useVirtualThreads()}); reading requests and sending responses block,"
            + " following flow control; a thrown {@code StatusException} ends the call with its"
            + " status. Headers and trailers: {@code ServerCallInfo.current()}."));
    open("public interface BlockingService");
    boolean first = true;
    for (Method m : methods) {
      if (!first) {
        blank();
      }
      first = false;
      javadoc(methodDoc(m, callKind(m) + " " + code(m.proto.getName()) + "."));
      deprecatedAnnotation(m.deprecated);
      String requests = m.clientStreaming
          ? source + "<" + m.requestType + "> requests"
          : m.requestType + " request";
      String returned = m.serverStreaming ? "void" : m.responseType;
      String[] params = m.serverStreaming
          ? new String[] {requests, sink + "<" + m.responseType + "> responses"}
          : new String[] {requests};
      openSignatureThrowing("default " + returned + " " + m.javaName, thrown, params);
      line("throw " + calls + ".unimplemented(" + m.getter + "());");
      close();
    }
    close();
  }

  private void writeBlockingStreamingCall(Method m) {
    String call = type("dev.tern.stub.BlockingClientCall");
    blank();
    javadoc(methodDoc(m, "Starts " + code(m.proto.getName()) + ": write the requests, half-close,"
        + " read the " + (m.serverStreaming ? "responses" : "response") + "; close the call"
        + " (try-with-resources) to cancel it if abandoned."));
    deprecatedAnnotation(m.deprecated);
    open("public " + call + "<" + m.requestType + ", " + m.responseType + "> " + m.javaName
        + "()");
    wrapped("return " + call + ".start(",
        "getChannel(), " + m.getter + "(), getCallOptions()", ");");
    close();
  }

  private void writeFutureStub() {
    String name = futureStubName();
    javadoc(List.of("Future stub: unary calls returning a {@code CompletableFuture}; cancelling"
        + " the future cancels the call. Immutable and thread-safe."));
    deprecatedAnnotation(service.getOptions().getDeprecated());
    open("public static final class " + name + " extends " + type("dev.tern.stub.AbstractStub")
        + "<" + name + ">");
    writeStubPreamble(name);
    for (Method m : methods) {
      if (m.clientStreaming || m.serverStreaming) {
        continue;
      }
      blank();
      javadoc(methodDoc(m, "Calls " + code(m.proto.getName()) + "."));
      deprecatedAnnotation(m.deprecated);
      openSignature("public " + type("java.util.concurrent.CompletableFuture") + "<"
          + m.responseType + "> " + m.javaName, m.requestType + " request");
      wrapped("return " + type("dev.tern.stub.ClientCalls") + ".futureUnaryCall(",
          newCall(m) + ", request", ");");
      close();
    }
    close();
  }
}
