/**
 * The fake `nvidia-smi` mounted into a container that holds simulated GPUs: a POSIX shell script
 * with its answers written in at prepare time, so it runs in any image that has /bin/sh. `-L`,
 * `-q` and the default table follow the real tool's formats (../shared/reference/nvidia-h100/);
 * the numbers are those of an idle GPU. A container sees only its claim's devices, numbered from 0
 * as the real tool numbers the GPUs a container was given.
 */
import type { GpuProfile } from '../profiles.js';

export interface VisibleGpu {
  /** The device node's minor number on the node (/dev/nvidia<minor>). */
  minor: number;
  uuid: string;
  pciBusId: string;
  /** Set for a MIG device: its profile, its own UUID and its GPU instance id. */
  mig: { profile: string; uuid: string; instance: number; memoryBytes: number } | null;
}

const IDLE_TEMP_C = 34;
const RESERVED_MIB = 480;

const mib = (bytes: number) => Math.floor(bytes / 2 ** 20);

/** `nvidia-smi -L`: one line per GPU, MIG devices indented under their GPU. */
export function listGpus(profile: GpuProfile, gpus: VisibleGpu[]): string {
  const lines: string[] = [];
  groupByParent(gpus).forEach(({ parent, migs }, index) => {
    lines.push(`GPU ${index}: ${profile.productName} (UUID: ${parent.uuid})`);
    migs.forEach((m, i) => {
      lines.push(
        `  MIG ${(m.mig?.profile ?? '').padEnd(12)}Device ${String(i).padStart(2)}: (UUID: ${m.mig?.uuid})`,
      );
    });
  });
  return lines.join('\n') + '\n';
}

function groupByParent(gpus: VisibleGpu[]): Array<{ parent: VisibleGpu; migs: VisibleGpu[] }> {
  const groups = new Map<string, { parent: VisibleGpu; migs: VisibleGpu[] }>();
  for (const gpu of [...gpus].sort((a, b) => a.minor - b.minor)) {
    const group = groups.get(gpu.uuid) ?? { parent: gpu, migs: [] };
    if (gpu.mig) group.migs.push(gpu);
    groups.set(gpu.uuid, group);
  }
  return [...groups.values()];
}

/** "Key    : value" with the colon where nvidia-smi puts it (column 56). */
const field = (indent: number, key: string, value: string) =>
  `${' '.repeat(indent)}${key.padEnd(55 - indent)}: ${value}`;

/** `nvidia-smi -q`: the sections the simulation can answer truthfully, in the real layout. */
export function queryGpus(profile: GpuProfile, gpus: VisibleGpu[], timestamp: string): string {
  const groups = groupByParent(gpus);
  const lines = [
    '',
    '==============NVSMI LOG==============',
    '',
    field(0, 'Timestamp', timestamp),
    field(0, 'Driver Version', profile.driverVersion),
    field(0, 'CUDA Version', profile.cudaDriverVersion),
    '',
    field(0, 'Attached GPUs', String(groups.length)),
  ];
  for (const { parent, migs } of groups) {
    const total = mib(profile.memoryBytes);
    const [domain, bus, deviceFn] = parent.pciBusId.split(':') as [string, string, string];
    lines.push(
      `GPU ${parent.pciBusId}`,
      field(4, 'Product Name', profile.productName),
      field(4, 'Product Brand', profile.brand.toUpperCase()),
      field(4, 'Product Architecture', profile.architecture),
      field(4, 'Persistence Mode', 'Enabled'),
      '    MIG Mode',
      field(8, 'Current', migs.length ? 'Enabled' : 'Disabled'),
      field(8, 'Pending', migs.length ? 'Enabled' : 'Disabled'),
      field(4, 'GPU UUID', parent.uuid),
      field(4, 'Minor Number', String(parent.minor)),
      '    PCI',
      field(8, 'Bus', `0x${bus}`),
      field(8, 'Device', `0x${deviceFn.slice(0, 2)}`),
      field(8, 'Domain', `0x${domain.slice(4)}`),
      field(8, 'Bus Id', parent.pciBusId),
      field(4, 'Performance State', 'P0'),
      '    FB Memory Usage',
      field(8, 'Total', `${total} MiB`),
      field(8, 'Reserved', `${RESERVED_MIB} MiB`),
      field(8, 'Used', '0 MiB'),
      field(8, 'Free', `${total - RESERVED_MIB} MiB`),
      field(4, 'Compute Mode', 'Default'),
      '    Utilization',
      field(8, 'GPU', '0 %'),
      field(8, 'Memory', '0 %'),
      '    Temperature',
      field(8, 'GPU Current Temp', `${IDLE_TEMP_C} C`),
      '    GPU Power Readings',
      field(8, 'Current Power Limit', `${profile.powerLimitWatts.toFixed(2)} W`),
      field(8, 'Max Power Limit', `${profile.powerLimitWatts.toFixed(2)} W`),
    );
    for (const m of migs) {
      lines.push(
        '    MIG Device',
        field(8, 'GPU Instance ID', String(m.mig?.instance)),
        field(8, 'Profile', m.mig?.profile ?? ''),
        field(8, 'UUID', m.mig?.uuid ?? ''),
        field(8, 'FB Memory Usage Total', `${mib(m.mig?.memoryBytes ?? 0)} MiB`),
      );
    }
    lines.push(field(4, 'Processes', 'None'));
  }
  return lines.join('\n') + '\n';
}

