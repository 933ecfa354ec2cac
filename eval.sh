#!/usr/bin/env bash
# Regression of the real-data figures in docs/evaluation.md: runs llmroute on ../shared/data/routellm/mmlu
# (5 folds of whole subjects, seed 1) and compares every figure with docs/evaluation/expected-figures.json;
# fails when any got worse by more than 0.01. Needs ../shared (not part of a clone); tests never do.
# Usage: ./eval.sh [results-folder]   (default: a fresh temporary folder)
set -euo pipefail
cd "$(dirname "$0")"

D=../shared/data/routellm/mmlu
if [ ! -d "$D" ]; then
  echo "eval.sh: $D not found; the regression needs RouteLLM's MMLU outcomes beside the repository." >&2
  exit 2
fi

S=gpt-4-1106-preview
W=mistralai/Mixtral-8x7B-Instruct-v0.1
OUT="${1:-$(mktemp -d)}"
mkdir -p "$OUT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build src/LlmRouting.Cli -c Release -v quiet -nologo >/dev/null
LLMROUTE=(dotnet src/LlmRouting.Cli/bin/Release/net10.0/llmroute.dll)
COMMON=(--data "$D" --exclude "$D/contaminated_prompts.jsonl" --strong "$S" --weak "$W" --seed 1)

for r in default length random classifier embedding meai-semantic; do
  echo "eval.sh: --router $r"
  "${LLMROUTE[@]}" eval "${COMMON[@]}" --router "$r" --folds 5 --out "$OUT/$r" 2>/dev/null | grep -E "^(default|classifier|embedding|meai|length|random) |worst fold" || true
done

# The adaptive router learns from the other folds: by whole subject (unseen topics) and, in-distribution, by prompt.
echo "eval.sh: --router adaptive (by group, then by prompt)"
"${LLMROUTE[@]}" eval "${COMMON[@]}" --router adaptive --folds 5 --split group --out "$OUT/adaptive" 2>/dev/null | grep -E "^adaptive |worst fold" || true
"${LLMROUTE[@]}" eval "${COMMON[@]}" --router adaptive --folds 5 --split prompt --out "$OUT/adaptive-prompt" 2>/dev/null | grep -E "^adaptive " || true
# The same when the app names each prompt's subject (task metadata): by whole subject every held-out fold is the
# default's; by prompt each known subject takes its own region.
echo "eval.sh: --router adaptive --task group (by group, then by prompt)"
"${LLMROUTE[@]}" eval "${COMMON[@]}" --router adaptive --folds 5 --split group --task group --out "$OUT/adaptive-task" 2>/dev/null | grep -E "^adaptive |worst fold" || true
"${LLMROUTE[@]}" eval "${COMMON[@]}" --router adaptive --folds 5 --split prompt --task group --out "$OUT/adaptive-task-prompt" 2>/dev/null | grep -E "^adaptive " || true

for c in cost-aware classifier; do
  echo "eval.sh: --config docs/evaluation/$c.appsettings.json"
  "${LLMROUTE[@]}" eval "${COMMON[@]}" --config "docs/evaluation/$c.appsettings.json" --target "premium=$S" --target "economy=$W" \
    --out "$OUT/config-$c" 2>/dev/null | grep -E "^operating point" || true
done

"${LLMROUTE[@]}" regress --expected docs/evaluation/expected-figures.json --results "$OUT"
