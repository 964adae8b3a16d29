package dev.flinkdeploy.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/** The gate on Flink's MiniCluster: records 0..N-1 whose event time is their value, through a gate of parallelism 2. */
class HandoverGateTest {
    private static final long N = 2_000;
    private static final long T = 1_234;

    @TempDir
    Path dir;

    @Test
    void blueWritesEverythingUntilTheCutoverIsKnown() throws Exception {
        assertEquals(all(), run(Colour.BLUE, null));
    }

    @Test
    void greenInStandbyWritesNothing() throws Exception {
        assertEquals(Set.of(), run(Colour.GREEN, null));
        assertEquals(Set.of(), run(Colour.GREEN, "{\"version\": 1}"));
    }

    @Test
    void theCutoverSplitsTheStreamExactly() throws Exception {
        String handover = "{\"version\": 2, \"cutoverMillis\": " + T + ", \"greenPasses\": true}";
        Set<Long> blue = run(Colour.BLUE, handover);
        Set<Long> green = run(Colour.GREEN, handover);
        assertEquals(range(0, T), blue);
        assertEquals(range(T, N), green);
        Set<Long> both = new HashSet<>(blue);
        both.retainAll(green);
        assertEquals(Set.of(), both, "no record written by both");
        Set<Long> union = new HashSet<>(blue);
        union.addAll(green);
        assertEquals(all(), union, "no record written by neither");
    }

    @Test
    void theNextHandOverGoesFromGreenToBlue() throws Exception {
        // colours alternate: the green of the last hand-over is the old side of this one
        String handover = "{\"version\": 2, \"from\": \"green\", \"cutoverMillis\": " + T + ", \"greenPasses\": true}";
        RecordingReporter.METRICS.clear();
        Set<Long> green = run(Colour.GREEN, handover);
        assertEquals(List.of("old", "old"), values("role"));
        RecordingReporter.METRICS.clear();
        Set<Long> blue = run(Colour.BLUE, handover);
        assertEquals(List.of("new", "new"), values("role"));
        assertEquals(List.of("green-passing", "green-passing"), values("state"));
        assertEquals(range(0, T), green);
        assertEquals(range(T, N), blue);

        RecordingReporter.METRICS.clear();
        assertEquals(all(), run(Colour.GREEN, "{\"version\": 0, \"from\": \"green\"}"));
        assertEquals(List.of("passing", "passing"), values("state"));
        RecordingReporter.METRICS.clear();
        assertEquals(Set.of(), run(Colour.BLUE, "{\"version\": 0, \"from\": \"green\"}"));
        assertEquals(List.of("standby", "standby"), values("state"));
    }

    @Test
    void greenWaitsAtTheCutoverUntilTheObjectLetsItPass() throws Exception {
        RecordingReporter.METRICS.clear();
        Path object = write("{\"version\": 1, \"cutoverMillis\": " + T + "}");
        // blue, having seen T, drops records at or past T: green must hold them, not drop them, until the tool
        // has seen every blue subtask adopt T and sets greenPasses.
        CompletableFuture<Void> confirm = CompletableFuture.runAsync(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(1_500);
                write("{\"version\": 2, \"cutoverMillis\": " + T + ", \"greenPasses\": true}");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long start = System.nanoTime();
        Set<Long> green = collect(Colour.GREEN, object);
        confirm.get();
        assertEquals(range(T, N), green);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(1_500), "green waited for greenPasses");
        assertEquals(T, counters("recordsDropped"), "green dropped only records before T");
    }

