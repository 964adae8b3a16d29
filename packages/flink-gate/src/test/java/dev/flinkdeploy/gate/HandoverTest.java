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
        assertEquals(new Handover(4, 1765000000000L, true), h);
        assertFalse(Handover.parse("{\"version\": 1}").knowsCutover());
        assertFalse(Handover.parse("{\"cutoverMillis\": 5}").greenPasses());
    }

    @Test
    void refusesWhatCouldLetARecordThroughTwice() {
        for (String bad : new String[] {
            "[]", "cutoverMillis: 5", "{\"cutoverMillis\": \"5\"}", "{\"cutoverMillis\": 5, \"greenPasses\": \"yes\"}",
            "{\"greenPasses\": true}"
        }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Handover.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("Hand-over object"), e.getMessage());
        }
    }

    @Test
    void everyEventTimeIsWrittenByExactlyOneColourOnceGreenPasses() {
        Handover published = new Handover(1, 100, false);
        Handover confirmed = new Handover(2, 100, true);
        for (long ts = 90; ts < 110; ts++) {
            Verdict blue = Verdict.of(Colour.BLUE, confirmed, ts);
            Verdict green = Verdict.of(Colour.GREEN, confirmed, ts);
            assertTrue((blue == Verdict.PASS) != (green == Verdict.PASS), "ts " + ts);
            assertEquals(ts < 100 ? Verdict.PASS : Verdict.DROP, Verdict.of(Colour.BLUE, published, ts));
            assertEquals(ts < 100 ? Verdict.DROP : Verdict.WAIT, Verdict.of(Colour.GREEN, published, ts));
            assertEquals(Verdict.PASS, Verdict.of(Colour.BLUE, Handover.NONE, ts));
            assertEquals(Verdict.DROP, Verdict.of(Colour.GREEN, Handover.NONE, ts));
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