/** The default table, 89 columns wide like the real one. */
export function summaryTable(profile: GpuProfile, gpus: VisibleGpu[], timestamp: string): string {
  const rule =
    '+-----------------------------------------+------------------------+----------------------+';
  const full = `+${'-'.repeat(89)}+`;
  const row = (a: string, b: string, c: string) => `|${a}|${b}|${c}|`;
  const header =
    ` NVIDIA-SMI ${profile.driverVersion}`.padEnd(34) +
    `Driver Version: ${profile.driverVersion}`.padEnd(31) +
    `CUDA Version: ${profile.cudaDriverVersion}`.padEnd(24);
  const lines = [
    timestamp,
    full,
    `|${header}|`,
    rule,
    row(
      ' GPU  Name                 Persistence-M ',
      ' Bus-Id          Disp.A ',
      ' Volatile Uncorr. ECC ',
    ),
    row(
      ' Fan  Temp   Perf          Pwr:Usage/Cap ',
      '           Memory-Usage ',
      ' GPU-Util  Compute M. ',
    ),
    row(
      '                                         ',
      '                        ',
      '               MIG M. ',
    ),
    rule.replaceAll('-', '='),
  ];
  // A cell: text at the left and at the right, padded to the column's width.
  const cell = (width: number, left: string, right = '') =>
    `${left}${' '.repeat(Math.max(1, width - left.length - right.length))}${right}`.slice(0, width);
  groupByParent(gpus).forEach(({ parent, migs }, index) => {
    const total = mib(profile.memoryBytes);
    const idleW = Math.round(profile.powerLimitWatts * 0.1);
    lines.push(
      row(
        cell(41, `${String(index).padStart(4)}  ${profile.productName}`, 'On  '),
        cell(24, '', `${parent.pciBusId} Off `),
        cell(22, '', '0 '),
      ),
      row(
        cell(41, ` N/A   ${IDLE_TEMP_C}C    P0`, `${idleW}W /  ${profile.powerLimitWatts}W `),
        cell(24, '', `0MiB /  ${total}MiB `),
        cell(22, '', '0%      Default '),
      ),
      row(cell(41, ''), cell(24, ''), cell(22, '', `${migs.length ? 'Enabled' : 'Disabled'} `)),
      rule,
    );
  });
  lines.push(
    '',
    full,
    `| ${'Processes:'.padEnd(88)}|`,
    `|  GPU   GI   CI              PID   Type   Process name                        GPU Memory |`,
    `|        ID   ID                                                               Usage      |`,
    `|${'='.repeat(89)}|`,
    `|  ${'No running processes found'.padEnd(87)}|`,
    full,
  );
  return lines.join('\n') + '\n';
}

/** The script: each answer in a quoted here-document, so nothing in it is expanded. */
export function nvidiaSmiScript(
  profile: GpuProfile,
  gpus: VisibleGpu[],
  claim: string,
  now = new Date(),
): string {
  // nvidia-smi's own timestamp format: "Thu Nov 26 15:43:07 2026".
  const timestamp = now
    .toUTCString()
    .replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1 $3 $2 $5 $4');
  const answer = (text: string) => `cat <<'KAIC_NVIDIA_SMI'\n${text}KAIC_NVIDIA_SMI\n`;
  return [
    '#!/bin/sh',
    `# Simulated nvidia-smi from kaic's fake-GPU driver, for ResourceClaim ${claim}.`,
    'case "$1" in',
    `  -L|--list-gpus)\n${answer(listGpus(profile, gpus))}    ;;`,
    `  -q|--query)\n${answer(queryGpus(profile, gpus, timestamp))}    ;;`,
    `  '')\n${answer(summaryTable(profile, gpus, timestamp))}    ;;`,
    `  *)\n    echo "nvidia-smi (kaic simulation): option $1 is not simulated; try -L, -q or no option" >&2\n    exit 2\n    ;;`,
    'esac',
    '',
  ].join('\n');
}
