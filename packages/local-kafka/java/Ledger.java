import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The output ledger of the Kafka example job, run by packages/local-kafka/src/ledger.ts:
 * <ul>
 *   <li>topics: creates the input topic and the output topic (LogAppendTime, so gaps in the output are the
 *       broker's own clock)</li>
 *   <li>produce: writes "seq,eventTimeMillis" at a steady rate from seq 0 until SIGTERM, then flushes and prints
 *       "produced N"</li>
 *   <li>write: writes given records to a topic (a test's stand-in for a job's output)</li>
 *   <li>count: reads the whole input and the committed output (read_committed) and prints one JSON object:
 *       input, output, missing, duplicated, per release, and the longest gap between committed output records</li>
 * </ul>
 * The job's output lines are "seq,eventTime,release,key,count".
 */
public final class Ledger {

    static volatile boolean stopping = false;

    public static void main(String[] args) throws Exception {
        Map<String, String> p = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) p.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        switch (args[0]) {
            case "topics" -> topics(p);
            case "produce" -> produce(p);
            case "count" -> count(p);
            case "write" -> write(p);
            default -> throw new IllegalArgumentException("usage: Ledger topics|produce|count --bootstrap …");
        }
    }

    static void topics(Map<String, String> p) throws Exception {
        int partitions = Integer.parseInt(p.getOrDefault("partitions", "2"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", p.get("bootstrap")))) {
            create(admin, new NewTopic(p.get("in"), partitions, (short) 1));
            create(admin, new NewTopic(p.get("out"), partitions, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime")));
        }
    }

    static void create(Admin admin, NewTopic topic) throws Exception {
        try {
            admin.createTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
    }

    static void produce(Map<String, String> p) throws Exception {
        double rate = Double.parseDouble(p.getOrDefault("rate", "200"));
        String topic = p.get("topic");
        Properties props = new Properties();
        props.put("bootstrap.servers", p.get("bootstrap"));
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.put("linger.ms", "5");
        long[] sent = {0};
        Thread main = Thread.currentThread();
        // SIGTERM ends the loop; the hook waits until what was sent is flushed and counted
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            try {
                main.join(20_000);
            } catch (InterruptedException ignored) {
                // exit anyway
            }
        }));
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            long start = System.nanoTime();
            while (!stopping) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                for (; sent[0] < due; sent[0]++) {
                    long seq = sent[0];
                    producer.send(new ProducerRecord<>(topic, Long.toString(seq), seq + "," + System.currentTimeMillis()));
                }
                Thread.sleep(5);
            }
            producer.flush();
        }
        System.out.println("produced " + sent[0]);
        System.out.flush();
    }

    /** Writes the records ("|"-separated) to the topic as a job's output (closing flushes them): lets a test check the ledger itself. */
    static void write(Map<String, String> p) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", p.get("bootstrap"));
        props.put("acks", "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (String record : p.get("records").split("\\|")) producer.send(new ProducerRecord<>(p.get("topic"), record));
        }
    }

    static void count(Map<String, String> p) {
        long from = Long.parseLong(p.getOrDefault("from", "0"));
        long to = Long.parseLong(p.getOrDefault("to", Long.toString(Long.MAX_VALUE)));
        BitSet input = new BitSet();
        long[] inputCount = {0};
        readAll(p.get("bootstrap"), p.get("in"), "read_uncommitted", r -> {
            input.set(Integer.parseInt(r.value().split(",", 2)[0]));
            inputCount[0]++;
        });
        Map<Integer, Integer> seen = new HashMap<>();
        Map<String, long[]> releases = new TreeMap<>(); // release -> {output, duplicated, firstAt, lastAt}
        List<Long> times = new ArrayList<>();
        long[] output = {0};
        // Partitions are read in no particular order: the copy the broker appended first is the original, later
        // ones are the duplicates of the release that wrote them.
        List<long[]> appended = new ArrayList<>(); // {timestamp, partition, offset, index in values}
        List<String> values = new ArrayList<>();
        readAll(p.get("bootstrap"), p.get("out"), "read_committed", r -> {
            appended.add(new long[] {r.timestamp(), r.partition(), r.offset(), values.size()});
            values.add(r.value());
        });
        appended.sort(java.util.Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]).thenComparingLong(a -> a[2]));
        for (long[] a : appended) {
            String[] f = values.get((int) a[3]).split(",");
            int seq = Integer.parseInt(f[0]);
            long[] rel = releases.computeIfAbsent(f[2], k -> new long[] {0, 0, a[0], 0});
            rel[0]++;
            rel[3] = a[0];
            if (seen.merge(seq, 1, Integer::sum) > 1) rel[1]++;
            times.add(a[0]);
            output[0]++;
        }
        long missing = input.stream().filter(s -> !seen.containsKey(s)).count();
        long duplicated = seen.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
        times.sort(null);
        long pause = 0;
        long pauseAt = 0;
        for (int i = 1; i < times.size(); i++) {
            if (times.get(i) >= from && times.get(i - 1) <= to && times.get(i) - times.get(i - 1) > pause) {
                pause = times.get(i) - times.get(i - 1);
                pauseAt = times.get(i - 1);
            }
        }
        StringBuilder rel = new StringBuilder();
        for (Map.Entry<String, long[]> e : releases.entrySet()) {
            if (rel.length() > 0) rel.append(',');
            rel.append('"').append(e.getKey()).append("\":{\"output\":").append(e.getValue()[0])
                    .append(",\"duplicated\":").append(e.getValue()[1])
                    .append(",\"firstAt\":").append(e.getValue()[2])
                    .append(",\"lastAt\":").append(e.getValue()[3]).append('}');
        }
        System.out.println("{\"input\":" + inputCount[0] + ",\"distinctInput\":" + input.cardinality()
                + ",\"output\":" + output[0] + ",\"missing\":" + missing + ",\"duplicated\":" + duplicated
                + ",\"outputPauseMs\":" + pause + ",\"outputPauseAt\":" + pauseAt + ",\"releases\":{" + rel + "}}");
    }

    interface OnRecord {
        void accept(ConsumerRecord<String, String> record);
    }

    /** Reads every partition of `topic` from the beginning up to its end offsets (for read_committed: the last stable offset). */
    static void readAll(String bootstrap, String topic, String isolation, OnRecord onRecord) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("isolation.level", isolation);
        props.put("enable.auto.commit", "false");
        props.put("max.poll.records", "5000");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic)) parts.add(new TopicPartition(topic, info.partition()));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (!reachedEnd(consumer, end.entrySet())) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) onRecord.accept(r);
            }
        }
    }

    static boolean reachedEnd(KafkaConsumer<String, String> consumer, Collection<Map.Entry<TopicPartition, Long>> end) {
        for (Map.Entry<TopicPartition, Long> e : end) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }

    private Ledger() {}
}