    @Test
    void eachGateSubtaskReportsItsState() throws Exception {
        RecordingReporter.METRICS.clear();
        run(Colour.BLUE, "{\"version\": 3, \"cutoverMillis\": " + T + "}");
        List<String> states = values("state");
        assertEquals(List.of("cutover-known", "cutover-known"), states);
        assertEquals(List.of(1, 1), values("cutoverSeen"));
        assertEquals(List.of(T, T), values("cutoverMillis"));
        assertEquals(List.of(3L, 3L), values("version"));
        assertEquals(List.of("blue", "blue"), values("colour"));
        assertEquals(List.of("old", "old"), values("role"));
        assertEquals(List.of(0, 0), values("inputIdle"));
        assertEquals(List.of(0, 0), values("cutoverLate"));
        long passed = counters("recordsPassed");
        long dropped = counters("recordsDropped");
        assertEquals(T, passed);
        assertEquals(N - T, dropped);
        List<Long> maxPassed = values("maxPassedMillis");
        assertEquals(T - 1, maxPassed.stream().mapToLong(Long::longValue).max().getAsLong());
        for (Object wm : values("watermark")) {
            assertTrue((Long) wm < T, "watermark " + wm + " is one the gate saw while records still came");
        }

        RecordingReporter.METRICS.clear();
        run(Colour.GREEN, null);
        assertEquals(List.of("standby", "standby"), values("state"));
        assertEquals(List.of("new", "new"), values("role"));
        assertEquals(List.of(-1L, -1L), values("cutoverMillis"));
        assertEquals(N, counters("recordsDropped"));
    }

    @Test
    void aBlueThatPassedRecordsAtOrPastTBeforeSeeingTReportsTheCutoverLate() throws Exception {
        // the object (T = 0) appears only once a record came through the gate: T is in the gate's past
        RecordingReporter.METRICS.clear();
        Path object = dir.resolve("late.json");
        StreamExecutionEnvironment env = environment();
        DataStream<Long> gated = HandoverGate.before(slowSource(env), HandoverConfig.of(object.toUri().toString(), Colour.BLUE)
                .withPollInterval(java.time.Duration.ofMillis(20)));
        Set<Long> out = drain(gated.map(new PublishOnFirstRecord(object.toString(), "{\"version\": 1, \"cutoverMillis\": 0}"))
                .setParallelism(1));
        assertTrue(out.size() < N, "blue dropped records at or past T once it read T");
        assertTrue(values("cutoverLate").contains(1), "cutoverLate " + values("cutoverLate"));
    }

    @Test
    void aGreenThatPassedRecordsPastItsLastTBeforeHandingOverReportsTheNextCutoverLate() throws Exception {
        // green took over at T = 0 and passes everything; the next hand-over, from green, publishes a T it passed
        RecordingReporter.METRICS.clear();
        Path object = write("{\"version\": 2, \"cutoverMillis\": 0, \"greenPasses\": true}");
        StreamExecutionEnvironment env = environment();
        DataStream<Long> gated = HandoverGate.before(slowSource(env), HandoverConfig.of(object.toUri().toString(), Colour.GREEN)
                .withPollInterval(java.time.Duration.ofMillis(20)));
        Set<Long> out = drain(gated.map(new PublishOnFirstRecord(object.toString(),
                        "{\"version\": 1, \"from\": \"green\", \"cutoverMillis\": 0}"))
                .setParallelism(1));
        assertTrue(out.size() < N, "green, now the old side with T, dropped records at or past T");
        assertTrue(values("cutoverLate").contains(1), "cutoverLate " + values("cutoverLate"));
        assertEquals(List.of("old", "old"), values("role"));
    }

    @Test
    void aSubtaskWhoseInputIsIdleReportsIt() throws Exception {
        // every record goes to subtask 0: subtask 1's timestamp assigner sees none and marks its output idle
        RecordingReporter.METRICS.clear();
        StreamExecutionEnvironment env = environment();
        DataStream<Long> source = env.fromSequence(0, N - 1)
                .setParallelism(1)
                .map(v -> {
                    if (v % 20 == 0) {
                        Thread.sleep(10);
                    }
                    return v;
                })
                .setParallelism(1)
                .partitionCustom((key, partitions) -> 0, v -> v)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Long>forMonotonousTimestamps()
                        .withTimestampAssigner((v, previous) -> v)
                        .withIdleness(java.time.Duration.ofMillis(100)))
                .setParallelism(2);
        Set<Boolean> idle0 = new java.util.concurrent.ConcurrentSkipListSet<>();
        Set<Boolean> idle1 = new java.util.concurrent.ConcurrentSkipListSet<>();
        java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            List<Object> idle = values("inputIdle");
            if (idle.size() == 2) {
                idle0.add(Integer.valueOf(1).equals(idle.get(0)));
                idle1.add(Integer.valueOf(1).equals(idle.get(1)));
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
        try {
            Set<Long> out = drain(HandoverGate.before(source, HandoverConfig.of(dir.resolve("absent.json").toUri().toString(), Colour.BLUE)));
            assertEquals(all(), out);
        } finally {
            sampler.shutdownNow();
        }
        assertEquals(Set.of(false), idle0, "subtask 0 had records");
        assertTrue(idle1.contains(true), "subtask 1 reported its idle input: " + idle1);
    }

