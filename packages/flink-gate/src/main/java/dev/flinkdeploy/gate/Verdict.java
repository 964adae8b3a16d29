package dev.flinkdeploy.gate;

/** What a gate does with one record. */
public enum Verdict {
    PASS,
    DROP,
    /** Green holds a record at or past T until the tool confirms every blue gate has seen T. */
    WAIT;

    /**
     * The whole rule, per record. Blue: everything until T is known, then only event times before T. Green:
     * nothing until T is known (standby), never anything before T, and records at or past T only once the object
     * says greenPasses (the tool sets it after every blue gate subtask reported T seen); until then it waits rather
     * than drops, because blue, having seen T, drops them.
     */
    public static Verdict of(Colour colour, Handover handover, long eventTime) {
        if (!handover.knowsCutover()) {
            return colour == Colour.BLUE ? PASS : DROP;
        }
        boolean before = eventTime < handover.cutoverMillis();
        if (colour == Colour.BLUE) {
            return before ? PASS : DROP;
        }
        if (before) {
            return DROP;
        }
        return handover.greenPasses() ? PASS : WAIT;
    }
}
