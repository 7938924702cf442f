#!/bin/sh
# run.sh nlu|peers: score Parley (and, for peers, NLP.js) on the public NLU
# datasets and print one Markdown table. `make bench-nlu` and `make
# bench-peers` call it; every setting comes from the environment:
#
#   DATASETS   folder of {snips,clinc150,banking77}/{train,test}.jsonl
#              (default: ../shared/datasets beside the repository)
#   NLU_SETS   space-separated subset of its folders (default: every folder
#              with a train.jsonl and a test.jsonl)
#   PEERS_DIR  npm prefix NLP.js is installed into and reused from; never
#              inside the repository (default: ${TMPDIR:-/tmp}/parley-peers)
#   NLPJS_PKGS what npm installs there (default: the 4.x packages below)
#   PARLEY     a parley binary to run instead of building ./cmd/parley
#   GO NODE NPM  the commands to use
#
# Nothing is written into the repository: binaries and results go to a
# temporary folder that is removed on exit.
set -eu

mode=${1:-}
case $mode in
nlu | peers) ;;
*)
	echo "usage: $0 nlu|peers" >&2
	exit 2
	;;
esac
set --

root=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$root"
GO=${GO:-go}
NODE=${NODE:-node}
NPM=${NPM:-npm}
DATASETS=${DATASETS:-$root/../shared/datasets}
NLU_SETS=${NLU_SETS:-}
PEERS_DIR=${PEERS_DIR:-${TMPDIR:-/tmp}/parley-peers}
NLPJS_PKGS=${NLPJS_PKGS:-@nlpjs/nlp@4 @nlpjs/core@4 @nlpjs/lang-en-min@4}

say() { printf 'bench-%s: %s\n' "$mode" "$*" >&2; }
die() {
	say "$*"
	exit 1
}

if [ ! -d "$DATASETS" ]; then
	echo "bench-$mode: no datasets at $DATASETS, so nothing to score; skipping."
	echo "bench-$mode: set DATASETS=DIR to a folder of NAME/train.jsonl and NAME/test.jsonl to run it."
	exit 0
fi

sets=
if [ -n "$NLU_SETS" ]; then
	for s in $NLU_SETS; do
		[ -f "$DATASETS/$s/train.jsonl" ] && [ -f "$DATASETS/$s/test.jsonl" ] ||
			die "NLU_SETS names $s, but $DATASETS/$s has no train.jsonl and test.jsonl"
		sets="$sets $s"
	done
else
	for d in "$DATASETS"/*/; do
		s=$(basename "$d")
		if [ -f "$DATASETS/$s/train.jsonl" ] && [ -f "$DATASETS/$s/test.jsonl" ]; then
			sets="$sets $s"
		fi
	done
fi
if [ -z "$sets" ]; then
	echo "bench-$mode: no NAME/train.jsonl with NAME/test.jsonl under $DATASETS; skipping."
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${PARLEY:-}" ]; then
	parley=$PARLEY
	say "using $parley for parley eval"
else
	say "building parley"
	parley=$tmp/parley
	"$GO" build -o "$parley" ./cmd/parley || die "go build ./cmd/parley failed"
fi
"$GO" build -o "$tmp/table" ./bench/peers/table || die "go build ./bench/peers/table failed"

nproc=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
header="$(date -u '+%Y-%m-%d %H:%M UTC') · $(uname -m) · $nproc CPUs"
if [ -r /proc/loadavg ]; then
	header="$header (load $(cut -d' ' -f1 /proc/loadavg))"
fi
header="$header · $("$GO" env GOVERSION)"

if [ "$mode" = peers ]; then
	command -v "$NODE" >/dev/null 2>&1 || die "needs Node.js 18 or later (tested with 20), and '$NODE' is not on PATH"
	major=$("$NODE" -p 'process.versions.node.split(".")[0]') || die "'$NODE' does not run"
	[ "$major" -ge 18 ] || die "needs Node.js 18 or later (tested with 20); '$NODE' is $("$NODE" -v)"
	case $PEERS_DIR in
	/*) peers=$PEERS_DIR ;;
	*) peers=$PWD/$PEERS_DIR ;;
	esac
	case $peers/ in
	"$root"/*) die "PEERS_DIR=$PEERS_DIR is inside the repository; point it elsewhere" ;;
	esac
	nm=$peers/node_modules/@nlpjs
	if [ -f "$nm/nlp/package.json" ] && [ -f "$nm/core/package.json" ] && [ -f "$nm/lang-en-min/package.json" ]; then
		say "reusing NLP.js in $peers"
	else
		command -v "$NPM" >/dev/null 2>&1 || die "needs npm to install NLP.js, and '$NPM' is not on PATH"
		say "installing $NLPJS_PKGS into $peers"
		mkdir -p "$peers"
		# shellcheck disable=SC2086 # NLPJS_PKGS is a list of package specs
		if ! "$NPM" install --no-audit --no-fund --prefix "$peers" $NLPJS_PKGS >"$tmp/npm.log" 2>&1; then
			cat "$tmp/npm.log" >&2
			die "npm install into $peers failed"
		fi
	fi
	v() { "$NODE" -p "require(process.argv[1]).version" "$nm/$1/package.json"; }
	header="$header · node $("$NODE" -v) · @nlpjs/nlp $(v nlp) (core $(v core), lang-en-min $(v lang-en-min))"
fi

for s in $sets; do
	say "$s: Parley"
	out=$tmp/$s.parley.json
	# Where a validation split exists, the out-of-scope threshold is chosen
	# on it (never on the test split).
	tune=""
	[ -f "$DATASETS/$s/valid.jsonl" ] && tune="--tune $DATASETS/$s/valid.jsonl"
	# shellcheck disable=SC2086
	"$parley" eval --train "$DATASETS/$s/train.jsonl" --data "$DATASETS/$s/test.jsonl" $tune --json >"$out" ||
		die "parley eval failed on $s (exit $?)"
	if [ "$mode" = nlu ]; then
		set -- "$@" --label "$s" "$out"
	else
		set -- "$@" --label "$s" --system Parley "$out"
		say "$s: NLP.js (its training takes up to a few minutes)"
		out=$tmp/$s.nlpjs.json
		"$NODE" --expose-gc bench/peers/nlpjs.mjs --modules "$peers" \
			--train "$DATASETS/$s/train.jsonl" --data "$DATASETS/$s/test.jsonl" >"$out" ||
			die "NLP.js failed on $s (exit $?)"
		set -- "$@" --label "$s" --system NLP.js "$out"
	fi
done

"$tmp/table" --title "$header" "$@" || die "could not print the table"
