#!/usr/bin/env node
process.stderr.write('flink-deploy: the command line is not built yet\n')
process.exitCode = 2
