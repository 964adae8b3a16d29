package dev.flinkdeploy.gate;

/** What a gate does with one record. */
public enum Verdict {
    PASS,
    DROP,
    /** Green holds a record at or past T until the tool confirms every blue gate has seen T. */
    WAIT;

    /**
     * The whole rule, per record. The old side (the colour that hands over): everything until T is known, then
     * only event times before T. The new side: nothing until T is known (standby), never anything before T, and
     * records at or past T only once the object says greenPasses (the tool sets it after every old gate subtask
     * reported T seen); until then it waits rather than drops, because the old side, having seen T, drops them.
     */
    public static Verdict of(Role role, Handover handover, long eventTime) {
        if (!handover.knowsCutover()) {
            return role == Role.OLD ? PASS : DROP;
        }
        boolean before = eventTime < handover.cutoverMillis();
        if (role == Role.OLD) {
            return before ? PASS : DROP;
        }
        if (before) {
            return DROP;
        }
        return handover.greenPasses() ? PASS : WAIT;
    }
}
