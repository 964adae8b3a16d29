package dev.flinkdeploy.gate;

import java.util.Locale;

/**
 * A gate's part in the current hand-over, from its colour and the object's {@code from}: the job of the colour
 * that hands over is OLD (writes records before T), the other one NEW (standby, then records from T on). Colours
 * alternate between releases, so the green of one hand-over is the old side of the next.
 */
public enum Role {
    OLD,
    NEW;

    public static Role of(Colour colour, Handover handover) {
        return colour == handover.from() ? OLD : NEW;
    }

    /** "old" or "new", as the gate's {@code role} metric reports it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
