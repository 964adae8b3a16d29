package dev.flinkdeploy.gate;

import java.io.Serializable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hand-over object the tool publishes, e.g. {@code {"version": 2, "from": "green", "cutoverMillis":
 * 1765000000000, "greenPasses": true}}: {@code from} is the colour that hands over (absent: blue, as before
 * hand-overs could repeat). Without a cutover (no object, or no cutoverMillis) nothing is handed over yet.
 */
public final class Handover implements Serializable {
    private static final long serialVersionUID = 1L;

    /** No hand-over in progress: blue writes everything, green nothing. */
    public static final Handover NONE = new Handover(0L, Colour.BLUE, Long.MIN_VALUE, false);

    private static final Pattern VERSION = field("version", "(-?\\d+)");
    private static final Pattern CUTOVER = field("cutoverMillis", "(-?\\d+)");
    private static final Pattern GREEN_PASSES = field("greenPasses", "(true|false)");
    private static final Pattern FROM = field("from", "\"([^\"]*)\"");

    private final long version;
    private final Colour from;
    private final long cutoverMillis;
    private final boolean greenPasses;

    public Handover(long version, Colour from, long cutoverMillis, boolean greenPasses) {
        this.version = version;
        this.from = from;
        this.cutoverMillis = cutoverMillis;
        this.greenPasses = greenPasses;
    }

    /**
     * Parses the object's JSON. Only the four fields matter; the tool may add others. A document that is not an
     * object, or whose fields have the wrong type, is an error: guessing could let a record through twice.
     */
    public static Handover parse(String json) {
        String text = json.trim();
        if (!text.startsWith("{") || !text.endsWith("}")) {
            throw new IllegalArgumentException("Hand-over object is not a JSON object: " + abbreviate(text));
        }
        Long cutover = longField(CUTOVER, text, "cutoverMillis");
        Long version = longField(VERSION, text, "version");
        Colour from = fromField(text);
        long v = version == null ? 0L : version;
        Matcher green = GREEN_PASSES.matcher(text);
        boolean greenPasses = green.find() && Boolean.parseBoolean(green.group(1));
        if (text.contains("\"greenPasses\"") && !GREEN_PASSES.matcher(text).find()) {
            throw new IllegalArgumentException("Hand-over object: greenPasses is not true or false: " + abbreviate(text));
        }
        if (greenPasses && cutover == null) {
            throw new IllegalArgumentException("Hand-over object: greenPasses without cutoverMillis: " + abbreviate(text));
        }
        return cutover == null ? new Handover(v, from, Long.MIN_VALUE, false) : new Handover(v, from, cutover, greenPasses);
    }

    public boolean knowsCutover() {
        return cutoverMillis != Long.MIN_VALUE;
    }

    public long version() {
        return version;
    }

    /** The colour that hands over: its gates pass records before T, the other colour's from T on. */
    public Colour from() {
        return from;
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
        return version == h.version && from == h.from && cutoverMillis == h.cutoverMillis && greenPasses == h.greenPasses;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version) * 31 + from.hashCode() * 13 + Long.hashCode(cutoverMillis) * 7 + (greenPasses ? 1 : 0);
    }

    @Override
    public String toString() {
        return knowsCutover()
                ? "{version " + version + ", from " + from.id() + ", cutoverMillis " + cutoverMillis + ", greenPasses "
                        + greenPasses + "}"
                : "{version " + version + ", from " + from.id() + ", no cutover}";
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

    /** A colour that is not blue or green would give both jobs the same role: an error, not a guess. */
    private static Colour fromField(String text) {
        Matcher m = FROM.matcher(text);
        if (m.find()) {
            try {
                return Colour.parse(m.group(1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Hand-over object: from is not blue or green: " + abbreviate(text));
            }
        }
        if (text.contains("\"from\"")) {
            throw new IllegalArgumentException("Hand-over object: from is not a string: " + abbreviate(text));
        }
        return Colour.BLUE;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
