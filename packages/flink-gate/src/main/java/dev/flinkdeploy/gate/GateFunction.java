package dev.flinkdeploy.gate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One gate subtask. A daemon thread re-reads the hand-over object every poll interval; the task thread adopts
 * what it read before deciding on a record (and at each checkpoint, so an idle subtask still reports it), and the
 * metrics show what the task thread adopted, never more: "T seen" means every later record is decided with T.
 * Its role (old or new side of the hand-over) comes from its colour and the adopted object's {@code from}.
 */
final class GateFunction<T> extends ProcessFunction<T, T> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GateFunction.class);
    private static final int OPEN_READ_ATTEMPTS = 20;

    private final HandoverConfig config;

    private transient HandoverReader reader;
    private transient ScheduledExecutorService poller;
    private transient volatile Handover latest;
    private transient volatile Handover adopted;
    private transient volatile long watermark;
    private transient volatile long maxPassed;
    private transient volatile long maxDropped;
    private transient volatile boolean cutoverLate;
    private transient volatile boolean waiting;
    private transient volatile long readFailures;
    private transient volatile boolean inputIdle;
    private transient Counter passed;
    private transient Counter dropped;

    GateFunction(HandoverConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        reader = new HandoverReader(config.path());
        watermark = Long.MIN_VALUE;
        maxPassed = Long.MIN_VALUE;
        maxDropped = Long.MIN_VALUE;
        // A restarted subtask must decide its first record with the current object (a green restarted after the
        // switch must not fall back to standby), so the first read happens here and failing it fails the task.
        latest = firstRead();
        adopt();
        registerMetrics(getRuntimeContext().getMetricGroup().addGroup("handover"));
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "handover-gate " + reader);
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::poll, config.pollMillis(), config.pollMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Hand-over gate ({}) starts with {}", config, adopted);
    }

    @Override
    public void close() throws Exception {
        if (poller != null) {
            poller.shutdownNow();
        }
        super.close();
    }

    @Override
    public void processElement(T value, Context ctx, Collector<T> out) throws Exception {
        Long ts = ctx.timestamp();
        if (ts == null) {
            throw new IllegalStateException("Hand-over gate needs event time: a record reached it without a timestamp "
                    + "(assign timestamps and watermarks at the source)");
        }
        watermark = ctx.timerService().currentWatermark();
        adopt();
        Verdict verdict = Verdict.of(role(), adopted, ts);
        while (verdict == Verdict.WAIT) {
            waiting = true;
            Thread.sleep(Math.max(5L, config.pollMillis() / 5));
            adopt();
            verdict = Verdict.of(role(), adopted, ts);
        }
        waiting = false;
        if (verdict == Verdict.PASS) {
            maxPassed = Math.max(maxPassed, ts);
            passed.inc();
            out.collect(value);
        } else {
            maxDropped = Math.max(maxDropped, ts);
            dropped.inc();
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        adopt();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        // stateless: the hand-over object is the only truth, read again after every restore
    }

    /**
     * Called by {@link GateOperator} with the status of this subtask's input: IDLE when every upstream channel is
     * idle (a source split without records, a source subtask without splits), so neither records nor watermarks
     * reach the gate and its watermark stands still.
     */
    void inputIdle(boolean idle) {
        if (idle != inputIdle) {
            LOG.info("Hand-over gate ({}): input {}", config.colour().id(), idle ? "idle" : "active again");
        }
        inputIdle = idle;
    }

    private Role role() {
        return Role.of(config.colour(), adopted);
    }

    private void adopt() {
        Handover next = latest;
        Handover previous = adopted;
        if (next.equals(previous)) {
            return;
        }
        boolean newHandover = previous == null || !previous.knowsCutover() || previous.from() != next.from();
        if (!next.knowsCutover()) {
            cutoverLate = false;
        } else if (newHandover) {
            // Before this subtask knew T, the old side passed and the new side dropped everything (or, after an
            // earlier hand-over, passed everything past its T): if that included a record at or past T, this T
            // cannot split the stream exactly (the tool then needs a later T).
            long decidedBlind = Role.of(config.colour(), next) == Role.OLD ? maxPassed : maxDropped;
            cutoverLate = decidedBlind >= next.cutoverMillis();
        } else if (previous.cutoverMillis() != next.cutoverMillis()) {
            cutoverLate = false;
        }
        adopted = next;
        LOG.info("Hand-over gate ({}) adopts {} (was {})", config.colour().id(), next, previous);
    }

    private void poll() {
        try {
            Handover h = reader.read();
            if (h != null) {
                latest = h;
            }
        } catch (IOException | RuntimeException e) {
            readFailures++;
            LOG.warn("Hand-over gate could not read {}; keeping {}", reader, latest, e);
        }
    }

    private Handover firstRead() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            Handover h = reader.read();
            if (h != null) {
                return h;
            }
            if (attempt == OPEN_READ_ATTEMPTS) {
                throw new IOException("Hand-over object " + reader + " stayed empty over " + attempt + " reads");
            }
            Thread.sleep(Math.max(5L, config.pollMillis() / 5));
        }
    }

    private void registerMetrics(MetricGroup group) {
        passed = group.counter("recordsPassed");
        dropped = group.counter("recordsDropped");
        group.gauge("state", this::state);
        group.gauge("colour", () -> config.colour().id());
        group.gauge("role", () -> role().id());
        group.gauge("inputIdle", () -> inputIdle ? 1 : 0);
        group.gauge("cutoverSeen", () -> adopted.knowsCutover() ? 1 : 0);
        group.gauge("cutoverMillis", () -> adopted.knowsCutover() ? adopted.cutoverMillis() : -1L);
        group.gauge("version", () -> adopted.version());
        group.gauge("watermark", () -> watermark);
        group.gauge("maxPassedMillis", () -> maxPassed);
        group.gauge("maxDroppedMillis", () -> maxDropped);
        group.gauge("cutoverLate", () -> cutoverLate ? 1 : 0);
        group.gauge("waiting", () -> waiting ? 1 : 0);
        group.gauge("readFailures", () -> readFailures);
    }

    /** standby (new side without T), passing (old side without T), cutover-known, or green-passing (new side past T). */
    private String state() {
        Handover h = adopted;
        Role role = Role.of(config.colour(), h);
        if (!h.knowsCutover()) {
            return role == Role.OLD ? "passing" : "standby";
        }
        return role == Role.NEW && h.greenPasses() ? "green-passing" : "cutover-known";
    }
}
