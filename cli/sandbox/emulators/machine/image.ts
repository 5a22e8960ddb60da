// What the instance image holds beyond Debian's packages: the stand-ins for what exists only on
// AWS, each as small as it can be (docs/SANDBOX.md lists them), and cloud-init's one run of the
// user data. Everything else an instance runs is the real thing: systemd, the units the user data
// installs, the discord-bot user, journald, rsyslog, logrotate.
//
// The programs behind the stand-ins (the SSM and CloudWatch agents) are the sandbox's own node
// programs; the machine mounts them at /opt/ydeploy-sandbox (bin/ there is written per sandbox),
// with this machine's node at /usr/bin/node and its AWS CLI, as an AMI would ship them.
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface ImageFile {
  mode: string;
  content: string;
}

/** Where the per-sandbox part (launchers of the sandbox's programs, the AWS CLI) is mounted. */
export const SANDBOX_MOUNT = '/opt/ydeploy-sandbox';
/** The instance's own exchange folder with the host (the SSM agent's socket, IMDS facts). */
export const EXCHANGE_MOUNT = '/var/lib/ydeploy-sandbox';
/** The user data, where cloud-init keeps it, and its output log, where cloud-init writes it. */
export const USER_DATA_PATH = '/var/lib/cloud/instance/user-data.txt';
export const CLOUD_INIT_LOG = '/var/log/cloud-init-output.log';
/** Packages the user data asked dnf for, one request per line. */
export const DNF_LOG = '/var/log/dnf-requests.log';

