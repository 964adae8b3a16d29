package dev.flinkdeploy.example;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Reads a text file with Flink's file connector and writes its lines upper-cased with the file sink. The
 * connector is not in the jar (provided): the job runs only where the cluster's lib/ has it, as the binary
 * distribution's does. Bounded: it finishes once the last checkpoint committed the output.
 */
public final class FileLines {
    private FileLines() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: FileLines <input file> <output directory>");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FileSource<String> source =
                FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(args[0])).build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "lines")
                .uid("lines")
                .map(String::toUpperCase)
                .returns(String.class)
                .uid("upper")
                .sinkTo(FileSink.forRowFormat(new Path(args[1]), new SimpleStringEncoder<String>()).build())
                .uid("files");
        env.execute("file-lines");
    }
}
