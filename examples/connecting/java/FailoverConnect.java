import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Hashtable;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/**
 * Connecting pgjdbc through a Route53DbFailover name ({@code writer.<zone>} / {@code reader.<zone>}) with
 * {@code sslmode=verify-full} and, optionally, IAM database authentication.
 *
 * <p>The failover name is a CNAME to an RDS instance endpoint, and RDS's server certificate names only that endpoint,
 * so verify-full against the failover name fails ("The hostname ... could not be verified by hostnameverifier").
 * Instead, every new connection resolves the name's CNAME chain to the instance endpoint (with the JDK's JNDI DNS
 * provider) and connects to the endpoint with verify-full against the RDS CA bundle, signing an IAM token for that
 * endpoint and port. Resolve again for every new connection (a pool: a connection factory that calls
 * {@link #connect}, and a maximum connection lifetime no longer than the record TTL), so connections follow the name
 * after a failover.
 *
 * <p>Copy this class into your application; it needs {@code org.postgresql:postgresql} and, for IAM tokens,
 * {@code software.amazon.awssdk:rds}.
 *
 * @see <a href="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html">the certificate names the instance endpoint</a>
 * @see <a href="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html">tokens are valid for 15 minutes</a>
 */
public final class FailoverConnect {
  /** How many CNAMEs a chain may have before the name is treated as a loop. */
  public static final int MAX_CNAME_HOPS = 8;

  /** The SQLSTATE of a write on an instance that is no longer the writer (read_only_sql_transaction). */
  public static final String READ_ONLY_SQL_TRANSACTION = "25006";

  private static final Pattern ENDPOINT_REGION =
      Pattern.compile("\\.([a-z]{2}(?:-[a-z]+)+-\\d+)\\.rds\\.amazonaws\\.com\\.?$", Pattern.CASE_INSENSITIVE);

  private FailoverConnect() {
  }

  /**
   * Follows the name's CNAME chain to its last name, the instance endpoint. {@code dnsUrl} is {@code "dns:"} for the
   * system's name servers, or e.g. {@code "dns://10.0.0.2/"}. Nothing is cached here: call it for every new connection.
   */
  public static String resolveEndpoint(String name, String dnsUrl) throws NamingException {
    Hashtable<String, String> env = new Hashtable<>();
    env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
    env.put(Context.PROVIDER_URL, dnsUrl);
    DirContext dns = new InitialDirContext(env);
    try {
      String current = name;
      for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
        Attribute cname = dns.getAttributes(current, new String[] {"CNAME"}).get("CNAME");
        if (cname == null) {
          return current.endsWith(".") ? current.substring(0, current.length() - 1) : current;
        }
        current = (String) cname.get();
      }
      throw new NamingException(name + ": more than " + MAX_CNAME_HOPS + " CNAME records in a chain");
    } finally {
      dns.close();
    }
  }

  /** The Region of an RDS endpoint name ({@code <id>.<hash>.<region>.rds.amazonaws.com}), or null. */
  public static String regionOfEndpoint(String endpoint) {
    Matcher m = ENDPOINT_REGION.matcher(endpoint);
    return m.find() ? m.group(1) : null;
  }

  /** An IAM authentication token for this endpoint and port: a presigned {@code connect} request, valid 15 minutes. */
  public static String iamToken(String endpoint, int port, String user, AwsCredentialsProvider credentials) {
    String region = regionOfEndpoint(endpoint);
    if (region == null) {
      throw new IllegalArgumentException(endpoint + ": no Region in the endpoint name");
    }
    RdsUtilities rds = RdsUtilities.builder()
        .region(Region.of(region))
        .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
        .build();
    return rds.generateAuthenticationToken(b -> b.hostname(endpoint).port(port).username(user));
  }

  /**
   * A new connection to where the failover name points now, with verify-full against the instance endpoint. A null
   * {@code password} means IAM authentication: a token signed for the endpoint (with {@code credentials}, or the
   * default credential chain when null).
   */
  public static Connection connect(String name, int port, String database, String user, String password,
      String sslRootCert, String dnsUrl, AwsCredentialsProvider credentials) throws NamingException, SQLException {
    String endpoint = resolveEndpoint(name, dnsUrl);
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password != null ? password : iamToken(endpoint, port, user, credentials));
    props.setProperty("sslmode", "verify-full");
    props.setProperty("sslrootcert", sslRootCert);
    return DriverManager.getConnection("jdbc:postgresql://" + endpoint + ":" + port + "/" + database, props);
  }

  /** Whether a connection should be closed after this error: the server is read-only, or the connection broke. */
  public static boolean shouldDiscard(SQLException e) {
    String state = e.getSQLState();
    return READ_ONLY_SQL_TRANSACTION.equals(state) || (state != null && state.startsWith("08"));
  }
}
