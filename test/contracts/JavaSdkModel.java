import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Dumps, by reflection on the AWS SDK for Java v2 service jars, what Step Functions' AWS SDK integrations name after
 * that SDK: for each service given on the command line (the service name of `arn:aws:states:::aws-sdk:<service>:...`,
 * which is the Java package `software.amazon.awssdk.services.<service>`):
 *
 * - the client interface (`RdsClient`) and its base exception (`RdsException`);
 * - every operation: the client method name (`describeDBInstances`), its request and response classes;
 * - every model class reachable from them: each member's Java name (the model class's field, e.g.
 *   `dbInstanceIdentifier`), the name on the wire (`SdkField.memberName()`, e.g. `DBInstanceIdentifier`, the name botocore
 *   uses too) and its type;
 * - every exception class of the model package that extends the base exception, with the error codes the client's
 *   protocol factory maps to it.
 *
 * Nothing here is a table of names: every name is read from the classes. Each SdkField is tied to its Java field by
 * asking the field's own getter: a fresh instance gets a distinct marker object in every field, and the getter returns
 * the marker of the field it reads.
 *
 * Usage: java -cp <sdk classpath>:<dir> JavaSdkModel <service>... > model.json
 */
public final class JavaSdkModel {
  private static final String EXCEPTION_METADATA = "software.amazon.awssdk.protocols.core.ExceptionMetadata";

  private final sun.misc.Unsafe unsafe;

  private JavaSdkModel() throws Exception {
    Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
    f.setAccessible(true);
    unsafe = (sun.misc.Unsafe) f.get(null);
  }

  public static void main(String[] args) throws Exception {
    JavaSdkModel dumper = new JavaSdkModel();
    StringBuilder out = new StringBuilder("{\"services\":{");
    for (int i = 0; i < args.length; i++) {
      if (i > 0) out.append(',');
      out.append(str(args[i])).append(':');
      dumper.service(args[i], out);
    }
    out.append("}}\n");
    System.out.print(out);
  }

  private void service(String service, StringBuilder out) throws Exception {
    String pkg = "software.amazon.awssdk.services." + service;
    Class<?> sdkClient = Class.forName("software.amazon.awssdk.core.SdkClient");
    Class<?> sdkRequest = Class.forName("software.amazon.awssdk.core.SdkRequest");
    Class<?> sdkResponse = Class.forName("software.amazon.awssdk.core.SdkResponse");
    Class<?> awsServiceException = Class.forName("software.amazon.awssdk.awscore.exception.AwsServiceException");

    List<String> classNames = classesOf(pkg, service);
    Class<?> client = null;
    for (String name : classNames) {
      if (!name.startsWith(pkg + ".") || name.substring(pkg.length() + 1).contains(".")) continue;
      Class<?> c = Class.forName(name);
      if (c.isInterface() && sdkClient.isAssignableFrom(c) && name.endsWith("Client") && !name.endsWith("AsyncClient")) {
        if (client != null) throw new IllegalStateException("two clients in " + pkg + ": " + client + ", " + c);
        client = c;
      }
    }
    if (client == null) throw new IllegalStateException("no synchronous client interface in " + pkg);
    String prefix = client.getSimpleName().substring(0, client.getSimpleName().length() - "Client".length());
    Class<?> base = Class.forName(pkg + ".model." + prefix + "Exception");
    if (!awsServiceException.isAssignableFrom(base)) throw new IllegalStateException(base + " is not an AwsServiceException");

    Map<String, String[]> operations = new TreeMap<>();
    Deque<Class<?>> todo = new ArrayDeque<>();
    for (Method m : client.getMethods()) {
      if (m.getParameterCount() != 1) continue;
      Class<?> p = m.getParameterTypes()[0];
      if (!sdkRequest.isAssignableFrom(p) || !sdkResponse.isAssignableFrom(m.getReturnType())) continue;
      operations.put(m.getName(), new String[] {p.getSimpleName(), m.getReturnType().getSimpleName()});
      todo.add(p);
      todo.add(m.getReturnType());
    }

    Map<String, String> shapes = new TreeMap<>();
    while (!todo.isEmpty()) {
      Class<?> c = todo.pop();
      if (shapes.containsKey(c.getSimpleName())) continue;
      shapes.put(c.getSimpleName(), shape(c, todo));
    }

    Map<String, Set<String>> exceptions = new TreeMap<>();
    for (String name : classNames) {
      if (!name.startsWith(pkg + ".model.")) continue;
      Class<?> c = Class.forName(name);
      if (base.isAssignableFrom(c)) exceptions.put(c.getSimpleName(), new TreeSet<>());
    }
    for (Object metadata : exceptionMetadata(Class.forName(pkg + ".Default" + prefix + "Client"))) {
      Class<?> metadataClass = Class.forName(EXCEPTION_METADATA);
      String code = (String) metadataClass.getMethod("errorCode").invoke(metadata);
      Supplier<?> supplier = (Supplier<?>) metadataClass.getMethod("exceptionBuilderSupplier").invoke(metadata);
      Object builder = supplier.get();
      Class<?> exception = Class.forName("software.amazon.awssdk.utils.builder.SdkBuilder").getMethod("build").invoke(builder).getClass();
      Set<String> codes = exceptions.get(exception.getSimpleName());
      if (codes == null) throw new IllegalStateException(exception + " is mapped from " + code + " but does not extend " + base);
      codes.add(code);
    }

    out.append("{\"client\":").append(str(client.getName()))
        .append(",\"prefix\":").append(str(prefix))
        .append(",\"baseException\":").append(str(base.getSimpleName()))
        .append(",\"operations\":{");
    boolean first = true;
    for (Map.Entry<String, String[]> e : operations.entrySet()) {
      if (!first) out.append(',');
      first = false;
      out.append(str(e.getKey())).append(":{\"input\":").append(str(e.getValue()[0]))
          .append(",\"output\":").append(str(e.getValue()[1])).append('}');
    }
    out.append("},\"shapes\":{");
    first = true;
    for (Map.Entry<String, String> e : shapes.entrySet()) {
      if (!first) out.append(',');
      first = false;
      out.append(str(e.getKey())).append(':').append(e.getValue());
    }
    out.append("},\"exceptions\":{");
    first = true;
    for (Map.Entry<String, Set<String>> e : exceptions.entrySet()) {
      if (!first) out.append(',');
      first = false;
      out.append(str(e.getKey())).append(":{\"errorCodes\":[");
      boolean firstCode = true;
      for (String code : e.getValue()) {
        if (!firstCode) out.append(',');
        firstCode = false;
        out.append(str(code));
      }
      out.append("]}");
    }
    out.append("}}");
  }

