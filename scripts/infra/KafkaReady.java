// Fallback readiness probe for scripts/infra/infra.sh when kafkajs is not
// installed yet (before `npm ci`). Runs with the broker's own jars through the
// Java 17 single-file launcher, connecting as kafka-ready.cjs does (KAFKA_BROKERS,
// KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD_FILE, KAFKA_TLS_CA_FILE):
//
//   env $(scripts/infra/infra.sh client-env admin) java -cp "<libs>/*" scripts/infra/KafkaReady.java 5000
//
// Exit 0 when the broker answers listTopics and describeCluster, 1 otherwise.

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

public class KafkaReady {
  public static void main(String[] args) throws Exception {
    String broker = System.getenv("KAFKA_BROKERS");
    int timeoutMs = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    String password = Files.readString(Path.of(System.getenv("KAFKA_SASL_PASSWORD_FILE"))).trim();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker);
    props.put("security.protocol", "SASL_SSL");
    props.put("sasl.mechanism", "SCRAM-SHA-512");
    props.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + System.getenv("KAFKA_SASL_USERNAME") + "\" password=\"" + password + "\";");
    props.put("ssl.truststore.type", "PEM");
    props.put("ssl.truststore.location", System.getenv("KAFKA_TLS_CA_FILE"));
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "agentgov-infra-probe");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    try (Admin admin = Admin.create(props)) {
      int topics = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS).size();
      String clusterId = admin.describeCluster().clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
      System.out.println("kafka-ready: cluster " + clusterId + ", " + topics + " topic(s)");
      System.exit(0);
    } catch (Exception e) {
      System.err.println("kafka-ready: " + e);
      System.exit(1);
    }
  }
}
