package dev.flinkdeploy.example;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import dev.flinkdeploy.gate.Colour;
import dev.flinkdeploy.gate.HandoverConfig;
import dev.flinkdeploy.gate.HandoverGate;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Kafka mode of the example job (--source kafka --sink kafka): every input record "seq,eventTime" is counted per
 * key (seq % keys) and written as "seq,eventTime,release,key,count" through an exactly-once (transactional)
 * KafkaSink, so the committed output holds each input record exactly once — packages/local-kafka's ledger
 * checks that.
 *
 * <pre>
 *   orders-in (uid kafka-source)  --keyBy-->  counter (uid counter)  -->  orders-out (uid kafka-sink, EXACTLY_ONCE)
 * </pre>
 *
 * Flags: --bootstrap host:port, --in topic, --out topic, --transactional-id-prefix (default: the job name),
 * --keys K (default 16), --checkpoint-interval ms (default 1000), --fail-at-record N (the counter throws on the
 * first record with seq ≥ N: a bad release that fails before it commits anything), --state-mb N and
 * --state-value-bytes B (about N MB of extra keyed state in the counter, written as it first starts:
 * {@link StateFill}; the output is unchanged).
 *
 * <p>Hand-over (packages/flink-gate): --handover-path P --colour blue|green (or the configuration keys
 * flink-deploy.handover.path / flink-deploy.handover.colour) put the gate in front of the sink, with event time
 * from the input's eventTime field, and give the sink a uid and transactional-id prefix of its colour
 * (kafka-sink-blue, &lt;prefix&gt;-blue), so blue and green do not fence each other. Without them the job is
 * exactly as before. --sink-uid UID overrides the sink's uid (the Kafka tests show with it what restoring the
 * other colour's sink state does). --gate-at-source puts the gate right behind the source instead (chained to it,
 * one gate subtask per source subtask: a source subtask without a partition has a gate whose input is idle), and
 * --idleness MS marks a source split idle after MS without records (WatermarkStrategy.withIdleness).
 */
final class KafkaPipeline {

    static final String SOURCE_UID = "kafka-source";
    static final String SINK_UID = "kafka-sink";

    static void run(StreamExecutionEnvironment env, Map<String, String> params, String release, String jobName)
            throws Exception {
        String bootstrap = required(params, "bootstrap");
        long keys = Long.parseLong(params.getOrDefault("keys", "16"));
        long failAtRecord = Long.parseLong(params.getOrDefault("fail-at-record", "-1"));
        int fillBytes = StateFill.valueBytes(params);
        long fillKeys = StateFill.keys(StateFill.megabytes(params), fillBytes);
        env.enableCheckpointing(Long.parseLong(params.getOrDefault("checkpoint-interval", "1000")));

        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(required(params, "in"))
                .setGroupId(jobName)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();

        Optional<HandoverConfig> handover = handover(env, params);
        String prefix = params.getOrDefault("transactional-id-prefix", jobName);
        KafkaSink<String> sink = KafkaSink.<String>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(KafkaRecordSerializationSchema.builder()
                        .setTopic(required(params, "out"))
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(handover.map(h -> h.transactionalIdPrefix(prefix)).orElse(prefix))
                // below the broker's transaction.max.timeout.ms (15 min by default)
                .setProperty("transaction.timeout.ms", "600000")
                .build();

        final long keyCount = keys;
        WatermarkStrategy<String> watermarks = handover.isEmpty()
                ? WatermarkStrategy.noWatermarks()
                : WatermarkStrategy.<String>forBoundedOutOfOrderness(Duration.ofMillis(200))
                        .withTimestampAssigner((line, kafkaTimestamp) -> eventTime(line));
        if (params.containsKey("idleness")) {
            watermarks = watermarks.withIdleness(Duration.ofMillis(Long.parseLong(params.get("idleness"))));
        }
        boolean gateAtSource = handover.isPresent() && params.containsKey("gate-at-source");
        DataStream<String> input = env.fromSource(source, watermarks, "orders-in")
                .uid(SOURCE_UID)
                .name("orders-in");
        DataStream<String> counted = (gateAtSource ? HandoverGate.before(input, handover.get()) : input)
                .keyBy(line -> Long.parseLong(line.substring(0, line.indexOf(','))) % keyCount, Types.LONG)
                .transform("counter", Types.STRING,
                        new StateFill.Filling<>(new CountRecords(release, failAtRecord), fillKeys, fillBytes))
                .uid(StatefulCounterJob.COUNTER_UID)
                .name("counter");
        (handover.isEmpty() || gateAtSource ? counted : HandoverGate.before(counted, handover.get()))
                .sinkTo(sink)
                .uid(params.getOrDefault("sink-uid", handover.map(h -> h.sinkUid(SINK_UID)).orElse(SINK_UID)))
                .name("orders-out");
        env.execute(jobName);
    }

    /** --handover-path / --colour, else the job configuration's flink-deploy.handover.* keys, else none. */
    private static Optional<HandoverConfig> handover(StreamExecutionEnvironment env, Map<String, String> params) {
        String path = params.get("handover-path");
        String colour = params.get("colour");
        if (path == null && colour == null) {
            return HandoverConfig.from(env.getConfiguration());
        }
        if (path == null || colour == null) {
            throw new IllegalArgumentException("A hand-over needs both --handover-path and --colour");
        }
        return Optional.of(HandoverConfig.of(path, Colour.parse(colour)));
    }

    /** The input's "seq,eventTime" event time, in epoch milliseconds. */
    private static long eventTime(String line) {
        int comma = line.indexOf(',');
        int end = line.indexOf(',', comma + 1);
        return Long.parseLong(end < 0 ? line.substring(comma + 1) : line.substring(comma + 1, end));
    }

    private static String required(Map<String, String> params, String key) {
        String value = params.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("Kafka mode needs --" + key);
        }
        return value;
    }

    /** Counts records per key in a ValueState; the output keeps the input's sequence number. */
    static final class CountRecords extends KeyedProcessFunction<Long, String, String> {
        private static final long serialVersionUID = 1L;

        private final String release;
        private final long failAtRecord;
        private transient ValueState<Long> count;

        CountRecords(String release, long failAtRecord) {
            this.release = release;
            this.failAtRecord = failAtRecord;
        }

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(String line, Context ctx, Collector<String> out) throws Exception {
            String[] f = line.split(",", 2);
            long seq = Long.parseLong(f[0]);
            if (failAtRecord >= 0 && seq >= failAtRecord) {
                throw new IllegalStateException(
                        "Simulated bad release " + release + ": failing at record " + seq + " (--fail-at-record)");
            }
            Long current = count.value();
            long next = (current == null ? 0L : current) + 1L;
            count.update(next);
            out.collect(seq + "," + f[1] + "," + release + "," + ctx.getCurrentKey() + "," + next);
        }
    }

    private KafkaPipeline() {}
}
