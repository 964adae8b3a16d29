package dev.flinkdeploy.gate;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * The gate's operator: Flink's ProcessOperator around {@link GateFunction}, which also tells the function when
 * its input turns idle or active. A ProcessFunction never sees watermark statuses; the tool needs them to refuse a
 * hand-over whose cutover an idle input would let run ahead of its records.
 */
final class GateOperator<T> extends ProcessOperator<T, T> {
    private static final long serialVersionUID = 1L;

    GateOperator(GateFunction<T> gate) {
        super(gate);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        ((GateFunction<T>) getUserFunction()).inputIdle(status.isIdle());
        super.processWatermarkStatus(status);
    }
}
