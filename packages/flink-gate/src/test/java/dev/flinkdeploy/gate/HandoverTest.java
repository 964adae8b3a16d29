package dev.flinkdeploy.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.Optional;

/** The hand-over object, the rule per record and the job-configuration keys, without a cluster. */
class HandoverTest {

    @Test
    void parsesTheObjectAndIgnoresOtherFields() {
        Handover h = Handover.parse("{ \"version\": 4, \"cutoverMillis\": 1765000000000, \"greenPasses\": true, \"by\": \"x\" }");
        assertEquals(new Handover(4, Colour.BLUE, 1765000000000L, true), h);
        assertFalse(Handover.parse("{\"version\": 1}").knowsCutover());
        assertFalse(Handover.parse("{\"cutoverMillis\": 5}").greenPasses());
        assertEquals(Colour.GREEN, Handover.parse("{\"version\": 1, \"from\": \"green\", \"cutoverMillis\": 5}").from());
        assertEquals(Colour.GREEN, Handover.parse("{\"from\" : \"green\"}").from());
        assertEquals(Colour.BLUE, Handover.parse("{\"version\": 1}").from(), "without from, blue hands over");
    }

    @Test
    void refusesWhatCouldLetARecordThroughTwice() {
        for (String bad : new String[] {
            "[]", "cutoverMillis: 5", "{\"cutoverMillis\": \"5\"}", "{\"cutoverMillis\": 5, \"greenPasses\": \"yes\"}",
            "{\"greenPasses\": true}", "{\"from\": \"red\"}", "{\"from\": 1}"
        }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Handover.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("Hand-over object"), e.getMessage());
        }
    }

    @Test
    void everyEventTimeIsWrittenByExactlyOneSideOnceGreenPasses() {
        Handover published = new Handover(1, Colour.BLUE, 100, false);
        Handover confirmed = new Handover(2, Colour.BLUE, 100, true);
        for (long ts = 90; ts < 110; ts++) {
            Verdict old = Verdict.of(Role.OLD, confirmed, ts);
            Verdict next = Verdict.of(Role.NEW, confirmed, ts);
            assertTrue((old == Verdict.PASS) != (next == Verdict.PASS), "ts " + ts);
            assertEquals(ts < 100 ? Verdict.PASS : Verdict.DROP, Verdict.of(Role.OLD, published, ts));
            assertEquals(ts < 100 ? Verdict.DROP : Verdict.WAIT, Verdict.of(Role.NEW, published, ts));
            assertEquals(Verdict.PASS, Verdict.of(Role.OLD, Handover.NONE, ts));
            assertEquals(Verdict.DROP, Verdict.of(Role.NEW, Handover.NONE, ts));
        }
    }

    @Test
    void theRoleComesFromTheColourThatHandsOver() {
        Handover fromBlue = Handover.parse("{\"version\": 2, \"cutoverMillis\": 100, \"greenPasses\": true}");
        Handover fromGreen = Handover.parse("{\"version\": 0, \"from\": \"green\"}");
        assertEquals(Role.OLD, Role.of(Colour.BLUE, fromBlue));
        assertEquals(Role.NEW, Role.of(Colour.GREEN, fromBlue));
        assertEquals(Role.OLD, Role.of(Colour.GREEN, fromGreen));
        assertEquals(Role.NEW, Role.of(Colour.BLUE, fromGreen));
        // the next hand-over, from green: the running green passes everything again, the new blue stands by
        for (long ts = 90; ts < 110; ts++) {
            assertEquals(Verdict.PASS, Verdict.of(Role.of(Colour.GREEN, fromGreen), fromGreen, ts));
            assertEquals(Verdict.DROP, Verdict.of(Role.of(Colour.BLUE, fromGreen), fromGreen, ts));
        }
    }

    @Test
    void readsTheJobConfiguration() {
        assertEquals(Optional.empty(), HandoverConfig.from(new Configuration()));
        Configuration conf = new Configuration();
        conf.setString("flink-deploy.handover.path", "s3://bucket/handover/orders.json");
        conf.setString("flink-deploy.handover.colour", "Green");
        conf.setString("flink-deploy.handover.poll-interval", "250 ms");
        HandoverConfig config = HandoverConfig.from(conf).orElseThrow();
        assertEquals("s3://bucket/handover/orders.json", config.path());
        assertEquals(Colour.GREEN, config.colour());
        assertEquals(250, config.pollMillis());
        assertEquals("kafka-sink-green", config.sinkUid("kafka-sink"));
        assertEquals("orders-green", config.transactionalIdPrefix("orders"));

        Configuration pathOnly = new Configuration();
        pathOnly.setString("flink-deploy.handover.path", "file:///tmp/h.json");
        assertThrows(IllegalArgumentException.class, () -> HandoverConfig.from(pathOnly));
        Configuration typo = new Configuration();
        typo.setString("flink-deploy.handover.path", "file:///tmp/h.json");
        typo.setString("flink-deploy.handover.colour", "blu");
        assertThrows(IllegalArgumentException.class, () -> HandoverConfig.from(typo));
    }
}
