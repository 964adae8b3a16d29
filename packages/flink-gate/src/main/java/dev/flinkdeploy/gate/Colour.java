package dev.flinkdeploy.gate;

import java.util.Locale;

/** Which side of a hand-over a job is: blue writes records before the cutover, green from the cutover on. */
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
