package dev.flinkdeploy.gate;

import java.util.Locale;

/**
 * A job's colour: each colour has its own sink uid and transactional-id prefix, and colours alternate between
 * releases. Which side of a hand-over a colour is comes from the hand-over object ({@link Role#of}).
 */
public enum Colour {
    BLUE,
    GREEN;

    /** "blue" or "green", any case; anything else is a clear error (a typo must not silently make a blue). */
    public static Colour parse(String value) {
        if (value != null) {
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "blue":
                    return BLUE;
                case "green":
                    return GREEN;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException(
                "Hand-over colour must be 'blue' or 'green', got " + (value == null ? "nothing" : "'" + value + "'"));
    }

    /** Lower-case name, as used in uids, transactional-id prefixes and the job's configuration. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