    // --- helpers

    private Set<Long> run(Colour colour, String handover) throws Exception {
        Path object = handover == null ? dir.resolve("absent.json") : write(handover);
        return collect(colour, object);
    }

    private Set<Long> collect(Colour colour, Path object) throws Exception {
        StreamExecutionEnvironment env = environment();
        DataStream<Long> source = env.fromSequence(0, N - 1)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Long>forMonotonousTimestamps()
                        .withTimestampAssigner((v, previous) -> v));
        return drain(HandoverGate.before(source, HandoverConfig.of(object.toUri().toString(), colour)
                .withPollInterval(java.time.Duration.ofMillis(50))));
    }

    /** Records 0..N-1 (event time = value), about 0.2 ms apart, rebalanced over 2 subtasks. */
    private static DataStream<Long> slowSource(StreamExecutionEnvironment env) {
        return env.fromSequence(0, N - 1)
                .map(v -> {
                    if (v % 50 == 0) {
                        Thread.sleep(10);
                    }
                    return v;
                })
                .setParallelism(1)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Long>forMonotonousTimestamps()
                        .withTimestampAssigner((v, previous) -> v))
                .setParallelism(1)
                .rebalance()
                .map(v -> v)
                .setParallelism(2);
    }

    /** Writes a hand-over object when the first record passes: what a tool publishing too late does. */
    private static final class PublishOnFirstRecord extends org.apache.flink.api.common.functions.RichMapFunction<Long, Long> {
        private static final long serialVersionUID = 1L;
        private final String location;
        private final String json;
        private transient boolean published;

        PublishOnFirstRecord(String location, String json) {
            this.location = location;
            this.json = json;
        }

        @Override
        public Long map(Long value) throws Exception {
            if (!published) {
                Path tmp = Path.of(location + ".tmp");
                Files.writeString(tmp, json, StandardCharsets.UTF_8);
                Files.move(tmp, Path.of(location), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                published = true;
            }
            return value;
        }
    }

    private static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.recording.factory.class", RecordingReporter.class.getName());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    private static Set<Long> drain(DataStream<Long> stream) throws Exception {
        List<Long> out = new ArrayList<>();
        try (CloseableIterator<Long> it = stream.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        Set<Long> unique = new HashSet<>(out);
        assertEquals(out.size(), unique.size(), "a record came out twice");
        return unique;
    }

    private Path write(String json) throws Exception {
        Path object = dir.resolve("handover.json");
        Path tmp = dir.resolve("handover.json.tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, object, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return object;
    }

    @SuppressWarnings("unchecked")
    private static <V> List<V> values(String name) {
        return metrics(name).stream().map(m -> (V) ((Gauge<?>) m).getValue()).collect(Collectors.toList());
    }

    private static long counters(String name) {
        return metrics(name).stream().mapToLong(m -> ((Counter) m).getCount()).sum();
    }

    /** The metric `name` of each gate subtask, by subtask: identifiers end in "handover-gate.<subtask>.handover.<name>". */
    private static List<Metric> metrics(String name) {
        Pattern id = Pattern.compile(".*\\.handover-gate\\.\\d+\\.handover\\." + Pattern.quote(name));
        return RecordingReporter.METRICS.entrySet().stream()
                .filter(e -> id.matcher(e.getKey()).matches())
                .sorted(Map.Entry.comparingByKey())
                .map(Map.Entry::getValue)
                .collect(Collectors.toList());
    }

    private static Set<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().collect(Collectors.toSet());
    }

    private static Set<Long> all() {
        return range(0, N);
    }
}
