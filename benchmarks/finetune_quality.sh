#!/usr/bin/env bash
# Measure one model on the measure-role sets of issue 14 (benchmarks/results/finetune.md):
#   bash benchmarks/finetune_quality.sh ../shared/data MODEL NAME [SETS...]
# writes benchmarks/quality/finetune/NAME_SET.{txt,json}. SETS (default: all): snli mnli_m
# mnli_mm anli_r1 climate_fever control. Fixed samples: the first 2,000 labelled rows of SNLI
# test and the MNLI dev files (as benchmarks/quality.sh), all of ANLI R1 test, Climate-FEVER
# (7,675 claim-evidence pairs) and ConTRoL test (805). `contradict eval` on the CPU, windows on.
set -euo pipefail
D=${1:?path to the shared data folder}; MODEL=${2:?model name}; NAME=${3:?output prefix}; shift 3
SETS=${*:-snli mnli_m mnli_mm anli_r1 climate_fever control}
OUT=benchmarks/quality/finetune
mkdir -p "$OUT"
CF=${TMPDIR:-/tmp}/climate-fever-pairs.jsonl
run() { local set=$1; shift; python -m contradict.cli -q eval "$@" --model "$MODEL" --device cpu --json "$OUT/${NAME}_$set.json" > "$OUT/${NAME}_$set.txt"; }
for set in $SETS; do
  case $set in
    snli) run snli "$D/snli/snli_1.0_test.jsonl.gz" --format snli --limit 2000 ;;
    mnli_m) run mnli_m "$D/mnli/mnli_dev_matched_with_bert_correct_counts.tsv" --format mnli --limit 2000 ;;
    mnli_mm) run mnli_mm "$D/mnli_mismatched/multinli_1.0_dev_mismatched.csv" --format mnli --limit 2000 ;;
    anli_r1) run anli_r1 "$D/anli/anli_test_r1.jsonl" --format anli ;;
    climate_fever) python benchmarks/climate_fever.py "$D/climate-fever/climate-fever.jsonl" "$CF" >&2
                   run climate_fever "$CF" --format jsonl ;;
    control) run control "$D/control/data_test.jsonl" --format jsonl ;;
    *) echo "unknown set $set" >&2; exit 2 ;;
  esac
  echo "$(date -u +%H:%M:%S) $NAME $set done" >&2
done
