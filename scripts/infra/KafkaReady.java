// Fallback readiness probe for scripts/infra/infra.sh when kafkajs is not
// installed yet (before `npm ci`). Runs with the broker's own jars through the
// Java 17 single-file launcher:
//
//   java -cp "<libs>/*" scripts/infra/KafkaReady.java 127.0.0.1:9092 5000
//
// Exit 0 when the broker answers listTopics and describeCluster, 1 otherwise.

import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

public class KafkaReady {
  public static void main(String[] args) {
    String broker = args.length > 0 ? args[0] : "127.0.0.1:9092";
    int timeoutMs = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker);
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
