/**
 * gpu_sharing on the device-plugin path: the node where one pod more than its physical devices
 * can each hold a shared replica, or why there is none.
 */
import { expect } from 'chai';

import { ACCELERATOR_PROFILES, extendedResourcesOf } from '../../src/accelerators/profiles.js';
import { planReplicaSharing } from '../../suites/lib/sharing.js';

const NVIDIA = ACCELERATOR_PROFILES.nvidia;
const timeSliced = extendedResourcesOf(
  NVIDIA,
  { 'nvidia.com/gpu': '8', cpu: '16' },
  { 'nvidia.com/gpu.replicas': '4', 'nvidia.com/gpu.count': '2' },
);
const renamed = extendedResourcesOf(
  NVIDIA,
  { 'nvidia.com/gpu.shared': '6' },
  {
    'nvidia.com/gpu.replicas': '3',
  },
);
const whole = extendedResourcesOf(NVIDIA, { 'nvidia.com/gpu': '8' }, {});

describe('gpu_sharing: shared replicas on the device-plugin path', function () {
  it('plans one pod more than the physical devices on a time-sliced node', function () {
    expect(
      planReplicaSharing([
        { node: 'plain', resources: whole, requested: {} },
        { node: 'sliced', resources: timeSliced, requested: { 'nvidia.com/gpu': 1 } },
      ]),
    ).to.deep.equal({
      node: 'sliced',
      resource: 'nvidia.com/gpu',
      devices: 2,
      replicas: 4,
      pods: 3,
    });
  });

  it('takes a renamed .shared resource too', function () {
    expect(planReplicaSharing([{ node: 'n', resources: renamed, requested: {} }])).to.include({
      resource: 'nvidia.com/gpu.shared',
      devices: 2,
      pods: 3,
    });
  });

  it('says why not: nothing shared, or too few replicas free', function () {
    expect(planReplicaSharing([{ node: 'plain', resources: whole, requested: {} }]))
      .to.have.property('reason')
      .that.includes('no node advertises shared replicas');
    expect(
      planReplicaSharing([
        { node: 'busy', resources: timeSliced, requested: { 'nvidia.com/gpu': 6 } },
      ]),
    )
      .to.have.property('reason')
      .that.includes('busy: 2 of 8 nvidia.com/gpu free, 3 needed');
  });
});