export const IMAGE_FILES: Record<string, ImageFile> = {
  '/etc/ydeploy-image': {
    mode: '0644',
    content:
      'ydeploy sandbox instance image: Debian bookworm (debootstrap) standing in for Amazon Linux 2023.\n' +
      'Stand-ins: dnf, the CloudWatch agent, the SSM agent, IMDS (served from outside), cloud-init (user data once).\n',
  },
  // dnf: the packages the user data asks for are already in the image (Node, rsyslog, the agents).
  '/usr/bin/dnf': {
    mode: '0755',
    content: `#!/bin/bash
# ydeploy sandbox stand-in for dnf: the image already holds what the bootstrap installs (Node,
# rsyslog, curl, the AWS CLI and the agents); the request is recorded for the tests and the operator.
set -euo pipefail
printf '%s dnf %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>${DNF_LOG}
case "\${1:-}" in
  install | update | upgrade | makecache | clean) exit 0 ;;
  *) echo "dnf (ydeploy sandbox stand-in): only install, update, upgrade, makecache and clean are known" >&2; exit 1 ;;
esac
`,
  },
  // The CloudWatch agent's control script: fetch-config checks and installs the config, then
  // (re)starts the agent, as the real one does with -s.
  '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl': {
    mode: '0755',
    content: `#!/bin/bash
# ydeploy sandbox stand-in for amazon-cloudwatch-agent-ctl: -a fetch-config|start|stop|status.
set -euo pipefail
action= mode= config= start=no
while [ $# -gt 0 ]; do
  case "$1" in
    -a) action="$2"; shift 2 ;;
    -m) mode="$2"; shift 2 ;;
    -c) config="$2"; shift 2 ;;
    -s) start=yes; shift ;;
    *) echo "amazon-cloudwatch-agent-ctl: unknown option $1" >&2; exit 1 ;;
  esac
done
installed=/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json
case "$action" in
  fetch-config)
    [ "$mode" = ec2 ] || { echo "amazon-cloudwatch-agent-ctl: -m $mode: only ec2 is known here" >&2; exit 1; }
    case "$config" in
      file:*) source_file="\${config#file:}" ;;
      *) echo "amazon-cloudwatch-agent-ctl: -c $config: only file:<path> is known here" >&2; exit 1 ;;
    esac
    [ -r "$source_file" ] || { echo "amazon-cloudwatch-agent-ctl: cannot read $source_file" >&2; exit 1; }
    ${SANDBOX_MOUNT}/bin/cloudwatch-agent --check "$source_file"
    install -D -m 0644 "$source_file" "$installed"
    if [ "$start" = yes ]; then systemctl restart amazon-cloudwatch-agent.service; fi
    ;;
  start) systemctl start amazon-cloudwatch-agent.service ;;
  stop) systemctl stop amazon-cloudwatch-agent.service ;;
  status) systemctl is-active amazon-cloudwatch-agent.service ;;
  *) echo "amazon-cloudwatch-agent-ctl: -a $action is not known here" >&2; exit 1 ;;
esac
`,
  },
  '/etc/systemd/system/amazon-cloudwatch-agent.service': {
    mode: '0644',
    content: `[Unit]
Description=Amazon CloudWatch Agent (ydeploy sandbox stand-in: ships the files its config names)
After=network-online.target

[Service]
Type=simple
ExecStart=${SANDBOX_MOUNT}/bin/cloudwatch-agent /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json
Restart=on-failure
RestartSec=2

[Install]
WantedBy=multi-user.target
`,
  },
  // The SSM agent: runs Run Command documents as root in its own environment (the drop-in the
  // user data installs in amazon-ssm-agent.service.d applies, as with the real agent).
  '/etc/systemd/system/amazon-ssm-agent.service': {
    mode: '0644',
    content: `[Unit]
Description=Amazon SSM Agent (ydeploy sandbox stand-in: runs Run Command scripts as root)
After=network-online.target

[Service]
Type=simple
ExecStart=${SANDBOX_MOUNT}/bin/ssm-agent ${EXCHANGE_MOUNT}/ssm-agent.sock
KillMode=process
Restart=always
RestartSec=1

[Install]
WantedBy=multi-user.target
`,
  },
  // cloud-init's part that matters here: the user data, once per instance, as root, its output
  // in /var/log/cloud-init-output.log and the journal.
  '/etc/systemd/system/cloud-final.service': {
    mode: '0644',
    content: `[Unit]
Description=Execute cloud user/final scripts (ydeploy sandbox stand-in for cloud-init)
After=network-online.target systemd-user-sessions.service
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/lib/ydeploy-sandbox/cloud-init-user-data
RemainAfterExit=yes
TimeoutSec=0
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
`,
  },
  '/usr/lib/ydeploy-sandbox/cloud-init-user-data': {
    mode: '0755',
    content: `#!/bin/bash
# Runs the instance's user data once, as cloud-init's scripts-user module does.
set -uo pipefail
sem=/var/lib/cloud/instance/sem/config_scripts_user
[ -e "$sem" ] && exit 0
[ -s ${USER_DATA_PATH} ] || { echo "cloud-init: no user data"; exit 0; }
mkdir -p "$(dirname "$sem")"
chmod 0700 ${USER_DATA_PATH}
echo "Cloud-init v. 22.2.2 (ydeploy sandbox) running 'modules:final' at $(date -u '+%a, %d %b %Y %H:%M:%S +0000')" | tee -a ${CLOUD_INIT_LOG}
${USER_DATA_PATH} 2>&1 | tee -a ${CLOUD_INIT_LOG}
status=\${PIPESTATUS[0]}
date -u +%s >"$sem"
if [ "$status" -ne 0 ]; then
  echo "cloud-init: user data failed with exit code $status" | tee -a ${CLOUD_INIT_LOG}
  echo "$status" >/var/lib/cloud/instance/user-data.failed
else
  echo "Cloud-init v. 22.2.2 finished at $(date -u '+%a, %d %b %Y %H:%M:%S +0000')" | tee -a ${CLOUD_INIT_LOG}
fi
touch /var/lib/cloud/instance/boot-finished
exit 0
`,
  },
};

/** Unit links as `systemctl enable` / `mask` would make them. */
const LINKS: [string, string][] = [
  ['/etc/systemd/system/multi-user.target.wants/cloud-final.service', '/etc/systemd/system/cloud-final.service'],
  [
    '/etc/systemd/system/multi-user.target.wants/amazon-ssm-agent.service',
    '/etc/systemd/system/amazon-ssm-agent.service',
  ],
  ['/usr/local/bin/aws', `${SANDBOX_MOUNT}/bin/aws`],
  // Nobody logs in on the console of an instance.
  ['/etc/systemd/system/console-getty.service', '/dev/null'],
  ['/etc/systemd/system/getty@.service', '/dev/null'],
];

/** Lays the image's files and links onto a freshly bootstrapped root filesystem. */
export async function installImage(root: string): Promise<void> {
  for (const [path, file] of Object.entries(IMAGE_FILES)) {
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
    await chmod(target, parseInt(file.mode, 8));
  }
  for (const [link, target] of LINKS) {
    await mkdir(dirname(join(root, link)), { recursive: true });
    await symlink(target, join(root, link)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  await mkdir(join(root, EXCHANGE_MOUNT.slice(1)), { recursive: true });
  await mkdir(join(root, SANDBOX_MOUNT.slice(1)), { recursive: true });
  await mkdir(join(root, 'var/log/journal'), { recursive: true });
}
