#!/bin/sh
# Restarts the hub if it stops answering. A hub that started less than five
# minutes ago is left alone (a first boot on a slow card opens its store and
# codecs slowly), and three failed checks in a row are needed.
since=$(systemctl show -P ActiveEnterTimestampMonotonic hyphae.service)
now=$(cut -d. -f1 /proc/uptime)
[ "${since:-0}" -eq 0 ] && exit 0
[ $((now - since / 1000000)) -lt 300 ] && exit 0
for i in 1 2 3; do
  node -e "fetch('http://127.0.0.1:@HTTP_PORT@/api/v1/health',{signal:AbortSignal.timeout(10000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" && exit 0
  sleep 10
done
echo "hyphae-watchdog: the hub did not answer three health checks; restarting it"
systemctl restart hyphae.service
