package dev.flinkdeploy.gate;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The one call a job adds in front of its sinks for an exactly-once blue-green hand-over:
 *
 * <pre>
 *   stream = HandoverGate.before(stream, HandoverConfig.of(path, Colour.parse(colour)));
 * </pre>
 *
 * The gate decides per record, from its event time against the cutover T in the hand-over object, whether this
 * job writes it (see {@link Verdict#of}). It runs chained to its input, with the input's parallelism.
 */
public final class HandoverGate {
    /** Operator name (and default uid) the tool looks for in the job's plan and metrics. */
    public static final String OPERATOR_NAME = "handover-gate";

    public static <T> DataStream<T> before(DataStream<T> stream, HandoverConfig config) {
        return before(stream, config, OPERATOR_NAME);
    }

    /** With an own uid, for a job with more than one gate (one per sink). */
    public static <T> DataStream<T> before(DataStream<T> stream, HandoverConfig config, String uid) {
        SingleOutputStreamOperator<T> gated = stream
                .transform(OPERATOR_NAME, stream.getType(), new GateOperator<>(new GateFunction<T>(config)))
                .uid(uid);
        return gated.setParallelism(stream.getParallelism());
    }

    private HandoverGate() {}
}
