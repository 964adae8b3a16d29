package dev.flinkdeploy.example;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * --state-mb N: about N MB of extra keyed state in the counter, as fill keys (negative, so they never mix with
 * counted keys) each holding a value of --state-value-bytes B (default 1024: N * 1024 keys) in ValueState
 * "fill". The same megabytes cost a restore more in small values (more keys to deserialise and insert) than
 * in large ones. The fill is not counted and writes no output. The generator job streams the fill keys through its source; the Kafka job, whose source is the input
 * topic the ledger counts, writes them in the counter itself ({@link Filling}).
 */
final class StateFill {

    /** --state-mb, checked. */
    static long megabytes(Map<String, String> params) {
        long mb = Long.parseLong(params.getOrDefault("state-mb", "0"));
        if (mb < 0) {
            throw new IllegalArgumentException("--state-mb must be 0 or more, got: " + mb);
        }
        return mb;
    }

    /** --state-value-bytes, checked: bytes of one fill value. */
    static int valueBytes(Map<String, String> params) {
        int bytes = Integer.parseInt(params.getOrDefault("state-value-bytes", "1024"));
        if (bytes < 1) {
            throw new IllegalArgumentException("--state-value-bytes must be 1 or more, got: " + bytes);
        }
        return bytes;
    }

    /** How many fill keys of `valueBytes` each hold `mb` MB. */
    static long keys(long mb, int valueBytes) {
        return mb * 1024L * 1024L / valueBytes;
    }

    /** The i-th fill key (i from 0). */
    static long key(long i) {
        return -(i + 1);
    }

    static ValueStateDescriptor<byte[]> descriptor() {
        return new ValueStateDescriptor<>("fill", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** Pseudo-random bytes, so that neither RocksDB nor snapshot compression shrinks the state. */
    static byte[] value(long key, int bytes) {
        byte[] value = new byte[bytes];
        new SplittableRandom(key).nextBytes(value);
        return value;
    }

    /**
     * The counter's operator, with the fill written while it initialises: each subtask that starts without
     * restored state puts the fill keys of its own key groups into "fill" before its first record, so the fill
     * takes no part in the stream (no source, no records, no watermarks) and a restored job does not fill again.
     */
    static final class Filling<IN, OUT> extends KeyedProcessOperator<Long, IN, OUT> {
        private static final long serialVersionUID = 1L;
        private final long fillKeys;
        private final int valueBytes;

        Filling(KeyedProcessFunction<Long, IN, OUT> function, long fillKeys, int valueBytes) {
            super(function);
            this.fillKeys = fillKeys;
            this.valueBytes = valueBytes;
        }

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            if (fillKeys == 0 || context.isRestored()) {
                return;
            }
            TaskInfo task = getRuntimeContext().getTaskInfo();
            int maxParallelism = task.getMaxNumberOfParallelSubtasks();
            KeyGroupRange own = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                    maxParallelism, task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
            ValueState<byte[]> fill = getPartitionedState(descriptor());
            for (long i = 0; i < fillKeys; i++) {
                Long key = key(i);
                if (own.contains(KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism))) {
                    setCurrentKey(key);
                    fill.update(value(key, valueBytes));
                }
            }
        }
    }

    private StateFill() {}
}
