import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Runs one pgjdbc case of test/connecting/jdbc.test.ts and prints its outcome as one JSON line. Arguments: case,
 * DNS URL, failover name, port, user, password, admin password, CA file, wrong CA file. The JVM resolves host names
 * through the file named by -Djdk.net.hosts.file.
 */
public final class JdbcCases {
  private static final StaticCredentialsProvider FAKE = StaticCredentialsProvider.create(
      AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));

  public static void main(String[] a) throws Exception {
    String testCase = a[0], dnsUrl = a[1], name = a[2], user = a[4], password = a[5], admin = a[6], ca = a[7], wrongCa = a[8];
    int port = Integer.parseInt(a[3]);
    try {
      switch (testCase) {
        case "resolve":
          System.out.println("{\"ok\":true,\"endpoint\":" + json(FailoverConnect.resolveEndpoint(name, dnsUrl)) + "}");
          break;
        case "direct": {
          Properties props = new Properties();
          props.setProperty("user", user);
          props.setProperty("password", password);
          props.setProperty("sslmode", "verify-full");
          props.setProperty("sslrootcert", ca);
          try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + name + ":" + port + "/postgres", props)) {
            System.out.println("{\"ok\":true}");
          }
          break;
        }
        case "helper":
        case "wrong-ca":
          try (Connection c = FailoverConnect.connect(name, port, "postgres", user, password,
              testCase.equals("helper") ? ca : wrongCa, dnsUrl, null)) {
            System.out.println("{\"ok\":true," + session(c) + "}");
          }
          break;
        case "iam": {
          String endpoint = FailoverConnect.resolveEndpoint(name, dnsUrl);
          String token = FailoverConnect.iamToken(endpoint, port, user, FAKE);
          // Only RDS checks a token's signature: here the token becomes the user's password on the server first.
          setPassword(name, port, admin, ca, dnsUrl, user, token);
          try (Connection c = FailoverConnect.connect(name, port, "postgres", user, token, ca, dnsUrl, null)) {
            System.out.println("{\"ok\":true," + session(c) + ",\"token\":" + json(token) + "}");
          } finally {
            setPassword(name, port, admin, ca, dnsUrl, user, password);
          }
          break;
        }
        default:
          throw new IllegalArgumentException(testCase);
      }
    } catch (SQLException e) {
      System.out.println("{\"ok\":false,\"sqlstate\":" + json(e.getSQLState()) + ",\"message\":" + json(e.getMessage()) + "}");
    }
  }

  private static void setPassword(String name, int port, String admin, String ca, String dnsUrl, String user, String value)
      throws Exception {
    try (Connection c = FailoverConnect.connect(name, port, "postgres", "postgres", admin, ca, dnsUrl, null);
        Statement s = c.createStatement()) {
      s.execute("ALTER USER " + user + " PASSWORD '" + value.replace("'", "''") + "'");
    }
  }

  private static String session(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT host(inet_server_addr()), ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      r.next();
      return "\"session\":[" + json(r.getString(1)) + "," + r.getBoolean(2) + "]";
    }
  }

  private static String json(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') {
        b.append('\\').append(ch);
      } else if (ch < 0x20) {
        b.append(String.format("\\u%04x", (int) ch));
      } else {
        b.append(ch);
      }
    }
    return b.append('"').toString();
  }
}
