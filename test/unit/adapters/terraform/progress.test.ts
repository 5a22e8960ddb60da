import { describe, expect, it } from 'vitest';
import { ApplyProgress } from '../../../../cli/adapters/terraform/progress.js';

describe('ApplyProgress', () => {
  it('counts a planned resource done when its last hook finishes: a replace has two', () => {
    const progress = new ApplyProgress();
    progress.planned('aws_instance.enhanced', 'replace');
    progress.planned('aws_vpc.main', 'update');
    progress.planned('data.aws_ami.al2023', 'read');
    progress.planned('aws_s3_bucket.logs', 'noop');
    expect(progress.total).toBe(2);
    progress.started('delete aws_instance.enhanced', 'delete', 'aws_instance.enhanced');
    expect(progress.text()).toBe('0/2 resources · destroying aws_instance.enhanced');
    progress.finished('delete aws_instance.enhanced', 'delete', 'aws_instance.enhanced', true);
    progress.started('create aws_instance.enhanced', 'create', 'aws_instance.enhanced');
    expect(progress.text()).toBe('0/2 resources · creating aws_instance.enhanced');
    progress.finished('create aws_instance.enhanced', 'create', 'aws_instance.enhanced', true);
    expect(progress.text()).toBe('1/2 resources');
    expect(progress.summary({ add: 1, change: 0, remove: 1 })).toBe('1 resource (1 added, 1 destroyed)');
  });

  it('does not count a failed hook or a data source read', () => {
    const progress = new ApplyProgress();
    progress.planned('aws_vpc.main', 'create');
    progress.started('read data.aws_ami.al2023', 'read', 'data.aws_ami.al2023');
    expect(progress.text()).toBe('0/1 resources · reading data.aws_ami.al2023');
    progress.finished('read data.aws_ami.al2023', 'read', 'data.aws_ami.al2023', true);
    progress.started('create aws_vpc.main', 'create', 'aws_vpc.main');
    progress.finished('create aws_vpc.main', 'create', 'aws_vpc.main', false);
    expect(progress.done).toBe(0);
    expect(progress.text()).toBeUndefined();
  });

  it('counts a change the plan did not announce, so done never passes the total', () => {
    const progress = new ApplyProgress();
    progress.started('update aws_vpc.main', 'update', 'aws_vpc.main');
    progress.finished('update aws_vpc.main', 'update', 'aws_vpc.main', true);
    expect(progress.text()).toBe('1/1 resources');
  });

  it('summarises nothing to do as "no changes", and a summary without counts by its resources', () => {
    expect(new ApplyProgress().summary({ add: 0, change: 0, remove: 0 })).toBe('no changes');
    expect(new ApplyProgress().summary(undefined)).toBe('no changes');
    const progress = new ApplyProgress();
    progress.planned('aws_vpc.main', 'create');
    progress.started('create aws_vpc.main', 'create', 'aws_vpc.main');
    progress.finished('create aws_vpc.main', 'create', 'aws_vpc.main', true);
    expect(progress.summary(undefined)).toBe('1 resource');
    expect(progress.summary({ add: 29, change: 2, remove: 0 })).toBe('1 resource (29 added, 2 changed)');
  });
});
