#!/bin/sh
# Waits until the boot has settled, then prints one line that says how it went.
state=$(systemctl is-system-running --wait 2>/dev/null || true)
failed=$(systemctl --failed --plain --no-legend --no-pager | awk '{print $1}' | paste -sd, -)
root=$(df -m --output=size / | tail -n 1 | tr -d ' ')
port=$(node -e 'try{console.log(JSON.parse(require("fs").readFileSync("/etc/hyphae/hub.json","utf8")).http?.port??8080)}catch{console.log(8080)}' 2>/dev/null)
hub=down
i=0
while [ $i -lt 60 ]; do
  if node -e "fetch('http://127.0.0.1:$port/api/v1/health',{signal:AbortSignal.timeout(5000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then hub=up; break; fi
  i=$((i+1)); sleep 5
done
echo "HYPHAE-BOOT-REPORT state=$state failed=${failed:-none} root-mib=$root hub=$hub uptime=$(cut -d' ' -f1 /proc/uptime)"
