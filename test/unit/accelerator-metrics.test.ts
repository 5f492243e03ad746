import { expect } from 'chai';

import {
  acceleratorSeries,
  deviceKey,
  metricKind,
  parseMetrics,
  utilizationOf,
} from '../../src/accelerators/metrics.js';

const DCGM = `# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
# TYPE DCGM_FI_DEV_GPU_UTIL gauge
DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",Hostname="n1"} 5
DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b",Hostname="n1",namespace="ns",pod="p"} 80
# TYPE DCGM_FI_DEV_FB_USED gauge
DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-a",Hostname="n1"} 100
DCGM_FI_DEV_FB_USED{gpu="1",UUID="GPU-b",Hostname="n1",GPU_I_ID="3"} 200
DCGM_FI_DEV_FB_USED{gpu="1",UUID="GPU-b",Hostname="n1",GPU_I_ID="5"} 300
# TYPE DCGM_FI_DEV_MEM_COPY_UTIL gauge
DCGM_FI_DEV_MEM_COPY_UTIL{gpu="0",UUID="GPU-a"} 99
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 12
# TYPE request_duration_seconds histogram
request_duration_seconds_bucket{le="1"} 1
request_duration_seconds_bucket{le="+Inf"} 1
request_duration_seconds_sum 0.5
request_duration_seconds_count 1
`;

describe('accelerator metrics vocabulary', function () {
  it('classifies known names before patterns, in the working group pattern order', function () {
    expect(metricKind('DCGM_FI_DEV_GPU_UTIL')).to.equal('utilization');
    expect(metricKind('DCGM_FI_DEV_FB_USED')).to.equal('memory');
    // A memory-bandwidth utilization is utilization, as the patterns are ordered.
    expect(metricKind('DCGM_FI_DEV_MEM_COPY_UTIL')).to.equal('utilization');
    expect(metricKind('DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL')).to.equal('interconnect');
    expect(metricKind('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')).to.equal('power');
    expect(metricKind('DCGM_FI_DEV_GPU_TEMP')).to.equal('temperature');
    expect(metricKind('hw_gpu_memory_usage')).to.equal('memory');
    expect(metricKind('process_cpu_seconds_total')).to.equal(null);
  });

  it('keys a sample by UUID, else by host and device label, else not at all', function () {
    expect(deviceKey({ UUID: 'GPU-a', gpu: '0' })).to.equal('GPU-a');
    expect(deviceKey({ card_id: '2', hostname: 'n3' })).to.equal('n3/card_id=2');
    expect(deviceKey({ gpu: '1' })).to.equal('?/gpu=1');
    expect(deviceKey({ instance: 'x' })).to.equal(null);
  });

  it('groups samples per accelerator (MIG instances under their parent) and skips histograms', function () {
    const samples = parseMetrics(DCGM);
    expect(samples.some((s) => s.name === 'request_duration_seconds')).to.equal(false);
    const series = acceleratorSeries(samples);
    expect([...series.keys()].sort()).to.deep.equal(['GPU-a', 'GPU-b']);
    expect(series.get('GPU-b')?.kinds.memory).to.deep.equal({
      names: ['DCGM_FI_DEV_FB_USED'],
      value: 300,
    });
    expect(series.get('GPU-b')?.pods).to.deep.equal(['ns/p']);
    expect(series.get('GPU-a')?.kinds.utilization?.names).to.have.members([
      'DCGM_FI_DEV_GPU_UTIL',
      'DCGM_FI_DEV_MEM_COPY_UTIL',
    ]);
  });

  it('reads utilization from the preferred name, not the highest of any utilization', function () {
    const samples = parseMetrics(DCGM);
    expect(utilizationOf(samples, 'GPU-a')).to.equal(5);
    expect(utilizationOf(samples, 'GPU-b')).to.equal(80);
    expect(utilizationOf(samples, 'GPU-z')).to.equal(null);
  });

  it('knows no false friends: clocks and video engines are neither memory nor utilization', function () {
    expect(metricKind('DCGM_FI_DEV_MEM_CLOCK')).to.equal(null);
    expect(metricKind('DCGM_FI_DEV_SM_CLOCK')).to.equal(null);
    expect(metricKind('DCGM_FI_DEV_ENC_UTIL')).to.equal(null);
    expect(metricKind('DCGM_FI_DEV_DEC_UTIL')).to.equal(null);
    expect(metricKind('DCGM_FI_DEV_GPU_UTIL')).to.equal('utilization');
  });

  it('reads other vendors: their names, their device labels, ratios as percents', function () {
    const text = [
      '# TYPE gpu_gfx_activity gauge',
      'gpu_gfx_activity{gpu_id="0",serial_number="S1",hostname="n1"} 42',
      '# TYPE gpu_used_vram gauge',
      'gpu_used_vram{gpu_id="0",serial_number="S1",hostname="n1"} 1024',
      '# TYPE hw_gpu_utilization_ratio gauge',
      'hw_gpu_utilization_ratio{hw_id="intel-0",hw_gpu_task="all"} 0.25',
      '# TYPE hw_memory_usage_bytes gauge',
      'hw_memory_usage_bytes{hw_id="intel-0",hw_memory_location="device"} 1e9',
      '# TYPE duty_cycle gauge',
      'duty_cycle{accelerator_id="tpu-0",model="tpu-v5"} 70',
      '# TYPE memory_used gauge',
      'memory_used{accelerator_id="tpu-0",model="tpu-v5"} 2e9',
      '# TYPE neuroncore_utilization_ratio gauge',
      'neuroncore_utilization_ratio{neuroncore="3",instance_id="i-1"} 0.9',
      '',
    ].join('\n');
    const samples = parseMetrics(text);
    const series = acceleratorSeries(samples);
    expect([...series.keys()].sort()).to.deep.equal([
      '?/accelerator_id=tpu-0',
      '?/neuroncore=3',
      'intel-0',
      'n1/gpu_id=0',
    ]);
    for (const key of ['n1/gpu_id=0', 'intel-0', '?/accelerator_id=tpu-0']) {
      expect(Object.keys(series.get(key)?.kinds ?? {}).sort(), key).to.deep.equal([
        'memory',
        'utilization',
      ]);
    }
    expect(utilizationOf(samples, 'n1/gpu_id=0')).to.equal(42);
    expect(utilizationOf(samples, 'intel-0')).to.equal(25);
    expect(utilizationOf(samples, '?/accelerator_id=tpu-0')).to.equal(70);
    expect(utilizationOf(samples, '?/neuroncore=3')).to.be.closeTo(90, 1e-9);
  });
});
