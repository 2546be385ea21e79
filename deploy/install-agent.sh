#!/usr/bin/env bash
# Installs the 大喇叭 terminal agent on a Debian-family board (run as root):
#   ./install-agent.sh dlb-agent.mjs agent.json [--no-player]
# dlb-agent.mjs comes from `npm run build:agent`; agent.json is the agentConfig the centre returned when the
# terminal was registered (POST /api/terminals). Node >= 20 must already be installed.
set -euo pipefail
bundle=${1:?usage: install-agent.sh dlb-agent.mjs agent.json [--no-player]}
config=${2:?usage: install-agent.sh dlb-agent.mjs agent.json [--no-player]}
here=$(cd "$(dirname "$0")" && pwd)
# Unit files sit in systemd/ in the repository, or right beside this script when copied to a board.
units="$here/systemd"; [ -f "$units/dlb-agent.service" ] || units="$here"

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then echo "需要 Node.js 20 或更高版本（当前: $(node -v 2>/dev/null || echo 未安装)）" >&2; exit 1; fi
node -e 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).terminalId' "$config" >/dev/null \
  || { echo "配置文件 $config 不是终端配置（缺少 terminalId）" >&2; exit 1; }

if [ "${3:-}" != "--no-player" ] && ! command -v mpg123 >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq mpg123
fi

install -m 0644 "$units/dlb-agent.sysusers.conf" /usr/lib/sysusers.d/dlb-agent.conf
systemd-sysusers
install -d -m 0755 /opt/dlb
install -m 0644 "$bundle" /opt/dlb/dlb-agent.mjs
install -d -m 0750 -o root -g dlb-agent /etc/dlb
install -m 0640 -o root -g dlb-agent "$config" /etc/dlb/agent.json
install -m 0644 "$units/dlb-agent.service" /etc/systemd/system/dlb-agent.service
systemctl daemon-reload
systemctl enable --now dlb-agent
echo "终端程序已安装并启动：journalctl -u dlb-agent -f 查看日志"
