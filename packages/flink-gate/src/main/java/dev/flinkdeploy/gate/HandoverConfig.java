package dev.flinkdeploy.gate;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the hand-over object lives, which colour this job is, and how often the gate re-reads the object. The
 * tool passes these in the job's configuration ({@link #PATH}, {@link #COLOUR}, {@link #POLL_INTERVAL}).
 */
public final class HandoverConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final ConfigOption<String> PATH = ConfigOptions.key("flink-deploy.handover.path")
            .stringType()
            .noDefaultValue()
            .withDescription("Location of the hand-over object (any Flink FileSystem: file://, s3://, hdfs://, gs://).");
    public static final ConfigOption<String> COLOUR = ConfigOptions.key("flink-deploy.handover.colour")
            .stringType()
            .noDefaultValue()
            .withDescription("blue or green, alternating between releases: the hand-over object's from names the "
                    + "colour that hands over (writes records before the cutover); the other one writes from the cutover on.");
    public static final ConfigOption<Duration> POLL_INTERVAL = ConfigOptions.key("flink-deploy.handover.poll-interval")
            .durationType()
            .defaultValue(Duration.ofMillis(500))
            .withDescription("How often each gate subtask re-reads the hand-over object.");

    private final String path;
    private final Colour colour;
    private final long pollMillis;

    private HandoverConfig(String path, Colour colour, long pollMillis) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("Hand-over gate needs the hand-over object's path (" + PATH.key() + ")");
        }
        if (pollMillis < 10) {
            throw new IllegalArgumentException(POLL_INTERVAL.key() + " must be at least 10 ms, got " + pollMillis + " ms");
        }
        this.path = path;
        this.colour = colour;
        this.pollMillis = pollMillis;
    }

    public static HandoverConfig of(String path, Colour colour) {
        return new HandoverConfig(path, colour, POLL_INTERVAL.defaultValue().toMillis());
    }

    public HandoverConfig withPollInterval(Duration interval) {
        return new HandoverConfig(path, colour, interval.toMillis());
    }

    /**
     * The hand-over settings of a job's configuration (e.g. {@code env.getConfiguration()}), or empty when the job
     * runs without a hand-over (no path and no colour). One without the other is an error.
     */
    public static Optional<HandoverConfig> from(ReadableConfig config) {
        Optional<String> path = config.getOptional(PATH);
        Optional<String> colour = config.getOptional(COLOUR);
        if (path.isEmpty() && colour.isEmpty()) {
            return Optional.empty();
        }
        if (path.isEmpty() || colour.isEmpty()) {
            throw new IllegalArgumentException("Hand-over gate needs both " + PATH.key() + " and " + COLOUR.key()
                    + " (got only " + (path.isPresent() ? PATH.key() : COLOUR.key()) + ")");
        }
        return Optional.of(new HandoverConfig(path.get(), Colour.parse(colour.get()), config.get(POLL_INTERVAL).toMillis()));
    }

    public String path() {
        return path;
    }

    public Colour colour() {
        return colour;
    }

    public long pollMillis() {
        return pollMillis;
    }

    /**
     * The uid for a transactional sink behind the gate: one per colour, so green does not restore blue's sink
     * state (blue's open transactions, which green's writer would abort, fencing blue). Green then starts with
     * allowNonRestoredState for blue's sink state.
     */
    public String sinkUid(String baseUid) {
        return baseUid + "-" + colour.id();
    }

    /** The transactional-id prefix for a sink behind the gate: one per colour, so neither side fences the other. */
    public String transactionalIdPrefix(String basePrefix) {
        return basePrefix + "-" + colour.id();
    }

    @Override
    public String toString() {
        return colour.id() + " gate reading " + path + " every " + pollMillis + " ms";
    }
}