  /** The members of a model class, as JSON: {"members": {"<JavaName>": {"wire": ..., "type": ...}}}. */
  private String shape(Class<?> c, Deque<Class<?>> todo) throws Exception {
    List<?> sdkFields = (List<?>) c.getMethod("sdkFields").invoke(unsafe.allocateInstance(c));
    Object instance = unsafe.allocateInstance(c);
    Map<Object, Field> markers = new IdentityHashMap<>();
    for (Field f : c.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) continue;
      Object marker = new Object();
      markers.put(marker, f);
      unsafe.putObject(instance, unsafe.objectFieldOffset(f), marker);
    }
    Map<String, String> members = new TreeMap<>();
    Class<?> sdkFieldClass = Class.forName("software.amazon.awssdk.core.SdkField");
    for (Object sdkField : sdkFields) {
      String wire = (String) sdkFieldClass.getMethod("memberName").invoke(sdkField);
      Object value = sdkFieldClass.getMethod("getValueOrDefault", Object.class).invoke(sdkField, instance);
      Field f = markers.get(value);
      if (f == null) throw new IllegalStateException(c.getName() + "." + wire + ": its getter reads no field of the class");
      String javaName = Character.toUpperCase(f.getName().charAt(0)) + f.getName().substring(1);
      members.put(javaName, "{\"java\":" + str(f.getName()) + ",\"wire\":" + str(wire) + ",\"type\":" + type(f.getGenericType(), todo) + "}");
    }
    StringBuilder json = new StringBuilder("{\"class\":").append(str(c.getName())).append(",\"members\":{");
    boolean first = true;
    for (Map.Entry<String, String> e : members.entrySet()) {
      if (!first) json.append(',');
      first = false;
      json.append(str(e.getKey())).append(':').append(e.getValue());
    }
    return json.append("}}").toString();
  }

  private static String type(Type t, Deque<Class<?>> todo) {
    if (t instanceof ParameterizedType) {
      ParameterizedType p = (ParameterizedType) t;
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] args = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) return "{\"list\":" + type(args[0], todo) + "}";
      if (Map.class.isAssignableFrom(raw)) return "{\"map\":" + type(args[1], todo) + "}";
      throw new IllegalStateException("unexpected member type " + t);
    }
    Class<?> c = (Class<?>) t;
    if (c.getName().startsWith("software.amazon.awssdk.services.") && c.getName().contains(".model.")) {
      todo.add(c);
      return "{\"structure\":" + str(c.getSimpleName()) + "}";
    }
    return "{\"scalar\":" + str(c.getSimpleName()) + "}";
  }

  /**
   * The ExceptionMetadata the client knows: those its protocol factory registers in the client's own `init` (query
   * protocol), and those its error-code mapper returns (JSON and CBOR protocols), asked for every string constant of
   * the client class.
   */
  private List<Object> exceptionMetadata(Class<?> defaultClient) throws Exception {
    List<Object> found = new ArrayList<>();
    Object client = unsafe.allocateInstance(defaultClient);
    for (Method m : defaultClient.getDeclaredMethods()) {
      if (m.getName().equals("init")) {
        m.setAccessible(true);
        collect(m.getParameterCount() == 0 ? m.invoke(client) : m.invoke(client, protocolBuilder(m.getParameterTypes()[0])),
            found, new IdentityHashMap<>(), 0);
      } else if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 1 && m.getParameterTypes()[0] == String.class
          && m.getReturnType() == Optional.class) {
        m.setAccessible(true);
        for (String constant : utf8Constants(defaultClient)) {
          Optional<?> metadata = (Optional<?>) m.invoke(null, constant);
          if (metadata.isPresent()) found.add(metadata.get());
        }
      }
    }
    if (found.isEmpty()) throw new IllegalStateException(defaultClient + " knows no modeled exception");
    return found;
  }

  private static Object protocolBuilder(Class<?> builderType) throws Exception {
    for (String factory : new String[] {
        "software.amazon.awssdk.protocols.json.AwsJsonProtocolFactory",
        "software.amazon.awssdk.protocols.rpcv2.SmithyRpcV2CborProtocolFactory",
        "software.amazon.awssdk.protocols.xml.AwsXmlProtocolFactory",
        "software.amazon.awssdk.protocols.query.AwsQueryProtocolFactory"}) {
      try {
        Object candidate = Class.forName(factory).getMethod("builder").invoke(null);
        if (builderType.isInstance(candidate)) return candidate;
      } catch (ClassNotFoundException e) {
        // that protocol is not on the classpath
      }
    }
    throw new IllegalStateException("no protocol factory builder fits " + builderType);
  }

  /** The UTF-8 constants of a class file's constant pool (JVM specification, section 4.4). */
  private static List<String> utf8Constants(Class<?> c) throws Exception {
    byte[] bytes;
    try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
      bytes = in.readAllBytes();
    }
    DataInputStream data = new DataInputStream(new ByteArrayInputStream(bytes));
    data.skipBytes(8);
    int count = data.readUnsignedShort();
    List<String> constants = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = data.readUnsignedByte();
      switch (tag) {
        case 1: constants.add(data.readUTF()); break;
        case 7: case 8: case 16: case 19: case 20: data.skipBytes(2); break;
        case 15: data.skipBytes(3); break;
        case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: data.skipBytes(4); break;
        case 5: case 6: data.skipBytes(8); i++; break;
        default: throw new IllegalStateException("constant pool tag " + tag + " in " + c);
      }
    }
    return constants;
  }

  private static void collect(Object o, List<Object> found, Map<Object, Boolean> seen, int depth) throws Exception {
    if (o == null || depth > 6 || seen.put(o, true) != null) return;
    if (o.getClass().getName().equals(EXCEPTION_METADATA)) {
      found.add(o);
      return;
    }
    if (o instanceof Collection) {
      for (Object e : (Collection<?>) o) collect(e, found, seen, depth + 1);
      return;
    }
    if (o instanceof Map) {
      for (Object e : ((Map<?, ?>) o).values()) collect(e, found, seen, depth + 1);
      return;
    }
    if (!o.getClass().getName().startsWith("software.amazon.awssdk.")) return;
    if (o instanceof Enum) return;
    for (Class<?> c = o.getClass(); c != null && c.getName().startsWith("software.amazon.awssdk."); c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
        f.setAccessible(true);
        collect(f.get(o), found, seen, depth + 1);
      }
    }
  }

  /** The class names in the service's jar. */
  private static List<String> classesOf(String pkg, String service) throws Exception {
    Class<?> any = null;
    for (String cp : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!cp.endsWith(".jar")) continue;
      try (JarFile jar = new JarFile(cp)) {
        if (jar.getEntry(pkg.replace('.', '/') + "/") == null && jar.stream().noneMatch(e -> e.getName().startsWith(pkg.replace('.', '/') + "/"))) continue;
        List<String> names = new ArrayList<>();
        for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
          String n = e.getName();
          if (n.startsWith(pkg.replace('.', '/') + "/") && n.endsWith(".class") && !n.contains("$")) {
            names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.'));
          }
        }
        return names;
      }
    }
    throw new IllegalStateException("no jar on the classpath holds " + pkg + " (Maven artifact software.amazon.awssdk:" + service + ")");
  }

  private static String str(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') b.append('\\').append(ch);
      else if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
      else b.append(ch);
    }
    return b.append('"').toString();
  }
}
