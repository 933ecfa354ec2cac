#!/usr/bin/env bash
# Writes every library project's current public API into its PublicAPI.Unshipped.txt (what RS0016 reports as
# undeclared), keeping what is already declared. Run it after a deliberate API change, then review the diff:
#   eng/update-public-api.sh && git diff -- '*PublicAPI*.txt'
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/LlmRouting src/LlmRouting.Redis src/LlmRouting.JsonSchema; do
  unshipped="$project/PublicAPI.Unshipped.txt"
  log="$(mktemp)"
  # Build this project alone (its references are built already by the loop's order), RS0016/RS0017 as warnings.
  dotnet build "$project" -c Release --no-incremental -p:TreatWarningsAsErrors=false -p:BuildProjectReferences=false \
    -p:WarningsAsErrors= > "$log" 2>&1 || true
  python3 - "$log" "$unshipped" "$project" <<'PY'
import re, sys
log, unshipped, project = sys.argv[1:]
text = open(log, encoding="utf-8").read()
mine = [l for l in text.splitlines() if f"/{project}/" in l or l.rstrip().endswith(f"{project.split('/')[-1]}.csproj]")]
added = {m.group(1) for l in mine for m in [re.search(r"RS0016: Symbol '(.*)' is not part of the declared public API", l)] if m}
removed = {m.group(1) for l in mine for m in [re.search(r"RS0017: Symbol '(.*)' is part of the declared API, but is either not public or could not be found", l)] if m}
lines = [l.rstrip("\n") for l in open(unshipped, encoding="utf-8")]
body = sorted(({l for l in lines if l and not l.startswith("#")} | added) - removed, key=str.casefold)
open(unshipped, "w", encoding="utf-8").write("#nullable enable\n" + "".join(l + "\n" for l in body))
print(f"{project}: +{len(added)} -{len(removed)} ({len(body)} declared as unshipped)")
PY
  rm -f "$log"
done
