#!/usr/bin/env bash
# Pantau on a fresh Debian server, behind nginx with HTTPS: the steps of README "Going live",
# in order. Run as root from a clone of Pantau; run it again after `git pull` to update
# (the code is copied anew, the data in /var/lib/pantau stays).
#
#   deploy/install.sh pantau.bitungkota.go.id it@bitungkota.go.id   # public name, Let's Encrypt
#   deploy/install.sh pantau.kantor.lan --self-signed                # intranet, own certificate
set -euo pipefail
cd "$(dirname "$0")/.."

DOMAIN="${1:?usage: deploy/install.sh DOMAIN (EMAIL | --self-signed)}"
MODE="${2:?usage: deploy/install.sh DOMAIN (EMAIL | --self-signed)}"
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

# 1. Debian packages: nginx, Python's venv, rsync to copy the code, certbot for Let's Encrypt.
apt-get update -qq
packages=(nginx python3 python3-venv openssl rsync)
[ "$MODE" = "--self-signed" ] || packages+=(certbot)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"

# 2. The service's own user; no home, no shell. Its data folder is made by systemd.
id pantau >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /var/lib/pantau \
    --shell /usr/sbin/nologin pantau

# 3. The code in /opt/pantau (root's, read-only for the service) and its .venv.
mkdir -p /opt/pantau
rsync -a --delete --exclude .git/ --exclude .venv/ --exclude /data/ ./ /opt/pantau/
[ -x /opt/pantau/.venv/bin/python ] || python3 -m venv /opt/pantau/.venv
/opt/pantau/.venv/bin/python -m pip install -q --disable-pip-version-check -r /opt/pantau/requirements.txt
/opt/pantau/.venv/bin/python -m compileall -q /opt/pantau/lib /opt/pantau/pages /opt/pantau/*.py >/dev/null
chown -R root:root /opt/pantau
install -m 0755 deploy/pantau-cli /usr/local/bin/pantau-cli

# 4. The service: Streamlit on 127.0.0.1:8501, data in /var/lib/pantau.
install -m 0644 deploy/systemd/pantau.service /etc/systemd/system/pantau.service
systemctl daemon-reload
systemctl enable pantau
systemctl restart pantau

# 5. The certificate. Let's Encrypt proves the name over port 80, answered from /var/www/html
#    (Debian's default site now, the pantau site's challenge location later, for renewals).
site=/etc/nginx/sites-available/pantau
sed "s/pantau\.example\.go\.id/$DOMAIN/g" deploy/nginx/pantau.conf > "$site.new"
if [ "$MODE" = "--self-signed" ]; then
    if [ ! -f /etc/ssl/private/pantau.key ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$DOMAIN" \
            -addext "subjectAltName=DNS:$DOMAIN" \
            -keyout /etc/ssl/private/pantau.key -out /etc/ssl/certs/pantau.crt
        chmod 0600 /etc/ssl/private/pantau.key
    fi
    sed -i -e "s#/etc/letsencrypt/live/$DOMAIN/fullchain.pem#/etc/ssl/certs/pantau.crt#" \
        -e "s#/etc/letsencrypt/live/$DOMAIN/privkey.pem#/etc/ssl/private/pantau.key#" \
        -e '/Strict-Transport-Security/d' "$site.new"
elif [ ! -d "/etc/letsencrypt/live/$DOMAIN" ]; then
    systemctl start nginx
    certbot certonly --webroot -w /var/www/html -d "$DOMAIN" -m "$MODE" --agree-tos -n \
        --deploy-hook "systemctl reload nginx"
fi

# 6. The nginx site in place of Debian's default one.
mv "$site.new" "$site"
ln -sf "$site" /etc/nginx/sites-enabled/pantau
rm -f /etc/nginx/sites-enabled/default
nginx -t
systemctl reload-or-restart nginx

echo "Pantau: https://$DOMAIN is up. Next (README \"Going live\"): open it once, read the first"
echo "administrator's password with: journalctl -u pantau | grep -A2 'first administrator'"
echo "then log in and set the public address https://$DOMAIN on the Pengaturan page."
