package dev.flinkdeploy.example;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.HashMap;
import java.util.Map;

/**
 * Example stateful streaming job used by flink-deploy tests. Compiles unchanged against Flink 1.20 and 2.x
 * (only APIs present in both: DataGeneratorSource, Sink V2 DiscardingSink, OpenContext, CheckpointedFunction).
 *
 * <p>Topology (all operators have a fixed uid and name):
 * <pre>
 *   events (uid events-source)  --keyBy(n % keys)-->  counter (uid counter)  -->  discard (uid discard-sink)
 * </pre>
 *
 * <p>Arguments (hand-parsed, "--key value" or "--key=value"):
 * <ul>
 *   <li>--release v1|v2        output format tag; v2 only changes the emitted strings (state-compatible). Default v1.</li>
 *   <li>--rate N               events per second (whole job, split over source subtasks). Default 50.</li>
 *   <li>--keys N               number of distinct keys (event n has key n % keys). Default 100.</li>
 *   <li>--fail-after S         throw after the counter subtask has run S seconds (simulates a bad release). Default off.</li>
 *   <li>--topology incompatible  gives the stateful operator another uid (counter-incompatible): restoring a savepoint of
 *                              the normal topology then needs allowNonRestoredState=true (and the counts restart at 0).</li>
 *   <li>--restart-attempts N   fixed-delay restart strategy with N attempts, 1s delay (default: cluster setting).</li>
 *   <li>--name NAME            job name. Default "flink-deploy-example &lt;release&gt;".</li>
 *   <li>--async-state          Flink 2.x only: the counter keeps its keyed state through the async state API
 *                              (keyBy(...).enableAsyncState(), State V2). Flink 2.x refuses canonical savepoints of such
 *                              an operator; native ones work. Flink 1.20 has no DataStream async state API.</li>
 *   <li>--source kafka --sink kafka  Kafka mode (KafkaPipeline): Kafka in, keyed count, exactly-once Kafka out.</li>
 *   <li>--source socket --socket-port P  numbers, one per line, from localhost:P through Flink's socketTextStream: a
 *                              legacy SourceFunction that keeps no position in checkpoints, so it cannot replay (what
 *                              a last-state upgrade must refuse). Same topology and uids.</li>
 *   <li>--state-mb N           hold about N MB of extra keyed state: the source's first N MB / B numbers are fill
 *                              keys, emitted at full speed (the rate limit starts after them), each stored as a
 *                              value of B bytes (--state-value-bytes B, default 1024) in ValueState "fill" of the
 *                              counter ({@link StateFill}); then the normal stream runs. Fill
 *                              keys are negative, so they never mix with the counted keys, and are not counted
 *                              (stateCount is unchanged). A restored source continues after them: no second fill
 *                              (its first N MB / B numbers after a restore are unthrottled too).</li>
 * </ul>
 *
 * <p>Metrics of the counter operator (REST: GET /jobs/:jobid/vertices/:vertexid/metrics?get=0.counter.stateCount):
 * <ul>
 *   <li>stateCount  (gauge, long)   sum of all per-key counters held by this subtask = events counted since the very first
 *                                  release; restored from checkpoints/savepoints, so it continues after an upgrade.</li>
 *   <li>release     (gauge, string) value of --release.</li>
 *   <li>processedSinceStart (counter) events processed by this subtask since it (re)started.</li>
 * </ul>
 */
public final class StatefulCounterJob {

    public static final String SOURCE_UID = "events-source";
    public static final String COUNTER_UID = "counter";
    public static final String INCOMPATIBLE_COUNTER_UID = "counter-incompatible";
    public static final String SINK_UID = "discard-sink";

