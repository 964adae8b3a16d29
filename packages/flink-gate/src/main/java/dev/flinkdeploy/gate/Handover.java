package dev.flinkdeploy.gate;

import java.io.Serializable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hand-over object the tool publishes, e.g. {@code {"version": 2, "cutoverMillis": 1765000000000,
 * "greenPasses": true}}. Without a cutover (no object, or no cutoverMillis) nothing is handed over yet.
 */
public final class Handover implements Serializable {
    private static final long serialVersionUID = 1L;

    /** No hand-over in progress: blue writes everything, green nothing. */
    public static final Handover NONE = new Handover(0L, Long.MIN_VALUE, false);

    private static final Pattern VERSION = field("version", "(-?\\d+)");
    private static final Pattern CUTOVER = field("cutoverMillis", "(-?\\d+)");
    private static final Pattern GREEN_PASSES = field("greenPasses", "(true|false)");

    private final long version;
    private final long cutoverMillis;
    private final boolean greenPasses;

    public Handover(long version, long cutoverMillis, boolean greenPasses) {
        this.version = version;
        this.cutoverMillis = cutoverMillis;
        this.greenPasses = greenPasses;
    }

    /**
     * Parses the object's JSON. Only the three fields matter; the tool may add others. A document that is not an
     * object, or whose fields have the wrong type, is an error: guessing could let a record through twice.
     */
    public static Handover parse(String json) {
        String text = json.trim();
        if (!text.startsWith("{") || !text.endsWith("}")) {
            throw new IllegalArgumentException("Hand-over object is not a JSON object: " + abbreviate(text));
        }
        Long cutover = longField(CUTOVER, text, "cutoverMillis");
        Long version = longField(VERSION, text, "version");
        Matcher green = GREEN_PASSES.matcher(text);
        boolean greenPasses = green.find() && Boolean.parseBoolean(green.group(1));
        if (text.contains("\"greenPasses\"") && !GREEN_PASSES.matcher(text).find()) {
            throw new IllegalArgumentException("Hand-over object: greenPasses is not true or false: " + abbreviate(text));
        }
        if (greenPasses && cutover == null) {
            throw new IllegalArgumentException("Hand-over object: greenPasses without cutoverMillis: " + abbreviate(text));
        }
        return cutover == null
                ? new Handover(version == null ? 0L : version, Long.MIN_VALUE, false)
                : new Handover(version == null ? 0L : version, cutover, greenPasses);
    }

    public boolean knowsCutover() {
        return cutoverMillis != Long.MIN_VALUE;
    }

    public long version() {
        return version;
    }

    /** The cutover T in event-time milliseconds; only meaningful if {@link #knowsCutover()}. */
    public long cutoverMillis() {
        return cutoverMillis;
    }

    public boolean greenPasses() {
        return greenPasses;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Handover)) {
            return false;
        }
        Handover h = (Handover) o;
        return version == h.version && cutoverMillis == h.cutoverMillis && greenPasses == h.greenPasses;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version) * 31 + Long.hashCode(cutoverMillis) * 7 + (greenPasses ? 1 : 0);
    }

    @Override
    public String toString() {
        return knowsCutover()
                ? "{version " + version + ", cutoverMillis " + cutoverMillis + ", greenPasses " + greenPasses + "}"
                : "{version " + version + ", no cutover}";
    }

    private static Pattern field(String name, String value) {
        return Pattern.compile("\"" + name + "\"\\s*:\\s*" + value + "\\s*[,}]");
    }

    private static Long longField(Pattern pattern, String text, String name) {
        Matcher m = pattern.matcher(text);
        if (m.find()) {
            return Long.parseLong(m.group(1));
        }
        if (text.contains("\"" + name + "\"")) {
            throw new IllegalArgumentException("Hand-over object: " + name + " is not an integer: " + abbreviate(text));
        }
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
