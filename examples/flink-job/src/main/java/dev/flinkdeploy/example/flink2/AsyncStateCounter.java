package dev.flinkdeploy.example.flink2;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.v2.ValueState;
import org.apache.flink.api.common.state.v2.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Collections;

/**
 * The counter on Flink 2.x's async state API (State V2): {@code keyBy(...).enableAsyncState()} and a
 * {@code v2.ValueState} read and written through futures. Same uid, names, metrics and state names as the
 * synchronous counter, so savepoints of either restore into the other where the format allows it.
 *
 * <p>Compiled only against Flink 2.x (Maven profile {@code flink1} leaves this package out): Flink 1.20 ships the
 * State V2 interfaces but no {@code KeyedStream#enableAsyncState()} and no {@code RuntimeContext#getState} for
 * them, so a 1.20 DataStream job cannot use async state.
 *
 * <p>Flink 2.x refuses canonical savepoints of operators on async state (StreamOperatorStateHandler throws
 * {@code UnsupportedOperationException: Not supported yet.}); native savepoints work.
 */
public final class AsyncStateCounter {

    /** Called reflectively by StatefulCounterJob when --async-state is given. */
    public static SingleOutputStreamOperator<String> count(
            KeyedStream<Long, Long> keyed, String release, long failAfterSeconds) {
        return keyed.enableAsyncState().process(new AsyncCountPerKey(release, failAfterSeconds));
    }

    static final class AsyncCountPerKey extends KeyedProcessFunction<Long, Long, String>
            implements CheckpointedFunction {

        private static final long serialVersionUID = 1L;

        private final String release;
        private final long failAfterSeconds;

        private transient ValueState<Long> count;
        private transient ListState<Long> totalState;
        private transient long total;
        private transient long startedAtMillis;
        private transient Counter processedSinceStart;

        AsyncCountPerKey(String release, long failAfterSeconds) {
            this.release = release;
            this.failAfterSeconds = failAfterSeconds;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
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
            totalState.update(Collections.singletonList(total));
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            startedAtMillis = System.currentTimeMillis();
            processedSinceStart = getRuntimeContext().getMetricGroup().counter("processedSinceStart");
            getRuntimeContext().getMetricGroup().gauge("stateCount", (Gauge<Long>) () -> total);
            getRuntimeContext().getMetricGroup().gauge("release", (Gauge<String>) () -> release);
        }

        @Override
        public void processElement(Long n, Context ctx, Collector<String> out) throws Exception {
            if (failAfterSeconds > 0
                    && System.currentTimeMillis() - startedAtMillis > failAfterSeconds * 1000L) {
                throw new IllegalStateException(
                        "Simulated bad release " + release + ": failing after " + failAfterSeconds + "s (--fail-after)");
            }
            Long key = ctx.getCurrentKey();
            count.asyncValue().thenCompose(current -> {
                long next = (current == null ? 0L : current) + 1L;
                total++;
                processedSinceStart.inc();
                out.collect(release.equals("v2")
                        ? "v2|key=" + key + "|count=" + next + "|event=" + n
                        : "v1:" + key + ":" + next);
                return count.asyncUpdate(next);
            });
        }
    }

    private AsyncStateCounter() {}
}