    public static void main(String[] args) throws Exception {
        Map<String, String> params = parseArgs(args);
        String release = params.getOrDefault("release", "v1");
        if (!release.equals("v1") && !release.equals("v2")) {
            throw new IllegalArgumentException("--release must be v1 or v2, got: " + release);
        }
        double rate = Double.parseDouble(params.getOrDefault("rate", "50"));
        long keys = Long.parseLong(params.getOrDefault("keys", "100"));
        long failAfterSeconds = Long.parseLong(params.getOrDefault("fail-after", "0"));
        String topology = params.getOrDefault("topology", "compatible");
        if (!topology.equals("compatible") && !topology.equals("incompatible")) {
            throw new IllegalArgumentException("--topology must be compatible or incompatible, got: " + topology);
        }
        String jobName = params.getOrDefault("name", "flink-deploy-example " + release);
        long stateMb = StateFill.megabytes(params);
        int fillBytes = StateFill.valueBytes(params);
        if (stateMb > 0 && params.containsKey("async-state")) {
            throw new IllegalArgumentException("--state-mb is not supported with --async-state");
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setMaxParallelism(128);
        if (params.containsKey("restart-attempts")) {
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                    Integer.parseInt(params.get("restart-attempts")));
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
            env.configure(conf);
        }
        String sourceKind = params.getOrDefault("source", "generator");
        String sinkKind = params.getOrDefault("sink", "discard");
        if (sourceKind.equals("kafka") && sinkKind.equals("kafka")) {
            KafkaPipeline.run(env, params, release, jobName);
            return;
        }
        if (!(sourceKind.equals("generator") || sourceKind.equals("socket")) || !sinkKind.equals("discard")) {
            throw new IllegalArgumentException(
                    "--source/--sink: kafka and kafka, or generator or socket and discard (the default), got: " + sourceKind + " and " + sinkKind);
        }

        // The first fillKeys numbers of the sequence are fill keys, at full speed; the counted events follow.
        final long fillKeys = StateFill.keys(stateMb, fillBytes);
        DataGeneratorSource<Long> source = new DataGeneratorSource<>(
                (GeneratorFunction<Long, Long>) n -> n < fillKeys ? StateFill.key(n) : n - fillKeys,
                Long.MAX_VALUE,
                fillKeys > 0 ? new FreeFirst(RateLimiterStrategy.perSecond(rate), fillKeys) : RateLimiterStrategy.perSecond(rate),
                Types.LONG);

        DataStream<Long> events = sourceKind.equals("socket")
                ? env.socketTextStream("localhost", Integer.parseInt(params.get("socket-port")))
                        .uid(SOURCE_UID)
                        .name("events")
                        .map((MapFunction<String, Long>) line -> Long.parseLong(line.trim()))
                        .returns(Types.LONG)
                        .uid("parse")
                        .name("parse")
                : env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                        .uid(SOURCE_UID)
                        .name("events");

        final long keyCount = keys;
        // Fill keys are negative and keep their own value as key; counted events are 0 or more.
        KeyedStream<Long, Long> keyed = events.keyBy(n -> n < 0 ? n : n % keyCount, Types.LONG);
        SingleOutputStreamOperator<String> counter = params.containsKey("async-state")
                ? asyncStateCounter(keyed, release, failAfterSeconds)
                : keyed.process(new CountPerKey(release, failAfterSeconds, fillBytes));
        DataStream<String> counted = counter
                .uid(topology.equals("incompatible") ? INCOMPATIBLE_COUNTER_UID : COUNTER_UID)
                .name("counter");

        counted.sinkTo(new DiscardingSink<>())
                .uid(SINK_UID)
                .name("discard");

        env.execute(jobName);
    }

