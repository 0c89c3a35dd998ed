import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { basename } from 'node:path';
import { connectMongo, type Logger } from '@woop/service-kit';
import { pidListeningOn } from './processes';
import type { Stack } from './stack';

/** A process's arguments or environment (`/proc/<pid>/cmdline` or `environ`), as a list. */
const procList = (pid: number | undefined, file: 'cmdline' | 'environ') => {
  try {
    return pid ? readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0').filter(Boolean) : [];
  } catch {
    return [];
  }
};
const cmdline = (pid: number | undefined) => procList(pid, 'cmdline');
const portOf = (address: string, fallback: number) => Number(/:(\d+)$/.exec(address)?.[1] ?? fallback);

/** What the figures were measured on: the machine, and the version of each server. */
export async function describeMachine(stack: Stack, temporalServer: string | undefined, logger: Logger) {
  const cpu = cpus();
  const machine: Record<string, unknown> = {
    cores: cpu.length,
    cpu: cpu[0]?.model,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    freeMemoryGiB: +(freemem() / 2 ** 30).toFixed(1),
    loadAverage: loadavg().map((l) => +l.toFixed(2)),
    node: process.version,
    temporalServer: temporalServer ?? 'unknown',
  };

  // The Temporal CLI that serves the dev server, when it runs here: `<its binary> --version`.
  const temporalPid = pidListeningOn(portOf(stack.temporalAddress, 7233));
  try {
    const exe = temporalPid ? readlinkSync(`/proc/${temporalPid}/exe`) : undefined;
    machine.temporalCli =
      exe && /temporal/.test(basename(exe))
        ? execFileSync(exe, ['--version'], { timeout: 10_000 }).toString().trim()
        : 'not a local Temporal CLI';
  } catch {
    machine.temporalCli = 'unknown';
  }

  const mongo = connectMongo(stack.mongoUri, 'admin', logger);
  try {
    await Promise.race([mongo.connected, new Promise((_, no) => setTimeout(() => no(new Error('timeout')), 10_000))]);
    const info = (await mongo.connection.db!.command({ buildInfo: 1 })) as {
      version?: string;
      ferretdbVersion?: string;
    };
    machine.database = info.ferretdbVersion
      ? `FerretDB ${info.ferretdbVersion} (MongoDB ${info.version} wire)`
      : `MongoDB ${info.version}`;
  } catch {
    machine.database = 'unknown';
  } finally {
    await mongo.close();
  }
  const mongoHost = /mongodb:\/\/([^/?]+)/.exec(stack.mongoUri)?.[1] ?? '127.0.0.1:27017';
  // FerretDB takes its handler as a flag or from its environment (deploy/local/ferretdb.sh).
  const ferretdb = pidListeningOn(portOf(mongoHost, 27017));
  const handler =
    cmdline(ferretdb)
      .find((a) => a.startsWith('--handler='))
      ?.slice('--handler='.length) ??
    procList(ferretdb, 'environ')
      .find((a) => a.startsWith('FERRETDB_HANDLER='))
      ?.slice('FERRETDB_HANDLER='.length);
  machine.databaseBackend = handler ?? process.env.FERRETDB_HANDLER ?? 'unknown';

  const kafkaArgs = cmdline(pidListeningOn(portOf(stack.kafkaBrokers[0] ?? '', 9092))).join(' ');
  machine.kafka =
    /kafka_[\d.]+-([\d.]+)\.jar/.exec(kafkaArgs)?.[1] ??
    /kafka-clients-([\d.]+)\.jar/.exec(kafkaArgs)?.[1] ??
    /kafka[-_]([\d.]+)\/lib/.exec(kafkaArgs)?.[1] ??
    'unknown';
  return machine;
}