    /**
     * The first `free` permits of each reader are granted at once, the rest by `inner`. Flink 1.20's RateLimiter
     * has acquire(), 2.x's acquire(int) and split notifications, so the limiter is a proxy of whichever interface
     * this Flink has.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class FreeFirst implements RateLimiterStrategy {
        private static final long serialVersionUID = 1L;
        private final RateLimiterStrategy inner;
        private final long free;

        FreeFirst(RateLimiterStrategy inner, long free) {
            this.inner = inner;
            this.free = free;
        }

        @Override
        public RateLimiter createRateLimiter(int parallelism) {
            RateLimiter limiter = inner.createRateLimiter(parallelism);
            long[] left = {free};
            return (RateLimiter) Proxy.newProxyInstance(
                    RateLimiter.class.getClassLoader(),
                    new Class<?>[] {RateLimiter.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("acquire") && left[0] > 0) {
                            left[0] -= args == null ? 1 : ((Number) args[0]).longValue();
                            return CompletableFuture.completedFuture(null);
                        }
                        try {
                            return method.invoke(limiter, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    /** The async state counter is compiled only against Flink 2.x, so it is looked up by name. */
    @SuppressWarnings("unchecked")
    private static SingleOutputStreamOperator<String> asyncStateCounter(
            KeyedStream<Long, Long> keyed, String release, long failAfterSeconds) throws Exception {
        Class<?> counter;
        try {
            counter = Class.forName("dev.flinkdeploy.example.flink2.AsyncStateCounter");
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(
                    "--async-state needs Flink 2.x: this jar was built for Flink 1.x, which has no async state API");
        }
        return (SingleOutputStreamOperator<String>) counter
                .getMethod("count", KeyedStream.class, String.class, long.class)
                .invoke(null, keyed, release, failAfterSeconds);
    }

    /** Counts events per key in a ValueState and keeps a per-subtask total in operator (list) state. */
    public static final class CountPerKey extends KeyedProcessFunction<Long, Long, String>
            implements CheckpointedFunction {

        private static final long serialVersionUID = 1L;

        private final String release;
        private final long failAfterSeconds;
        private final int fillBytes;

        private transient ValueState<Long> count;
        private transient ValueState<byte[]> fill;
        private transient ListState<Long> totalState;
        private transient long total;
        private transient long startedAtMillis;
        private transient Counter processedSinceStart;

        public CountPerKey(String release, long failAfterSeconds, int fillBytes) {
            this.release = release;
            this.failAfterSeconds = failAfterSeconds;
            this.fillBytes = fillBytes;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            // Even-split redistribution: after rescaling each subtask gets a share of the old totals,
            // so the sum over all subtasks still equals the number of events counted.
            totalState = context.getOperatorStateStore()
                    .getListState(new ListStateDescriptor<>("total", Types.LONG));
            total = 0L;
            if (context.isRestored()) {
                for (Long t : totalState.get()) {
                    total += t;
                }
            }
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            totalState.update(java.util.Collections.singletonList(total));
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            fill = getRuntimeContext().getState(StateFill.descriptor());
            startedAtMillis = System.currentTimeMillis();
            processedSinceStart = getRuntimeContext().getMetricGroup().counter("processedSinceStart");
            getRuntimeContext().getMetricGroup().gauge("stateCount", (Gauge<Long>) () -> total);
            getRuntimeContext().getMetricGroup().gauge("release", (Gauge<String>) () -> release);
        }

        @Override
        public void processElement(Long n, Context ctx, Collector<String> out) throws Exception {
            if (n < 0) {
                fill.update(StateFill.value(n, fillBytes));
                return;
            }
            if (failAfterSeconds > 0
                    && System.currentTimeMillis() - startedAtMillis > failAfterSeconds * 1000L) {
                throw new IllegalStateException(
                        "Simulated bad release " + release + ": failing after " + failAfterSeconds + "s (--fail-after)");
            }
            Long current = count.value();
            long next = (current == null ? 0L : current) + 1L;
            count.update(next);
            total++;
            processedSinceStart.inc();
            Long key = ctx.getCurrentKey();
            if (release.equals("v2")) {
                out.collect("v2|key=" + key + "|count=" + next + "|event=" + n);
            } else {
                out.collect("v1:" + key + ":" + next);
            }
        }
    }

    static Map<String, String> parseArgs(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument: " + a);
            }
            String key = a.substring(2);
            int eq = key.indexOf('=');
            if (eq >= 0) {
                out.put(key.substring(0, eq), key.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                out.put(key, args[++i]);
            } else {
                out.put(key, "true");
            }
        }
        return out;
    }

    private StatefulCounterJob() {}
}
